#!/usr/bin/env bash
# The test command: installs what is missing, builds in release mode, runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# one OpenBLAS thread per process, as genlab itself runs (the tests run in parallel)
export OPENBLAS_NUM_THREADS=1
swift build -c release
swift test -c release "$@"
