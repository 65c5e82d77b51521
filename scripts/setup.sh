#!/usr/bin/env bash
# Installs what hfexport needs to build and test on Debian 12 (as root, or with sudo):
# the Debian packages, and ONNX Runtime from npm (the test oracle and benchmark peer).
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

# The package list is scripts/debian-packages.txt (one or more names a line, # comments).
mapfile -t packages < <(sed 's/#.*//' scripts/debian-packages.txt | tr -s ' \t' '\n' | sed '/^$/d')
missing=()
for p in "${packages[@]}"; do
  # A node already on the machine (NodeSource's bundles npm and conflicts with Debian's) is kept.
  case "$p" in nodejs|npm) command -v node >/dev/null 2>&1 && continue ;; esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# ONNX Runtime (npm onnxruntime-node, CPU library bundled) into build/ort.
if [ ! -d build/ort/node_modules/onnxruntime-node ]; then
  bash scripts/install-ort.sh build/ort >/dev/null || echo "setup: onnxruntime-node not installed; ONNX Runtime checks will be skipped" >&2
fi
