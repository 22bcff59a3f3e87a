#!/usr/bin/env bash
# Regenerates the embedded Fashion-MNIST 8x8 / 16x16 resources from the real IDX files (checksums verified).
# Usage: metatrain/tools/make-embedded-data.sh [fashion-mnist dir, default ../shared/data/fashion-mnist]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SRC=${1:-$ROOT/../shared/data/fashion-mnist}
OUT=$ROOT/metatrain/src/main/resources/org/lopt4j/metatrain/data/fashion_mnist
cd "$ROOT" && ./mvnw -q -DskipTests -pl metatrain -am install
./mvnw -q -pl metatrain exec:exec -Dlopt4j.main="org.lopt4j.metatrain.data.EmbeddedDataGenerator $SRC $OUT"
