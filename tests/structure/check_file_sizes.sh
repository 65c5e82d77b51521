#!/usr/bin/env bash
# No source file over LIMIT lines (default 600) in host/, sdk/, plugins/ (STYLE.md, rule 1:
# split by concern when a file grows). Names every file over the limit with its count.
#   check_file_sizes.sh REPO [LIMIT]
set -uo pipefail
repo="$1" limit="${2:-600}" over=0 n=0
while IFS= read -r -d '' f; do
  n=$((n + 1))
  lines=$(wc -l <"$f")
  if [ "$lines" -gt "$limit" ]; then
    echo "FAIL: ${f#"$repo"/} has $lines lines (limit $limit)"
    over=1
  fi
done < <(find "$repo/host" "$repo/sdk" "$repo/plugins" -type f \
           \( -name '*.cpp' -o -name '*.h' -o -name '*.c' -o -name '*.inc' -o -name '*.hpp' \) -print0)
[ "$n" -gt 0 ] || { echo "FAIL: no source files under $repo/host, sdk, plugins"; exit 1; }
[ "$over" -eq 0 ] && echo "$n files checked, none over $limit lines"
exit $over
