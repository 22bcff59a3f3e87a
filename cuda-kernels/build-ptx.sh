#!/usr/bin/env bash
# build-ptx.sh: compiles every src/main/cuda/<name>.cu to the committed PTX resource
# src/main/resources/org/lopt4j/cuda/ptx/<name>.ptx and rewrites RESOURCE_REPORT.md (ptxas registers and spills
# for sm_90). Run it (or ./mvnw -Pptx -pl cuda-kernels generate-resources) after editing a .cu or common.cuh, and
# commit the results; KernelTwinsTest fails while a committed PTX is stale.
#
# Each PTX starts with the line `// src-sha256: <hex>`, the SHA-256 of the bytes of <name>.cu followed by the
# bytes of every header it includes with `#include "<header>"` (looked up in src/main/cuda, in the order the
# #include lines appear; headers are not searched for further includes). KernelTwinsTest computes the same hash.
#
# Needs nvcc (CUDA 13: compute_75 is the oldest target; the PTX it writes is ISA 9.0 and needs an r580+ driver).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC=$HERE/src/main/cuda
OUT=$HERE/src/main/resources/org/lopt4j/cuda/ptx
REPORT=$HERE/RESOURCE_REPORT.md
PTX_ARCH=compute_80
REPORT_ARCH=sm_90
NVCC_FLAGS=(-std=c++17 -Werror all-warnings)

die() { echo "build-ptx: error: $*" >&2; exit 1; }
command -v nvcc >/dev/null || die "nvcc not found on PATH (install the CUDA 13 toolkit, or build without -Pptx: the PTX is committed)"
shopt -s nullglob
sources=("$SRC"/*.cu)
(( ${#sources[@]} > 0 )) || die "no .cu files in $SRC"

# The hash defined above.
src_hash() {
  local cu=$1 h
  {
    cat "$cu"
    while read -r h; do
      [[ -f $SRC/$h ]] || die "$cu includes \"$h\", which is not in $SRC"
      cat "$SRC/$h"
    done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$cu")
  } | sha256sum | cut -d' ' -f1
}

# nvcc exits 0 and writes nothing when the output directory is missing: create it, then check every file.
mkdir -p "$OUT"
for cu in "${sources[@]}"; do
  name=$(basename "$cu" .cu)
  tmp=$OUT/.$name.ptx.tmp
  rm -f "$tmp"
  nvcc -ptx -arch="$PTX_ARCH" "${NVCC_FLAGS[@]}" -o "$tmp" "$cu"
  [[ -s $tmp ]] || die "nvcc wrote no PTX for $cu"
  { echo "// src-sha256: $(src_hash "$cu")"; cat "$tmp"; } >"$OUT/$name.ptx"
  rm -f "$tmp"
  [[ -s $OUT/$name.ptx ]] || die "$OUT/$name.ptx was not written"
  echo "build-ptx: $name.cu -> ${OUT#"$HERE"/}/$name.ptx"
done

# Registers, spills, stack and shared memory per kernel, as ptxas reports them for the GPU machines (sm_90).
nvcc_version=$(nvcc --version | sed -n 's/.*\(release [0-9.]*, V[0-9.]*\).*/\1/p')
{
  echo "# CUDA kernel resources"
  echo
  echo "Written by \`cuda-kernels/build-ptx.sh\` (do not edit): \`nvcc -cubin -arch=$REPORT_ARCH -Xptxas -v\`, nvcc $nvcc_version."
  echo "No GPU is needed to produce it. Registers are per thread; shared memory (smem) is static, per block."
  echo
  echo "| file | kernel | registers | stack frame | spill stores | spill loads | smem | barriers |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|"
  raw=""
  for cu in "${sources[@]}"; do
    name=$(basename "$cu" .cu)
    log=$(nvcc -cubin -arch="$REPORT_ARCH" "${NVCC_FLAGS[@]}" -Xptxas -v -o /dev/null "$cu" 2>&1) \
      || die "ptxas failed for $cu: $log"
    log=$(grep -v 'Compile time' <<<"$log" | grep -v '^[[:space:]]*$')
    awk -v file="$name.cu" '
      /Compiling entry function/ { match($0, /\x27[^\x27]*\x27/); k = substr($0, RSTART + 1, RLENGTH - 2) }
      /bytes stack frame/ { stack = $1; st = $5; ld = $9 }
      /Used [0-9]+ registers/ {
        regs = $0; sub(/.*Used /, "", regs); sub(/ registers.*/, "", regs)
        bar = "0"; if (match($0, /used [0-9]+ barriers/)) { bar = substr($0, RSTART + 5, RLENGTH - 14) }
        smem = "0"; if (match($0, /[0-9]+ bytes smem/)) { smem = substr($0, RSTART, RLENGTH - 11) }
        printf "| %s | `%s` | %s | %s | %s | %s | %s | %s |\n", file, k, regs, stack, st, ld, smem, bar
      }' <<<"$log"
    raw+=$'\n'"$name.cu:"$'\n'"$log"$'\n'
  done
  echo
  echo "ptxas output:"
  echo
  echo '```'
  printf '%s' "${raw#$'\n'}"
  echo '```'
} >"$REPORT"
echo "build-ptx: wrote ${REPORT#"$HERE"/}"
