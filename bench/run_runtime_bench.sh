#!/usr/bin/env bash
# Runtime benchmark: hfexport's runtime vs ONNX Runtime on the same ONNX file and inputs.
# Prints one JSON line per case on stdout; progress and errors go to stderr.
#
#   bench/run_runtime_bench.sh [--repeat R] [--threads T] [--hfexport BIN]
#       makes a bert-base checkpoint (build/bench/hfx_make_checkpoint), exports it (feature default,
#       no validation) and runs the cases bert-base/b1-s128 and bert-base/b8-s128
#       (HFX_BENCH_TMP keeps the checkpoint, model and inputs in that folder and reuses them).
#   bench/run_runtime_bench.sh MODEL.onnx INPUTS.safetensors [--repeat R] [--threads T]
#                              [--hfexport BIN] [--case NAME]
#       one case.
#
# Both sides get one untimed warm-up run; outputs of both are compared (max |diff| and whether
# every element is within atol 1e-4 + rtol 1e-3 of ONNX Runtime's): a case whose outputs disagree
# has "outputs_agree": false and makes the exit status 1, however fast it is.
#
# Defaults: R=20, T=2, BIN=<repo>/build/host/hfexport, NAME=<the last two folder names of MODEL, e.g. bert/sequence-classification>.
# ONNX Runtime comes from share/ort/ort_run.js; set HFEXPORT_ORT_NODE_MODULES, or run
# scripts/install-ort.sh (its default <repo>/build/ort/node_modules is used when the variable is unset).
#
# Each side must print, somewhere on stdout, a JSON object line with a numeric "median_ms" (other
# lines and keys are ignored; the last such line wins). A side that fails or prints no such line gets
# null and its one-line reason in "errors"; the exit status is then 1.
set -uo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
usage="usage: bench/run_runtime_bench.sh [MODEL.onnx INPUTS.safetensors] [--repeat R] [--threads T] [--hfexport BIN] [--case NAME]"
log() { echo "run_runtime_bench: $*" >&2; }

model="" inputs="" repeat=20 threads=2 hfexport="$repo/build/host/hfexport" case_name=""
while [ $# -gt 0 ]; do
    case "$1" in
        --repeat) repeat="${2:?$usage}"; shift 2 ;;
        --threads) threads="${2:?$usage}"; shift 2 ;;
        --hfexport) hfexport="${2:?$usage}"; shift 2 ;;
        --case) case_name="${2:?$usage}"; shift 2 ;;
        -h | --help) echo "$usage"; exit 0 ;;
        -*) log "option '$1': unknown"; echo "$usage" >&2; exit 1 ;;
        *) if [ -z "$model" ]; then model="$1"; elif [ -z "$inputs" ]; then inputs="$1"; else
               log "argument '$1': unexpected"; exit 1; fi; shift ;;
    esac
done
[ -n "$inputs" ] || [ -z "$model" ] || { echo "$usage" >&2; exit 1; }
[[ "$repeat" =~ ^[1-9][0-9]*$ && "$threads" =~ ^[1-9][0-9]*$ ]] || { log "--repeat and --threads take positive integers"; exit 1; }
command -v node >/dev/null || { log "node not found (Node.js 20 is needed for the ONNX Runtime side)"; exit 1; }
if [ -z "${HFEXPORT_ORT_NODE_MODULES:-}" ] && [ -d "$repo/build/ort/node_modules" ]; then
    export HFEXPORT_ORT_NODE_MODULES="$repo/build/ort/node_modules"
fi

tmp="$(mktemp -d -t hfx-runtime-bench.XXXXXX)"; trap 'rm -rf "$tmp"' EXIT

