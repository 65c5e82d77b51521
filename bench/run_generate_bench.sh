#!/usr/bin/env bash
# Decoder benchmark: greedy generation of 32 tokens after a 128-token prompt on a
# gpt2-sized model (124M parameters, random weights), hfexport's runtime vs ONNX
# Runtime on the same exported file, same threads. Prints one JSON line per
# runtime and a summary line with tokens/s, the ratio ours/ORT and whether both
# produced the same tokens.
#
#   bench/run_generate_bench.sh [HFEXPORT]   (default: <repo>/build/host/hfexport)
# Environment: HFX_BENCH_THREADS (2), HFX_BENCH_PROMPT (128), HFX_BENCH_NEW (32),
#              HFEXPORT_ORT_NODE_MODULES (default: <repo>/build/ort/node_modules)
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
hfexport="${1:-$repo/build/host/hfexport}"
threads="${HFX_BENCH_THREADS:-2}" prompt="${HFX_BENCH_PROMPT:-128}" new="${HFX_BENCH_NEW:-32}"
export HFEXPORT_ORT_NODE_MODULES="${HFEXPORT_ORT_NODE_MODULES:-$repo/build/ort/node_modules}"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT

"$repo/build/bench/hfx_make_checkpoint" --arch gpt2 --out "$tmp/gpt2" >&2
"$hfexport" -q export --model "$tmp/gpt2" --feature causal-lm-with-past --no-validate "$tmp/onnx" >&2
ids="$(seq -s, 100 $((99 + prompt)))"

ours="$("$hfexport" -q generate "$tmp/onnx/model.onnx" --input-ids "$ids" --max-new-tokens "$new" --eos-token-id -1 --threads "$threads" --json)"
theirs="$(node "$repo/bench/ort_generate.js" "$tmp/onnx/model.onnx" --input-ids "$ids" --max-new-tokens "$new" --threads "$threads")"
echo "$ours"
echo "$theirs"
python3 - "$ours" "$theirs" "$prompt" "$new" "$threads" <<'PY'
import json, sys
a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(json.dumps({"bench": "generate", "case": "gpt2-124M", "prompt": int(sys.argv[3]), "new_tokens": int(sys.argv[4]),
                  "threads": int(sys.argv[5]), "hfexport_tokens_per_s": round(a["tokens_per_second"], 2),
                  "ort_tokens_per_s": round(b["tokens_per_second"], 2),
                  "ratio_ours_over_ort_time": round(b["tokens_per_second"] / a["tokens_per_second"], 3),
                  "same_tokens": a["tokens"] == b["tokens"]}))
PY
