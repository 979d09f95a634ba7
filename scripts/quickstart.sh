#!/usr/bin/env bash
# The quick start: installs what is missing, builds GenLab in release mode, trains
# experiments/quickstart.yaml (ARENA's conv VAE, one epoch of Fashion-MNIST) and shows the
# run file it wrote.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release
.build/release/genlab run experiments/quickstart.yaml --overwrite
.build/release/genlab inspect results/quickstart/*/run.h5
