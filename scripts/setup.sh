#!/usr/bin/env bash
# Installs what hfexport needs to build and test on Debian 12 (as root, or with sudo):
# the Debian packages, and ONNX Runtime from npm (the test oracle and benchmark peer).
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

packages=(cmake g++ make pkg-config
          libprotobuf-dev protobuf-compiler libonnx-dev libonnx-testdata
          libeigen3-dev libboost-dev libtomlplusplus-dev libspdlog-dev
          nlohmann-json3-dev libcli11-dev libgtest-dev libpng-dev libjpeg-dev time
          libdnnl-dev  # large float GEMMs in the runtime (optional: HFX_WITH_DNNL)
          libtorch-dev python3-torch)  # TorchScript export, and PyTorch to check its files
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
command -v node >/dev/null 2>&1 || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# ONNX Runtime (npm onnxruntime-node, CPU library bundled) into build/ort.
if [ ! -d build/ort/node_modules/onnxruntime-node ]; then
  bash scripts/install-ort.sh build/ort >/dev/null || echo "setup: onnxruntime-node not installed; ONNX Runtime checks will be skipped" >&2
fi
