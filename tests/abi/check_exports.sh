#!/usr/bin/env bash
# Every libhfx_*.so in DIR must export exactly one symbol: hfx_plugin_entry.
#   check_exports.sh DIR
set -uo pipefail
fail=0 n=0
for so in "$1"/libhfx_*.so; do
  n=$((n + 1))
  extra=$(nm -D --defined-only "$so" | awk '{print $NF}' | grep -v '^hfx_plugin_entry$' | head -3 | tr '\n' ' ')
  if [ -n "$extra" ]; then echo "FAIL: $so also exports: $extra"; fail=1; fi
  nm -D --defined-only "$so" | grep -q ' hfx_plugin_entry$' || { echo "FAIL: $so has no hfx_plugin_entry"; fail=1; }
done
[ "$n" -gt 0 ] || { echo "FAIL: no plugins in $1"; exit 1; }
echo "$n plugins checked"
exit $fail
