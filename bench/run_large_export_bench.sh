#!/usr/bin/env bash
# Large-model export benchmark: a TinyLlama-1.1B-shaped float16 checkpoint (random weights,
# 2.2 GB, written by hfx_make_checkpoint) exported with --no-validate (it switches to external
# data by itself), against the byte-copy limit (cp of the weights). Prints JSON lines on stdout:
# the cp, the export (seconds, peak RSS, bytes written vs the checkpoint's) and whether ONNX
# Runtime loads the file and greedy-decodes a few tokens (bench/ort_generate.js). Progress goes to
# stderr. Then hfexport's runtime decodes the same tokens. The checkpoint and the export are
# deleted at exit (several GB of disk).
#
#   bench/run_large_export_bench.sh [HFEXPORT]        (default: <repo>/build/host/hfexport)
#
# Environment:
#   HFX_MAKE_CHECKPOINT        hfx_make_checkpoint (default: <repo>/build/bench/hfx_make_checkpoint)
#   HFX_BENCH_TMP              folder for the checkpoint and outputs (default: a fresh mktemp -d)
#   HFX_BENCH_DTYPE            f16 (default) or bf16
#   HFX_BENCH_SHAPE            tinyllama (default, 1.1B) or llama2-7b (6.7B, 13.5 GB in f16)
#   HFEXPORT_ORT_NODE_MODULES  folder holding onnxruntime-node (default: <repo>/build/ort/node_modules)
set -uo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
hfexport="${1:-$repo/build/host/hfexport}"
make_ckpt="${HFX_MAKE_CHECKPOINT:-$repo/build/bench/hfx_make_checkpoint}"
dtype="${HFX_BENCH_DTYPE:-f16}"
shape="${HFX_BENCH_SHAPE:-tinyllama}"
export HFEXPORT_ORT_NODE_MODULES="${HFEXPORT_ORT_NODE_MODULES:-$repo/build/ort/node_modules}"

log() { echo "run_large_export_bench: $*" >&2; }
for exe in "$hfexport" "$make_ckpt" /usr/bin/time; do
    [ -x "$exe" ] || { log "missing $exe (build the project; apt-get install time)"; exit 1; }
done

case "$shape" in
    tinyllama) dims=(--layers 22 --hidden 2048 --heads 32 --kv-heads 4 --intermediate 5632 --vocab 32000) ;;
    llama2-7b) dims=(--layers 32 --hidden 4096 --heads 32 --kv-heads 32 --intermediate 11008 --vocab 32000) ;;
    *) log "HFX_BENCH_SHAPE: expected tinyllama or llama2-7b, got '$shape'"; exit 1 ;;
esac
case_name="$shape-$dtype"

if [ -n "${HFX_BENCH_TMP:-}" ]; then
    tmp="$HFX_BENCH_TMP/large-export.$$"
else
    tmp="$(mktemp -d -t hfx-large-export.XXXXXX)"
fi
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
ckpt="$tmp/ckpt"

log "making the $case_name checkpoint in $ckpt"
"$make_ckpt" --arch llama "${dims[@]}" --dtype "$dtype" --out "$ckpt" >&2 || { log "hfx_make_checkpoint failed"; exit 1; }
ckpt_bytes=$(stat -c %s "$ckpt/model.safetensors")
cat "$ckpt/model.safetensors" >/dev/null # warm page cache for both the cp and the export

