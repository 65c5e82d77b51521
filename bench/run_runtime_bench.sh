#!/usr/bin/env bash
# Runtime benchmark: hfexport's runtime vs ONNX Runtime on one ONNX file and one inputs file.
# Prints one JSON line on stdout; progress and errors go to stderr.
#
#   bench/run_runtime_bench.sh MODEL.onnx INPUTS.safetensors [--repeat R] [--threads T]
#                              [--hfexport BIN] [--case NAME]
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
usage="usage: bench/run_runtime_bench.sh MODEL.onnx INPUTS.safetensors [--repeat R] [--threads T] [--hfexport BIN] [--case NAME]"
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
[ -n "$model" ] && [ -n "$inputs" ] || { echo "$usage" >&2; exit 1; }
[ -f "$model" ] || { log "model '$model': not found"; exit 1; }
[ -f "$inputs" ] || { log "inputs '$inputs': not found"; exit 1; }
[[ "$repeat" =~ ^[1-9][0-9]*$ && "$threads" =~ ^[1-9][0-9]*$ ]] || { log "--repeat and --threads take positive integers"; exit 1; }
[ -n "$case_name" ] || case_name="$(realpath "$model" | awk -F/ '{print $(NF-2) "/" $(NF-1)}')"
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

ours="$(run_side ours "$hfexport" run "$model" --inputs "$inputs" --repeat "$repeat" --threads "$threads" --json)"
ort="$(run_side ort node "$repo/share/ort/ort_run.js" "$model" "$inputs" "$tmp/ort_outputs.safetensors" \
    --repeat "$repeat" --threads "$threads" --json)"

node -e '
    const fs = require("fs");
    const [case_name, model, threads, repeat, ours, ort, tmp] = process.argv.slice(1);
    const num = (s) => (s === "" ? null : Number(s));
    const why = (n) => { try { return fs.readFileSync(`${tmp}/${n}.why`, "utf8").trim(); } catch (e) { return ""; } };
    const line = {bench: "runtime", case: case_name, model, threads: +threads, repeat: +repeat,
                  ours_median_ms: num(ours), ort_median_ms: num(ort), ratio_ours_vs_ort: null};
    if (line.ours_median_ms !== null && line.ort_median_ms > 0)
        line.ratio_ours_vs_ort = Math.round((line.ours_median_ms / line.ort_median_ms) * 1000) / 1000;
    const errors = {};
    if (line.ours_median_ms === null) errors.ours = why("ours");
    if (line.ort_median_ms === null) errors.ort = why("ort");
    if (Object.keys(errors).length) {
        line.errors = errors;
        for (const [k, v] of Object.entries(errors)) console.error(`run_runtime_bench: ${k} failed: ${v}`);
    }
    console.log(JSON.stringify(line));
    process.exit(line.errors ? 1 : 0);
' "$case_name" "$model" "$threads" "$repeat" "$ours" "$ort" "$tmp"
