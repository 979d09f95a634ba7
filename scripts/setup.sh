#!/usr/bin/env bash
# Installs everything GenLab needs that is not Swift itself, and does nothing when it is
# all there already: the Debian packages (OpenBLAS, HDF5, pkg-config, zlib, libpng,
# libjpeg, the Fashion-MNIST dataset) and Python's h5py (for the interoperability tests).
set -euo pipefail

packages=(libopenblas-dev libhdf5-dev pkg-config zlib1g-dev libpng-dev libjpeg-dev dataset-fashion-mnist)

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

python=${PYTHON:-python3}
if ! "$python" -c "import h5py" 2>/dev/null; then
  echo "setup: installing h5py"
  "$python" -m pip install --quiet h5py
fi

if ! command -v swift >/dev/null 2>&1; then
  echo "setup: Swift 6 is required (https://www.swift.org/install); 'swift' is not on PATH" >&2
  exit 1
fi
