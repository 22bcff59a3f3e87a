#!/usr/bin/env bash
# Regenerates the embedded data (Fashion-MNIST 8x8 / 16x16 and MNIST 8x8 / 14x14 as exact 16-bit fixed point, Tiny
# Shakespeare) from the real files, after checking their SHA-256. The output is deterministic: a run on unchanged
# sources reproduces the committed resources byte for byte (check with `git status`). Other datasets and sizes, the
# 28x28 tasks among them, are read from the IDX files with --data-dir.
# Usage: metatrain/tools/make-embedded-data.sh [shared data dir, default ../shared/data beside the repository]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SRC=${1:-$ROOT/../shared/data}
OUT=$ROOT/metatrain/src/main/resources
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export JAVA_HOME
cd "$ROOT" && ./mvnw -q -DskipTests -pl metatrain -am compile
"$JAVA_HOME/bin/java" --add-modules=jdk.incubator.vector -cp metatrain/target/classes:tensor/target/classes \
  org.lopt4j.metatrain.data.EmbeddedDataGenerator "$SRC" "$OUT/org/lopt4j/metatrain/data"
