#!/usr/bin/env bash
# Installs the ONNX Runtime oracle's one dependency (onnxruntime-node, CPU library bundled) from
# the npm registry, without running install scripts, and prints the node_modules path to use as
# HFEXPORT_ORT_NODE_MODULES for share/ort/ort_run.js.
#
#   scripts/install-ort.sh [PREFIX]      (default PREFIX: <repo>/build/ort)
set -euo pipefail

ORT_VERSION=1.30.0
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prefix="${1:-$repo/build/ort}"

command -v npm >/dev/null || { echo "install-ort: npm not found (install Node.js 20)" >&2; exit 1; }
mkdir -p "$prefix"
prefix="$(cd "$prefix" && pwd)"
# A package.json in the prefix keeps npm from installing into some parent project.
[ -f "$prefix/package.json" ] || cp "$repo/share/ort/package.json" "$prefix/package.json"

(cd "$prefix" && npm install --ignore-scripts --no-audit --no-fund --save-exact --loglevel=error \
    "onnxruntime-node@$ORT_VERSION" >&2) || { echo "install-ort: npm install onnxruntime-node@$ORT_VERSION failed (in $prefix)" >&2; exit 1; }

binding="$(ls "$prefix"/node_modules/onnxruntime-node/bin/napi-v*/linux/*/onnxruntime_binding.node 2>/dev/null | head -n1 || true)"
[ -n "$binding" ] || { echo "install-ort: onnxruntime-node installed but its native binding is missing (in $prefix)" >&2; exit 1; }
echo "$prefix/node_modules"
