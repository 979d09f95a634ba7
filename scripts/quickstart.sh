#!/usr/bin/env bash
# The quick start: installs what is missing, builds GenLab in release mode, trains
# experiments/quickstart.yaml (ARENA's conv VAE, one epoch of Fashion-MNIST), analyses it
# (pictures in results/quickstart/<run id>/analysis/) and shows the run file it wrote.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release
.build/release/genlab run experiments/quickstart.yaml --overwrite
# the run id of this configuration, as `genlab plan` prints it (the run wrote the analyses
# its file declares into analysis/ beside it)
run="results/quickstart/$(.build/release/genlab plan experiments/quickstart.yaml | awk 'NR == 3 { print $1 }')/run.h5"
.build/release/genlab inspect "$run"