# run_side NAME CMD...: runs CMD, stdout to $tmp/NAME.out, stderr to $tmp/NAME.err; prints the median
# or nothing, and leaves a one-line reason in $tmp/NAME.why on failure.
run_side() {
    local name="$1"; shift
    log "$name: $*"
    "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
    local rc=$?
    # JSON parsing in node: robust to extra keys, key order, spacing and unrelated stdout lines.
    node -e '
        const fs = require("fs");
        const [out, err, rc] = [fs.readFileSync(process.argv[1], "utf8"), fs.readFileSync(process.argv[2], "utf8"), +process.argv[3]];
        let median = null;
        for (const line of out.split("\n")) {
            const s = line.trim();
            if (!s.startsWith("{")) continue;
            try { const j = JSON.parse(s); if (typeof j.median_ms === "number" && isFinite(j.median_ms)) median = j.median_ms; } catch (e) {}
        }
        const last = (t) => t.split("\n").map((l) => l.trim()).filter(Boolean).pop() || "";
        if (rc !== 0) { console.error(`exit ${rc}: ${last(err) || last(out) || "no output"}`); process.exit(1); }
        if (median === null) { console.error("no JSON line with a numeric median_ms on stdout" + (last(err) ? ` (stderr: ${last(err)})` : "")); process.exit(1); }
        console.log(median);
    ' "$tmp/$name.out" "$tmp/$name.err" "$rc" 2>"$tmp/$name.why"
}

