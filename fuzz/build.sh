#!/usr/bin/env bash
# Configures and builds the libFuzzer targets with clang in BUILD_DIR
# (default build-fuzz/ at the top of the tree). Two jobs at most: CI has 2 cores.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dir="${1:-$here/../build-fuzz}"
cmake -S "$here" -B "$dir" -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_COMPILER=clang++ >/dev/null
cmake --build "$dir" -j"${HFX_FUZZ_JOBS:-2}"
