#!/usr/bin/env bash
# Regenerates the embedded Fashion-MNIST 8x8 / 16x16 resources from the real IDX files (checksums verified).
# Usage: metatrain/tools/make-embedded-data.sh [fashion-mnist dir, default ../shared/data/fashion-mnist]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SRC=${1:-$ROOT/../shared/data/fashion-mnist}
OUT=$ROOT/metatrain/src/main/resources/org/lopt4j/metatrain/data/fashion_mnist
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
cd "$ROOT" && ./mvnw -q -DskipTests -pl metatrain -am compile
"$JAVA_HOME/bin/java" --add-modules=jdk.incubator.vector -cp metatrain/target/classes:tensor/target/classes \
  org.lopt4j.metatrain.data.EmbeddedDataGenerator "$SRC" "$OUT"
