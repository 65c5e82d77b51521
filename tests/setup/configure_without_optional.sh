#!/usr/bin/env bash
# Configures scratch builds of the tree as users missing optional packages would:
#  1. no OpenCL (ocl-icd-opencl-dev, which Debian's oneDNN CMake config requires): configure must
#     succeed and still report oneDNN ON;
#  2. no oneDNN at all: configure must succeed, say so in one line, and the GEMM file that would use
#     oneDNN must compile without it.
#   configure_without_optional.sh SOURCE_DIR SCRATCH_DIR
set -uo pipefail
src=$1 scratch=$2
rm -rf "$scratch" && mkdir -p "$scratch"
fail=0
configure() {  # configure NAME ARGS...: the log is $scratch/NAME.log
  local name=$1; shift
  cmake -S "$src" -B "$scratch/$name" -DHFX_BUILD_TESTS=OFF -DHFX_BUILD_BENCH=OFF -DHFX_TORCHSCRIPT=AUTO \
    "$@" >"$scratch/$name.log" 2>&1
}
expect_line() {  # expect_line NAME PATTERN
  if grep -q -- "$2" "$scratch/$1.log"; then echo "ok: $1: $(grep -m1 -- "$2" "$scratch/$1.log")"
  else echo "FAIL: $1: configure printed no line matching '$2'"; fail=1; fi
}

if configure no-opencl -DCMAKE_DISABLE_FIND_PACKAGE_OpenCL=TRUE; then
  expect_line no-opencl "hfexport: oneDNN GEMMs ON"
else
  echo "FAIL: no-opencl: configure failed:"; tail -20 "$scratch/no-opencl.log"; fail=1
fi

# oneDNN absent: its header is looked for in an empty folder (as on a machine without libdnnl-dev).
mkdir -p "$scratch/empty"
if configure no-dnnl -DHFX_DNNL_INCLUDE="$scratch/empty"; then
  expect_line no-dnnl "hfexport: oneDNN GEMMs OFF"
  if make -C "$scratch/no-dnnl/host" runtime/ops/gemm_lib.cpp.o >"$scratch/no-dnnl-compile.log" 2>&1; then
    echo "ok: no-dnnl: runtime/ops/gemm_lib.cpp compiles without oneDNN"
  else
    echo "FAIL: no-dnnl: runtime/ops/gemm_lib.cpp does not compile without oneDNN:"
    tail -20 "$scratch/no-dnnl-compile.log"; fail=1
  fi
else
  echo "FAIL: no-dnnl: configure failed:"; tail -20 "$scratch/no-dnnl.log"; fail=1
fi
exit $fail
