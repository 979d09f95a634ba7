#!/usr/bin/env bash
# The test command: installs what is missing, builds in release mode, runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release
swift test -c release "$@"
