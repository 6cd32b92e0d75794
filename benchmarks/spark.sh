#!/usr/bin/env bash
# Rows/s through Spark (netspec-spark's NetspecScorer, local[1]) against the plain single-JVM
# loop over the same rows (read from the same Parquet files, and from memory), both at batch
# 256 on one thread (spark/src/test/.../SparkThroughput).
#   benchmarks/spark.sh [MODEL] [ROWS] [RUNS] [SOURCE]
#   MODEL: mlp, mnist (default) or cifar; SOURCE: parquet (default) or cache
#   benchmarks/spark.sh overhead [ROWS] [RUNS]: the scorer's own cost without Spark's scan
#   (spark/src/test/.../ScorerOverhead)
#   benchmarks/spark.sh copy [LENGTH] [ROUNDS]: ways of copying a row's floats out of Spark's
#   column vector, ns and bytes per row (spark/src/test/.../ColumnCopyCost)
set -euo pipefail
home="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
classpath="$home/spark/target/bench.classpath"
main=SparkThroughput
if [[ "${1:-}" == overhead ]]; then
  main=ScorerOverhead
  shift
elif [[ "${1:-}" == copy ]]; then
  main=ColumnCopyCost
  shift
fi
mvn -o -q -B -f "$home/pom.xml" -pl spark -am test-compile dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile="$classpath" >/dev/null
# The JVM flags Spark needs (the module's surefire flags, kept in one place: spark/pom.xml).
flags=$(sed -n '/<spark.jvm.args>/,/<\/spark.jvm.args>/p' "$home/spark/pom.xml" | sed 's/<[^>]*>//g')
exec java --add-modules jdk.incubator.vector $flags -Xmx6g ${JAVA_OPTS:-} \
    -cp "$home/spark/target/classes:$home/spark/target/test-classes:$(cat "$classpath")" \
    "dev.netspec.spark.$main" "$@"
