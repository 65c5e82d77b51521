#!/usr/bin/env bash
# Configures and builds hfexport in build/ (Release, default generator), with
# the TorchScript backend (setup.sh installs libtorch-dev).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DHFX_TORCHSCRIPT=ON "$@" >/dev/null
cmake --build build -j"$jobs"
