#!/usr/bin/env bash
# Load test: one generated model served by 1, 2, 8 and 64 threads (benchmarks'
# ConcurrentServing), every output checked against a single-threaded reference.
#   benchmarks/concurrent.sh [SECONDS_PER_RUN] [BATCH]
# Exit code 1 if any output was wrong or any call threw.
set -euo pipefail
home="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
mvn -o -q -B -f "$home/pom.xml" -pl benchmarks -am package -DskipTests
exec java --add-modules jdk.incubator.vector ${JAVA_OPTS:-} -cp "$home/benchmarks/target/benchmarks.jar" \
    dev.netspec.benchmarks.ConcurrentServing "$@"
