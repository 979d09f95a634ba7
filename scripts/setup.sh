#!/usr/bin/env bash
# Installs everything GenLab needs that is not Swift itself, and does nothing when it is
# all there already: the Debian packages (OpenBLAS, HDF5, oneDNN, pkg-config, zlib, libpng,
# libjpeg, the Fashion-MNIST dataset) and the Python packages the tests use: h5py (HDF5
# interoperability), jsonschema and PyYAML (the JSON Schema check of experiment files), and
# SciPy (the independent Fréchet distance the tests compare with).
# With --tests, also Debian's chromium (the tests render `genlab report` in it); if it cannot
# be installed the setup goes on and that test says it was skipped.
set -euo pipefail

packages=(libopenblas-dev libhdf5-dev libdnnl-dev pkg-config zlib1g-dev libpng-dev libjpeg-dev dataset-fashion-mnist)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ "${1:-}" = "--tests" ] && ! command -v chromium >/dev/null 2>&1; then
  echo "setup: installing chromium (for the report test)"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null; }; then
    echo "setup: chromium could not be installed; the report's browser test will be skipped" >&2
  fi
fi

python=${PYTHON:-python3}
for module in h5py:h5py jsonschema:jsonschema yaml:PyYAML scipy:scipy wheel:wheel pandas:pandas tensorboard:tensorboard; do
  if ! "$python" -c "import ${module%%:*}" 2>/dev/null; then
    echo "setup: installing ${module##*:}"
    "$python" -m pip install --quiet "${module##*:}"
  fi
done

if ! command -v swift >/dev/null 2>&1; then
  echo "setup: Swift 6 is required (https://www.swift.org/install); 'swift' is not on PATH" >&2
  exit 1
fi
