#!/usr/bin/env bash
# The quick start: installs what is missing, builds GenLab in release mode, shows the
# native libraries it runs on, and measures training-step throughput of the reference models.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release
.build/release/genlab version
.build/release/genlab bench --seconds 3
