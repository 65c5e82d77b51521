#!/usr/bin/env bash
# Set up, build, and run the whole test suite (ctest; labels select groups:
# scripts/test.sh -L plugins).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
export HFEXPORT_ORT_NODE_MODULES="$PWD/build/ort/node_modules"
ctest --test-dir build --output-on-failure -j"$(nproc 2>/dev/null || echo 2)" "$@"
