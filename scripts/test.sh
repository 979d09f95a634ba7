#!/usr/bin/env bash
# The test command: installs what is missing, builds in release mode, runs every test.
# `scripts/test.sh --fast` runs the fast tier after a change (about a minute on 2 cores): the
# library suites (units, PyTorch goldens, the malformed and hostile corpora) and the runner
# suites that train nothing; no Slurm, no browser, no Python. Other arguments go to
# `swift test`.
set -euo pipefail
cd "$(dirname "$0")/.."
fast=
if [ "${1:-}" = "--fast" ]; then
  shift
  fast='^(GenLabTensorTests|GenLabNNTests|GenLabSpecTests|GenLabDataTests|GenLabModelsTests|GenLabStoreTests)\.|^GenLabRunnerTests\.(AnalysisCatalogTests|SlurmScriptTests|HostileManifestTests|ComparisonValueTests|PointStatusTests|HostileClassifierCacheTests|SweepManifestTests|DocsTests)/'
fi
scripts/setup.sh --tests
# one OpenBLAS thread per process, as genlab itself runs (the tests run in parallel)
export OPENBLAS_NUM_THREADS=1
# one build, the tests' (a plain `swift build` between two test runs builds everything again)
swift build -c release --build-tests
# the test processes run on the OpenBLAS kernels genlab chooses (it picks the widest family
# the CPU supports when OpenBLAS's own choice is a fallback; a set OPENBLAS_CORETYPE wins)
if [ -z "${OPENBLAS_CORETYPE:-}" ]; then
  OPENBLAS_CORETYPE=$(.build/release/genlab version --coretype)
  export OPENBLAS_CORETYPE
fi
echo "test.sh: OpenBLAS kernels $OPENBLAS_CORETYPE"
if [ -n "$fast" ]; then
  exec swift test -c release --skip-build --filter "$fast" "$@"
fi
swift test -c release --skip-build "$@"
# the Python package (python/genlab) on run files the release binary trains; its PyTorch
# tests are skipped here (scripts/test-python-torch.sh runs them with PyTorch installed)
if [ $# -eq 0 ]; then
  GENLAB="$PWD/.build/release/genlab" python3 -m unittest discover -s python/tests -v
fi