json_escape() { printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g' | tr -d '\n\r\t'; }
# timed NAME CMD...: runs CMD under GNU time; sets secs, rss_mb, rc.
timed() {
    local name="$1"; shift
    local t0 t1
    t0=$(date +%s%N)
    /usr/bin/time -v -o "$tmp/$name.time" "$@" >"$tmp/$name.log" 2>&1
    rc=$?
    t1=$(date +%s%N)
    secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", (b - a) / 1e9}')
    rss_mb=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$tmp/$name.time")
}

timed cp cp --reflink=never "$ckpt/model.safetensors" "$tmp/copy.safetensors"
cp_secs=$secs
rm -f "$tmp/copy.safetensors"
printf '{"bench":"large_export","case":"%s","what":"cp","seconds":%s,"peak_rss_mb":%s,"bytes":%s}\n' \
    "$case_name" "$cp_secs" "$rss_mb" "$ckpt_bytes"

timed export "$hfexport" export --model "$ckpt" --feature causal-lm-with-past --no-validate "$tmp/out"
if [ "$rc" -ne 0 ]; then
    printf '{"bench":"large_export","case":"%s","what":"export","error":"%s"}\n' "$case_name" \
        "$(json_escape "$(tail -n1 "$tmp/export.log")")"
    exit 1
fi
written=$(cat "$tmp"/out/model.onnx* | wc -c)
main_bytes=$(stat -c %s "$tmp/out/model.onnx")
printf '{"bench":"large_export","case":"%s","what":"export","seconds":%s,"ratio_vs_cp":%s,"peak_rss_mb":%s,"bytes_written":%s,"model_onnx_bytes":%s,"checkpoint_bytes":%s,"written_vs_checkpoint":%s,"external_data":%s}\n' \
    "$case_name" "$secs" "$(awk -v a="$secs" -v b="$cp_secs" 'BEGIN {printf "%.2f", a / b}')" "$rss_mb" "$written" \
    "$main_bytes" "$ckpt_bytes" "$(awk -v a="$written" -v b="$ckpt_bytes" 'BEGIN {printf "%.3f", a / b}')" \
    "$([ -f "$tmp/out/model.onnx_data" ] && echo true || echo false)"
rm -rf "$ckpt" # the export maps nothing from it any more; frees the disk for ONNX Runtime's run

if [ ! -d "$HFEXPORT_ORT_NODE_MODULES/onnxruntime-node" ] || ! command -v node >/dev/null; then
    printf '{"bench":"large_export","case":"%s","what":"onnxruntime_generate","error":"onnxruntime-node not found"}\n' "$case_name"
    exit 1
fi
timed ort node "$repo/bench/ort_generate.js" "$tmp/out/model.onnx" --input-ids 1,450,4996,17354 --max-new-tokens 4 --threads 2
if [ "$rc" -ne 0 ]; then
    printf '{"bench":"large_export","case":"%s","what":"onnxruntime_generate","loads":false,"error":"%s"}\n' "$case_name" \
        "$(json_escape "$(grep -v '^[[:space:]]*$' "$tmp/ort.log" | tail -n1)")"
    exit 1
fi
tokens_of() { grep -o '"tokens":\[\(\[[^]]*\]\|[^][]\)*\]' "$1" | head -n1; }
ort_tokens=$(tokens_of "$tmp/ort.log")
printf '{"bench":"large_export","case":"%s","what":"onnxruntime_generate","loads":true,"seconds":%s,"peak_rss_mb":%s,%s}\n' \
    "$case_name" "$secs" "$rss_mb" "${ort_tokens:-\"tokens\":null}"

# The same greedy steps in hfexport's runtime: the tokens must be ONNX Runtime's.
timed ours "$hfexport" -q generate "$tmp/out/model.onnx" --input-ids 1,450,4996,17354 --max-new-tokens 4 \
    --eos-token-id -1 --threads 2 --json
if [ "$rc" -ne 0 ]; then
    printf '{"bench":"large_export","case":"%s","what":"hfexport_generate","error":"%s"}\n' "$case_name" \
        "$(json_escape "$(grep -v '^[[:space:]]*$' "$tmp/ours.log" | tail -n1)")"
    exit 1
fi
our_tokens=$(tokens_of "$tmp/ours.log")
printf '{"bench":"large_export","case":"%s","what":"hfexport_generate","seconds":%s,"peak_rss_mb":%s,%s,"same_tokens_as_onnxruntime":%s}\n' \
    "$case_name" "$secs" "$rss_mb" "${our_tokens:-\"tokens\":null}" \
    "$([ -n "$our_tokens" ] && [ "$our_tokens" = "$ort_tokens" ] && echo true || echo false)"
