#!/usr/bin/env bash
# run.sh BUILD_DIR TARGET SECONDS [libFuzzer options...]
# Fuzzes TARGET (safetensors, torch_bin, config, index, onnx) for SECONDS on
# one core, from its seeds: the committed fuzz/seeds/TARGET plus, gathered
# here, the repo's fixtures (small safetensors and config.json files) and the
# ONNX node tests of Debian's libonnx-testdata. The corpus it grows is kept in
# BUILD_DIR/corpus/TARGET for the next run. A crash, leak, timeout or uncaught
# exception fails (exit != 0); the input is saved as
# BUILD_DIR/artifacts/TARGET/crash-* and its path printed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/.."
dir="$1" target="$2" secs="$3"
shift 3
exe="$dir/${target}_fuzz"
[ -x "$exe" ] || { echo "fuzz: $exe is not built (bash fuzz/build.sh $dir)" >&2; exit 2; }
seeds="$dir/seeds/$target" corpus="$dir/corpus/$target" artifacts="$dir/artifacts/$target"
mkdir -p "$seeds" "$corpus" "$artifacts"

# Seeds are copied under a name made from their path, so one per source file.
add_seeds() { while read -r f; do cp -f "$f" "$seeds/$(echo "${f#$root/}" | tr '/' '_')"; done; }
[ -d "$here/seeds/$target" ] && find "$here/seeds/$target" -type f | add_seeds
max_len=4096
case "$target" in
  safetensors) find "$root/tests/fixtures" -name '*.safetensors' -size -8k | sort | head -40 | add_seeds ;;
  config) find "$root/tests/fixtures" "$root/tests/fixtures-variants" -name config.json | sort | add_seeds ;;
  onnx)
    if [ -d /usr/share/libonnx-testdata/data/node ]; then
      find /usr/share/libonnx-testdata/data/node -name model.onnx -size -2k | sort | add_seeds
    fi
    max_len=8192 ;;
esac

set +e
"$exe" -max_total_time="$secs" -timeout=25 -rss_limit_mb=2048 -max_len="$max_len" \
  -artifact_prefix="$artifacts/" -print_final_stats=1 "$@" "$corpus" "$seeds" 2>"$dir/$target.log"
rc=$?
set -e
grep -E '^(#[0-9]+ +DONE|stat::)' "$dir/$target.log" | tr '\n' ' ' || true
echo
if [ "$rc" != 0 ]; then
  tail -n 60 "$dir/$target.log"
  echo "fuzz $target: failed (exit $rc); input saved: $(ls -t "$artifacts" | head -1 | sed "s|^|$artifacts/|")" >&2
  exit 1
fi
echo "fuzz $target: no crash in ${secs}s"
