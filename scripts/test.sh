#!/usr/bin/env bash
# The test command: installs what is missing, builds in release mode, runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --tests
# one OpenBLAS thread per process, as genlab itself runs (the tests run in parallel)
export OPENBLAS_NUM_THREADS=1
swift build -c release
# the test processes run on the OpenBLAS kernels genlab chooses (it picks the widest family
# the CPU supports when OpenBLAS's own choice is a fallback; a set OPENBLAS_CORETYPE wins)
if [ -z "${OPENBLAS_CORETYPE:-}" ]; then
  OPENBLAS_CORETYPE=$(.build/release/genlab version --coretype)
  export OPENBLAS_CORETYPE
fi
echo "test.sh: OpenBLAS kernels $OPENBLAS_CORETYPE"
swift test -c release "$@"
# the Python package (python/genlab) on run files the release binary trains; its PyTorch
# tests are skipped here (scripts/test-python-torch.sh runs them with PyTorch installed)
if [ $# -eq 0 ]; then
  GENLAB="$PWD/.build/release/genlab" python3 -m unittest discover -s python/tests -v
fi
