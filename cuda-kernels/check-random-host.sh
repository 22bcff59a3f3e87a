#!/usr/bin/env bash
# check-random-host.sh: checks, without a GPU, that random.cu's sampling math is the Java twin bit for bit.
# It compiles random.cu's __host__ __device__ functions for the CPU (plain IEEE float ops, no FMA contraction) and
# compares F32 uniform, normal and truncated-normal draws with org.lopt4j.tensor.RandomKey.sample for a few keys
# (including keys whose words have the top bit set and elements past 2^32). On the device the same functions use
# the __f*_rn intrinsics, which are the same correctly rounded operations.
# Needs nvcc and a built tensor module (./mvnw -q -o -pl tensor compile). Run from cuda-kernels/ or the project root.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
JAVA=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
CLASSES=$ROOT/tensor/target/classes
COUNT=${COUNT:-200000}
command -v nvcc >/dev/null || { echo "check-random-host: nvcc not found" >&2; exit 1; }
[[ -d $CLASSES ]] || { echo "check-random-host: build the tensor module first ($CLASSES missing)" >&2; exit 1; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

nvcc -O2 -Xcompiler -ffp-contract=off -o "$WORK/host_check" "$HERE/src/test/cuda/random_host_check.cu"
cat > "$WORK/JavaDraws.java" <<'JAVA'
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.RandomKey;

public class JavaDraws {
    public static void main(String[] a) {
        RandomKey key = new RandomKey(Integer.parseInt(a[0]), Integer.parseInt(a[1]));
        Op.Dist dist = Op.Dist.values()[Integer.parseInt(a[2])];
        long count = Long.parseLong(a[3]), start = Long.parseLong(a[4]);
        StringBuilder sb = new StringBuilder();
        for (long e = start; e < start + count; e++) {
            sb.append(String.format("%08x%n", Float.floatToRawIntBits((float) key.sample(dist, DType.F32, e))));
        }
        System.out.print(sb);
    }
}
JAVA
# dist codes of random.cu: DIST_UNIFORM 0, DIST_NORMAL 1, DIST_TRUNCATED_NORMAL 2, the order of Op.Dist
# (KernelTwinsTest checks the codes against org.lopt4j.cuda.KernelConstants)
for keys in "0 0" "5 0" "-1 -1" "123456789 -987654321"; do
  read -r k0 k1 <<<"$keys"
  for dist in 0 1 2; do
   for first in 0 4294967000; do
    "$WORK/host_check" "$k0" "$k1" "$dist" "$COUNT" "$first" >"$WORK/cuda.txt"
    "$JAVA" -cp "$CLASSES" "$WORK/JavaDraws.java" "$k0" "$k1" "$dist" "$COUNT" "$first" >"$WORK/java.txt"
    if ! cmp -s "$WORK/cuda.txt" "$WORK/java.txt"; then
      echo "check-random-host: MISMATCH key ($k0, $k1) dist $dist from element $first:" >&2
      diff "$WORK/cuda.txt" "$WORK/java.txt" | head -5 >&2
      exit 1
    fi
    echo "check-random-host: key ($k0, $k1) dist $dist elements [$first, +$COUNT): identical"
   done
  done
done
