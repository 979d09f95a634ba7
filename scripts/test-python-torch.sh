#!/usr/bin/env bash
# The Python package's PyTorch tests: run.torch_modules() on a run of every reference
# experiment loads the file's weights and buffers exactly, in evaluation mode, and reproduces
# the stored samples, latents and discriminator scores. PyTorch goes into a private virtual
# environment ($GENLAB_TORCH_VENV, default ~/.cache/genlab/venv-torch), never the system's.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${GENLAB_TORCH_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/genlab/venv-torch}
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import torch, h5py, numpy" 2>/dev/null; then
  "$venv/bin/python" -m pip install --quiet torch h5py numpy
fi
swift build -c release
export OPENBLAS_NUM_THREADS=1
GENLAB="$PWD/.build/release/genlab" "$venv/bin/python" -m unittest discover -s python/tests -p 'test_torch.py' -v
# the layer kinds' PyTorch modules against the reference cases
"$venv/bin/python" -m unittest discover -s python/tests -p 'test_layers.py' -v
