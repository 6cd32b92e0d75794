#!/usr/bin/env bash
# Fuzzes one target with Jazzer for SECONDS seconds (coverage-guided, through JUnit: the same
# @FuzzTest methods a plain `mvn verify` replays from their committed inputs).
#
#   tools/fuzz.sh TARGET SECONDS      TARGET: safetensors | idx | yaml | json | forward
#
# Works offline from ~/.m2 (jazzer-junit is an ordinary test dependency). Runs from the
# repository root; a crash stops the run and is saved in the target's inputs directory (see
# below), where every later build replays it as a regression test. The inputs the fuzzer
# found interesting along the way go to <module>/.cifuzz-corpus/ (ignored by git).
set -euo pipefail

if [[ $# -ne 2 || ! $2 =~ ^[0-9]+$ ]]; then
  echo "usage: tools/fuzz.sh safetensors|idx|yaml|json|forward SECONDS" >&2
  exit 2
fi
target=$1
seconds=$2
heap=1g
case "$target" in
  safetensors)
    module=runtime; test=dev.netspec.runtime.io.SafeTensorsFuzzTest; method=parse
    # A small heap: a header that claims more than the file holds must not make us allocate it.
    heap=256m ;;
  idx)
    module=runtime; test=dev.netspec.runtime.io.IdxFuzzTest; method=read
    # The same small heap: a header's claimed shape must not be allocated on trust.
    heap=256m ;;
  yaml|json)
    module=compiler; test=dev.netspec.compiler.SpecFuzzTest; method=$target ;;
  forward)
    module=compiler; test=dev.netspec.compiler.ForwardFuzzTest; method=forward ;;
  *)
    echo "tools/fuzz.sh: unknown target '$target' (safetensors, idx, yaml, json, forward)" >&2
    exit 2 ;;
esac

cd "$(dirname "$0")/.."
inputs="$module/src/test/resources/${test//.//}Inputs/$method"
echo "fuzzing $test#$method for ${seconds}s (heap $heap); crashes go to $inputs/"

marker=$(mktemp)
trap 'rm -f "$marker"' EXIT
status=0
JAZZER_FUZZ=1 JAZZER_MAX_DURATION="${seconds}s" JAZZER_INSTRUMENT='dev.netspec.**' \
  mvn -o -B -q -pl runtime,"$module" test \
    -Dtest="$test#$method" -Dsurefire.failIfNoSpecifiedTests=false -Djazzer.hooks=true \
    -Dsurefire.jvm.args="--add-modules jdk.incubator.vector -Xmx$heap" \
  || status=$?

crashes=$(find "$inputs" -name 'crash-*' -newer "$marker" 2>/dev/null | sort || true)
if [[ $status -eq 0 ]]; then
  echo "no crash in ${seconds}s"
else
  echo "the fuzzer stopped with a failure (exit $status); its report is above and in"
  echo "  $module/target/surefire-reports/$test.txt"
  if [[ -n $crashes ]]; then
    echo "crashing inputs saved:"
    echo "$crashes" | sed 's/^/  /'
  fi
  cat <<EOT
To turn a crash into a regression test: fix the bug, rename the crash file in $inputs/
to say what it tests (e.g. crash-1a2b... -> huge_shape_oom), and commit it: every plain build
(mvn verify, or mvn -o -q -pl runtime,$module test -Dtest='*Fuzz*') replays it. Add a named
test beside the existing ones (e.g. HostileFilesTest, RobustnessTest) when the message matters.
EOT
fi
exit $status
