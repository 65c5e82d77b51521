#!/usr/bin/env bash
# Checks that C/C++ sources follow .clang-format. With no argument: every tracked source; with
# `--changed REV`: only the sources changed since REV (e.g. before a commit: --changed HEAD).
# Paths given as arguments are checked instead. `--fix` rewrites the files instead of reporting
# them. Exit 1 names each file that differs.
set -euo pipefail
fix=0 changed="" given=()
while [ $# -gt 0 ]; do
  case "$1" in
    --fix) fix=1 ;;
    --changed) changed="$2"; shift ;;
    -*) echo "check_format.sh: unknown option '$1'" >&2; exit 2 ;;
    *) given+=("$(realpath "$1")") ;;
  esac
  shift
done
cd "$(dirname "$0")/.."
clang_format=$(command -v clang-format || true)
[ -n "$clang_format" ] || { echo "check_format.sh: clang-format not found (scripts/setup.sh installs it)" >&2; exit 2; }
# The frozen ABI 1.0 header is a copy of what was released: it stays byte for byte as it was.
pattern='\.(c|cc|cpp|h|hpp)$'
if [ ${#given[@]} -gt 0 ]; then
  files="${given[*]}"
elif [ -n "$changed" ]; then
  files=$(git diff --name-only --diff-filter=ACMR "$changed" -- | grep -E "$pattern" || true)
else
  files=$( (git ls-files 2>/dev/null || find host sdk plugins tests bench examples features -type f) | grep -E "$pattern" || true)
fi
files=$(printf '%s\n' $files | grep -v '^tests/abi/abi_1_0/' || true)
[ -n "$files" ] || exit 0
if [ "$fix" = 1 ]; then
  printf '%s\n' $files | xargs "$clang_format" -i
  exit 0
fi
# One clang-format for all files (a process per file is minutes on a loaded 2-core machine).
# shellcheck disable=SC2086
bad=$("$clang_format" --dry-run --ferror-limit=1 $files 2>&1 | sed -nE 's/^(.+):[0-9]+:[0-9]+: (warning|error): code should be clang-formatted.*/\1/p' | sort -u)
[ -z "$bad" ] && exit 0
for f in $bad; do
  echo "file '$f': not formatted as .clang-format says (run: scripts/check_format.sh --fix --changed HEAD)"
done
exit 1
