#!/usr/bin/env bash
# The include graph of the runtime's layers: core/ and onnx/ include only core/, onnx/
# and the SDK's hfx/ headers; runtime/ adds runtime/. Nothing of export/, validate/,
# checkpoint/, graph/, plugins/, torchscript/ or cli/ (they sit on top of the runtime).
#   check_runtime_includes.sh REPO
set -uo pipefail
repo="$1" bad=0
check() {  # check DIR ALLOWED_PREFIXES_REGEX
  local dir="$1" allowed="$2"
  [ -d "$repo/host/$dir" ] || return 0
  while IFS= read -r line; do
    file="${line%%:*}" rest="${line#*:}"; rest="${rest#*:}"
    inc=$(sed -E 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"([^"]+)".*/\1/' <<<"$rest")
    if ! [[ "$inc" =~ $allowed ]]; then
      echo "FAIL: ${file#"$repo"/} includes \"$inc\""
      bad=1
    fi
  done < <(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$repo/host/$dir" --include='*.cpp' --include='*.h' --include='*.inc')
}
check core '^(core/|hfx/)'
check onnx '^(core/|onnx/|hfx/)'
check runtime '^(core/|onnx/|runtime/|hfx/|gemm_isa\.inc$)'
[ "$bad" -eq 0 ] && echo "host/core, host/onnx and host/runtime include only their own layers"
exit $bad
