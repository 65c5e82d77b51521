#!/usr/bin/env bash
# The main job: set up, build, and export the embedded default checkpoint
# (a tiny BERT for sequence classification) to onnx/, printing the validation log.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
build/host/hfexport export --model share/default-checkpoint --feature sequence-classification onnx/
