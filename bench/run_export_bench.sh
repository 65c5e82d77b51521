#!/usr/bin/env bash
# Export benchmark: hfexport export of a bert-base checkpoint vs the byte-copy limit (cp of the
# weights), to ONNX and, when the TorchScript backend is built, to TorchScript. Prints one JSON line per measurement on stdout; progress and errors go to stderr.
# A failed measurement prints an "error" line and the script goes on; the exit status is 1 if any failed.
#
#   bench/run_export_bench.sh [HFEXPORT]        (default: <repo>/build/host/hfexport)
#
# Environment:
#   HFX_MAKE_CHECKPOINT  hfx_make_checkpoint binary (default: bench/ of HFEXPORT's build folder, i.e.
#                        <repo>/build/bench/ for <repo>/build/host/hfexport; built with cmake if missing)
#   HFX_BENCH_REPEAT     runs per measurement, the median wall time is reported (default 3)
#   HFX_BENCH_TMP        folder for the checkpoint and outputs (default: a fresh mktemp -d, removed at exit)
#
# See bench/README.md for what is measured and how to read it.
set -uo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
hfexport="${1:-$repo/build/host/hfexport}"
repeat="${HFX_BENCH_REPEAT:-3}"
case_name="bert-base"

log() { echo "run_export_bench: $*" >&2; }

if [ ! -x /usr/bin/time ]; then
    log "installing GNU time (apt-get install time)"
    sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get install -y -qq time >&2 || { log "GNU time missing and could not be installed"; exit 1; }
fi

make_ckpt="${HFX_MAKE_CHECKPOINT:-}"
if [ -z "$make_ckpt" ]; then
    for c in "$(dirname "$(dirname "$hfexport")")/bench/hfx_make_checkpoint" "$repo/build/bench/hfx_make_checkpoint"; do
        [ -x "$c" ] && { make_ckpt="$c"; break; }
    done
fi
if [ -z "$make_ckpt" ]; then
    log "building hfx_make_checkpoint in $repo/build"
    { cmake -S "$repo" -B "$repo/build" -DHFX_BUILD_BENCH=ON >&2 && cmake --build "$repo/build" --target hfx_make_checkpoint -j2 >&2; } ||
        { log "could not build hfx_make_checkpoint"; exit 1; }
    make_ckpt="$repo/build/bench/hfx_make_checkpoint"
fi

if [ -n "${HFX_BENCH_TMP:-}" ]; then
    tmp="$HFX_BENCH_TMP"; mkdir -p "$tmp"
else
    tmp="$(mktemp -d -t hfx-export-bench.XXXXXX)"; trap 'rm -rf "$tmp"' EXIT
fi
ckpt="$tmp/$case_name"

log "making the $case_name checkpoint in $ckpt"
"$make_ckpt" --arch bert --layers 12 --hidden 768 --heads 12 --intermediate 3072 --vocab 30522 --out "$ckpt" >&2 ||
    { log "hfx_make_checkpoint failed"; exit 1; }
cat "$ckpt/model.safetensors" >/dev/null # every run below starts from a warm page cache

# measure NAME CMD...: runs CMD $repeat times under /usr/bin/time; sets wall (median, s), rss (max, MB),
# and err (empty on success, else one line). $prepare is evaluated before each run.
measure() {
    local name="$1"; shift
    local walls=() rss_kb=0 i
    err=""
    for ((i = 0; i < repeat; ++i)); do
        eval "${prepare:-:}"
        local t0 t1 rc
        t0=$(date +%s%N)
        /usr/bin/time -f '%e %M' -o "$tmp/time.txt" "$@" >"$tmp/$name.log" 2>&1
        rc=$?
        t1=$(date +%s%N)
        if [ "$rc" -ne 0 ]; then
            err="exit $rc: $(grep -v '^[[:space:]]*$' "$tmp/$name.log" | tail -n1)"
            return 1
        fi
        # %e has 10 ms resolution, too coarse next to a ~0.2 s cp: wall time comes from the ns clock
        # around the same run (it includes the ~1 ms fork/exec of time itself); %M is the peak RSS.
        read -r _ k <<<"$(tail -n1 "$tmp/time.txt")"
        walls+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", (b - a) / 1e9}')")
        ((k > rss_kb)) && rss_kb=$k
        [ -n "${check:-}" ] && ! eval "$check" && return 1
    done
    wall="$(printf '%s\n' "${walls[@]}" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}')"
    rss="$(awk -v k="$rss_kb" 'BEGIN {printf "%.1f", k/1024}')"
}

failed=0
json_escape() { printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g' | tr -d '\n\r\t'; }

report() { # WHAT: prints the JSON line for the last measure (or its error)
    local what="$1" ratio
    if [ -n "$err" ]; then
        failed=1
        log "$what failed: $err"
        printf '{"bench":"export","case":"%s","what":"%s","error":"%s"}\n' "$case_name" "$what" "$(json_escape "$err")"
        return
    fi
    ratio="$(awk -v w="$wall" -v c="${cp_wall:-0}" 'BEGIN {if (c > 0) printf "%.2f", w/c; else print "null"}')"
    printf '{"bench":"export","case":"%s","what":"%s","wall_s":%s,"peak_rss_mb":%s,"ratio_vs_cp":%s}\n' \
        "$case_name" "$what" "$wall" "$rss" "$ratio"
}

# An export "succeeds" only if it exits 0 and leaves an .onnx (or .pt) file behind.
has_onnx() {
    if [ -f "$tmp/out" ] || compgen -G "$tmp/out/*.onnx" >/dev/null; then return 0; fi
    err="exit 0 but no .onnx file in $tmp/out"
    return 1
}
has_pt() {
    if compgen -G "$tmp/out/*.pt" >/dev/null; then return 0; fi
    err="exit 0 but no .pt file in $tmp/out"
    return 1
}

prepare='rm -f "$tmp/copy.safetensors"' check="" measure cp cp --reflink=never "$ckpt/model.safetensors" "$tmp/copy.safetensors"
cp_wall=""
[ -z "$err" ] && awk -v w="$wall" 'BEGIN {exit !(w > 0)}' && cp_wall="$wall"
report cp
rm -f "$tmp/copy.safetensors"

if [ ! -x "$hfexport" ]; then
    err="hfexport binary not found at $hfexport"
    report export
    report export+validate
    exit 1
fi

prepare='rm -rf "$tmp/out"' check='has_onnx' \
    measure export "$hfexport" export --model "$ckpt" --feature sequence-classification --no-validate "$tmp/out"
report export

prepare='rm -rf "$tmp/out"' check='has_onnx' \
    measure export_validate "$hfexport" export --model "$ckpt" --feature sequence-classification "$tmp/out"
report export+validate

# TorchScript: the same checkpoint and feature (an error line says why when the backend is not built).
prepare='rm -rf "$tmp/out"' check='has_pt' \
    measure export_torchscript "$hfexport" export --model "$ckpt" --feature sequence-classification \
    --format torchscript --no-validate "$tmp/out"
report export-torchscript
prepare='rm -rf "$tmp/out"' check='has_pt' \
    measure export_torchscript_validate "$hfexport" export --model "$ckpt" --feature sequence-classification \
    --format torchscript "$tmp/out"
report export-torchscript+validate
exit "$failed"
