#!/usr/bin/env bash
# Makes one variant fixture with the Hugging Face oracle (/work/shared/oracle, or
# $HFX_ORACLE) and stores it as tests/fixtures-variants/<arch>/<variant>/:
#   index.json, variant.json (the generator's arguments, to remake it), <case>/...
# usage: make_variant.sh ARCH VARIANT [make_fixtures.py args: --config K=JSON --shape F=JSON --seed N --only-task T]
# With HFX_ORACLE_TRANSFORMERS=4.44.0 the newer transformers computes it (recorded in variant.json).
set -euo pipefail
arch=$1 variant=$2
shift 2
oracle=${HFX_ORACLE:-/work/shared/oracle}
here=$(cd "$(dirname "$0")" && pwd)
tasks=()
args=()
while [ $# -gt 0 ]; do  # --only-task T keeps one case of the architecture (small fixtures)
    if [ "$1" = --only-task ]; then tasks+=("$2"); shift 2; else args+=("$1"); shift; fi
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$oracle/run" "$oracle/make_fixtures.py" --set shared --only "$arch" --out "$tmp/out" "${args[@]}"
dest="$here/$arch/$variant"
rm -rf "$dest"
mkdir -p "$dest"
python3 - "$tmp/out" "$dest" "$arch" "${tasks[*]:-}" "${HFX_ORACLE_TRANSFORMERS:-4.40.2}" "${args[@]}" <<'PY'
import json, shutil, sys, os
out, dest, arch, tasks, version, *args = sys.argv[1:]
tasks = tasks.split()
index = json.load(open(os.path.join(out, "index.json")))
index["cases"] = [c for c in index["cases"] if c["arch"] == arch and (not tasks or c["case"] in tasks)]
if not index["cases"]:
    sys.exit(f"make_variant: the oracle made no case of {arch} {tasks}")
for c in index["cases"]:
    shutil.copytree(os.path.join(out, c["path"]), os.path.join(dest, c["case"]),
                    ignore=shutil.ignore_patterns("pytorch_model.bin"))
    c["path"] = c["case"]
json.dump(index, open(os.path.join(dest, "index.json"), "w"), indent=1)
json.dump({"arch": arch, "transformers": version, "generator_args": args, "tasks": tasks},
          open(os.path.join(dest, "variant.json"), "w"), indent=1)
PY
echo "wrote $dest"