# bench_case NAME MODEL INPUTS: prints the JSON line of one case; returns 1 if a side failed or the
# outputs disagree.
bench_case() {
    local name="$1" model="$2" inputs="$3"
    rm -f "$tmp"/*.why "$tmp/ours_outputs.safetensors" "$tmp/ort_outputs.safetensors"
    local ours ort
    ours="$(run_side ours "$hfexport" run "$model" --inputs "$inputs" --outputs "$tmp/ours_outputs.safetensors" \
        --repeat "$repeat" --warmup 1 --threads "$threads" --json)"
    ort="$(run_side ort node "$repo/share/ort/ort_run.js" "$model" "$inputs" "$tmp/ort_outputs.safetensors" \
        --repeat "$repeat" --warmup 1 --threads "$threads" --json)"
    node -e '
    const fs = require("fs");
    const [case_name, model, threads, repeat, ours, ort, tmp] = process.argv.slice(1);
    const num = (s) => (s === "" ? null : Number(s));
    const why = (n) => { try { return fs.readFileSync(`${tmp}/${n}.why`, "utf8").trim(); } catch (e) { return ""; } };
    // safetensors: u64 header length, JSON header, data; returns {name: {dtype, shape, values}}.
    const read_st = (file) => {
        const buf = fs.readFileSync(file);
        const n = Number(buf.readBigUInt64LE(0));
        const header = JSON.parse(buf.subarray(8, 8 + n).toString("utf8"));
        const out = {};
        for (const [k, v] of Object.entries(header)) {
            if (k === "__metadata__") continue;
            const [b, e] = v.data_offsets;
            const raw = buf.subarray(8 + n + b, 8 + n + e);
            const copy = new Uint8Array(raw).buffer;
            const arr = v.dtype === "F32" ? new Float32Array(copy) : v.dtype === "F64" ? new Float64Array(copy)
                      : v.dtype === "I64" ? Array.from(new BigInt64Array(copy), Number)
                      : v.dtype === "I32" ? new Int32Array(copy) : null;
            out[k] = {dtype: v.dtype, shape: v.shape, values: arr};
        }
        return out;
    };
    const line = {bench: "runtime", case: case_name, model, threads: +threads, repeat: +repeat,
                  ours_median_ms: num(ours), ort_median_ms: num(ort), ratio_ours_vs_ort: null,
                  max_abs_diff: null, outputs_agree: null};
    if (line.ours_median_ms !== null && line.ort_median_ms > 0)
        line.ratio_ours_vs_ort = Math.round((line.ours_median_ms / line.ort_median_ms) * 1000) / 1000;
    const errors = {};
    if (line.ours_median_ms === null) errors.ours = why("ours");
    if (line.ort_median_ms === null) errors.ort = why("ort");
    if (!Object.keys(errors).length) {
        try {
            const a = read_st(`${tmp}/ours_outputs.safetensors`), b = read_st(`${tmp}/ort_outputs.safetensors`);
            let worst = 0, agree = true;
            for (const [k, r] of Object.entries(b)) {
                const o = a[k];
                if (!o || JSON.stringify(o.shape) !== JSON.stringify(r.shape) || !o.values || !r.values) {
                    agree = false; errors.compare = `output ${k}: missing or shape differs`; continue;
                }
                for (let i = 0; i < r.values.length; ++i) {
                    const d = Math.abs(o.values[i] - r.values[i]);
                    if (!(d <= 1e-4 + 1e-3 * Math.abs(r.values[i]))) agree = false;
                    if (!(d <= worst)) worst = d;  // NaN counts as the worst
                }
            }
            line.max_abs_diff = Number.isFinite(worst) ? Number(worst.toPrecision(3)) : null;
            line.outputs_agree = agree;
            if (!agree && !errors.compare) errors.compare = `outputs differ (max |diff| ${worst})`;
        } catch (e) { errors.compare = String(e.message || e); line.outputs_agree = false; }
    }
    if (Object.keys(errors).length) {
        line.errors = errors;
        for (const [k, v] of Object.entries(errors)) console.error(`run_runtime_bench: ${k} failed: ${v}`);
    }
    console.log(JSON.stringify(line));
    process.exit(line.errors ? 1 : 0);
    ' "$name" "$model" "$threads" "$repeat" "$ours" "$ort" "$tmp"
}

if [ -n "$model" ]; then
    [ -f "$model" ] || { log "model '$model': not found"; exit 1; }
    [ -f "$inputs" ] || { log "inputs '$inputs': not found"; exit 1; }
    [ -n "$case_name" ] || case_name="$(realpath "$model" | awk -F/ '{print $(NF-2) "/" $(NF-1)}')"
    bench_case "$case_name" "$model" "$inputs"
    exit $?
fi

# The bert-base suite.
[ -x "$hfexport" ] || { log "hfexport not found at $hfexport (build it: cmake --build build --target hfexport hfx_bert)"; exit 1; }
make_ckpt="${HFX_MAKE_CHECKPOINT:-$(dirname "$(dirname "$hfexport")")/bench/hfx_make_checkpoint}"
[ -x "$make_ckpt" ] || { log "hfx_make_checkpoint not found at $make_ckpt (build it: cmake --build build --target hfx_make_checkpoint)"; exit 1; }
work="${HFX_BENCH_TMP:-$tmp}"
mkdir -p "$work"
if [ ! -f "$work/bert-base/model.safetensors" ]; then
    log "making the bert-base checkpoint in $work/bert-base"
    "$make_ckpt" --arch bert --layers 12 --hidden 768 --heads 12 --intermediate 3072 --vocab 30522 \
        --out "$work/bert-base" >&2 || { log "hfx_make_checkpoint failed"; exit 1; }
fi
if [ ! -f "$work/bert-base-onnx/model.onnx" ]; then
    log "exporting to $work/bert-base-onnx"
    "$hfexport" export --model "$work/bert-base" --feature default --no-validate "$work/bert-base-onnx" >&2 ||
        { log "export failed"; exit 1; }
fi
status=0
for shape in 1 8; do
    in="$work/inputs-b$shape-s128.safetensors"
    if [ ! -f "$in" ]; then
        "$hfexport" run "$work/bert-base-onnx/model.onnx" --random "batch=$shape,sequence=128" --save-inputs "$in" \
            --threads "$threads" >/dev/null || { log "making inputs $in failed"; exit 1; }
    fi
    bench_case "bert-base/b$shape-s128" "$work/bert-base-onnx/model.onnx" "$in" || status=1
done
exit "$status"
