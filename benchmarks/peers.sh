#!/usr/bin/env bash
# Measures netspec against its peers in one run and prints one table (benchmarks/peers/README.md).
#
#   benchmarks/peers.sh [--quick] [--jdk DIR]... [--skip STEP,...] [--out DIR]
#
# Steps: fma (the machine's FMA peak, 1 and 2 threads: netspec's FmaPeakBenchmark), openblas
# (sgemm through numpy), ort (ONNX Runtime Java on models exported from PyTorch: the MLPs,
# ResNet-18, BERT, GPT-2 small's prefill, the LSTM), torch (PyTorch: the MLPs, ResNet-18 and
# BERT, and one training step of the 784-1024-1024-10 MLP, torch_train_bench.py),
# netspec (the JMH benchmarks of the benchmarks/ module), h2h (netspec and ONNX Runtime
# interleaved in one JVM, the ratios per round). Java steps run on every --jdk (default: JDK 17
# and Temurin 25).
# Results (JMH JSON, table.md, log.txt) go to --out, default benchmarks/peers/build/results/<time>.
#
# Environment: PEERS_TORCH_PYTHON (default /usr/bin/python3), PEERS_BLAS_PYTHON (default: the
# first of /usr/bin/python3 and python3 whose numpy runs on OpenBLAS), PEERS_JMH_ARGS (appended
# to every JMH run), PEERS_JMH_RUN (replaces the default forks and iterations, e.g. "-f 1 -i 5"),
# NETSPEC_BENCH (JMH regex of netspec benchmarks, default: all of them), PEERS_H2H ("ROUNDS
# MILLIS" of the head-to-head, default "21 250"; --quick: "3 50"), PEERS_H2H_MODELS (the
# head-to-head's workloads, e.g. "resnet18,minilm"; default all: mlp, resnet18, minilm, gpt2,
# lstm), PEERS_ORT_BENCH (a regex of the ONNX Runtime benchmarks to run, e.g.
# 'OrtGpt2Prefill|OrtLstm'; default: all of them).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PEERS=$ROOT/benchmarks/peers
PY=$PEERS/python

usage() {
  sed -n '2,/^set /{/^#/s/^# \{0,1\}//p}' "${BASH_SOURCE[0]}" >&2
  exit 2
}

command_line="$*"
quick=0
jdks=()
skip=","
out=""
while (($#)); do
  case $1 in
    --quick) quick=1 ;;
    --jdk) [[ $# -ge 2 ]] || usage; jdks+=("$2"); shift ;;
    --skip) [[ $# -ge 2 ]] || usage; skip=",$2,"; shift ;;
    --out) [[ $# -ge 2 ]] || usage; out=$2; shift ;;
    -h|--help) usage ;;
    *) echo "peers.sh: error: unknown argument '$1'" >&2; usage ;;
  esac
  shift
done
for step in ${skip//,/ }; do
  case $step in
    fma|openblas|ort|torch|netspec|h2h) ;;
    *) echo "peers.sh: error: unknown step '$step' in --skip (fma, openblas, ort, torch, netspec, h2h)" >&2; exit 2 ;;
  esac
done
if ((${#jdks[@]} == 0)); then
  for dir in /usr/lib/jvm/java-17-openjdk-amd64 /usr/lib/jvm/temurin-25-jdk-amd64; do
    [[ -x $dir/bin/java ]] && jdks+=("$dir")
  done
fi
for dir in "${jdks[@]}"; do
  [[ -x $dir/bin/java ]] || { echo "peers.sh: error: no $dir/bin/java" >&2; exit 2; }
done
((${#jdks[@]})) || { echo "peers.sh: error: no JDK found; pass --jdk DIR" >&2; exit 2; }

out=${out:-$PEERS/build/results/$(date -u +%Y%m%dT%H%M%SZ)}
models=$PEERS/build/models
mkdir -p "$out" "$models"
out=$(cd "$out" && pwd)
log=$out/log.txt
: >"$log"
torch_python=${PEERS_TORCH_PYTHON:-/usr/bin/python3}

quick_flag=()
jmh_jvm=()
if ((quick)); then
  quick_flag=(--quick)
  # JMH refuses to run beside another JMH run (a machine-wide lock). Its numbers would be noise:
  # fine for a smoke run only.
  jmh_jvm=(-Djmh.ignoreLock=true)
  jmh_opts=(-f 1 -wi 2 -w 500ms -i 2 -r 300ms)
  gemm_sizes=512
else
  jmh_opts=(-f 2 -wi 5 -w 1s -i 10 -r 1s)
  gemm_sizes=256,512,1024,2048
fi
# PEERS_JMH_RUN replaces the forks and iterations of a full run (JMH takes each option once).
if [[ -n ${PEERS_JMH_RUN:-} ]]; then
  read -r -a jmh_opts <<<"$PEERS_JMH_RUN"
fi
read -r -a extra_jmh <<<"${PEERS_JMH_ARGS:-}"

wants() { [[ $skip != *",$1,"* ]]; }
say() { echo "== $*" >&2; }
warn() { echo "peers.sh: warning: $*" >&2; }

# Stops the run after a failed command, showing the end of the log.
failed() {
  echo "peers.sh: error: failed: $*" >&2
  tail -n 25 "$log" >&2
  echo "(full log: $log)" >&2
  exit 1
}

# quietly COMMAND...: runs the command with its output in the log; stops on failure.
quietly() {
  echo "\$ $*" >>"$log"
  "$@" >>"$log" 2>&1 || failed "$@"
}

# capture FILE COMMAND...: the command's output into FILE, its errors in the log; stops on failure.
capture() {
  local file=$1
  shift
  echo "\$ $* >$file" >>"$log"
  "$@" >"$file" 2>>"$log" || failed "$@"
}

# jmh JAVA CLASSPATH RESULT_JSON JMH_ARGS...: one JMH run, JSON results, console output to the log.
jmh() {
  local java=$1 cp=$2 result=$3
  shift 3
  quietly "$java" --add-modules jdk.incubator.vector -Dpeers.models="$models" "${jmh_jvm[@]}" -cp "$cp" \
    org.openjdk.jmh.Main "$@" "${jmh_opts[@]}" "${extra_jmh[@]}" -rf json -rff "$result"
}

# The FMA peak on one JDK, 1 and 2 threads: netspec's FmaPeakBenchmark, the one probe that
# GemmVsPeak and AbWorkloads time too (benchmarks/README.md, "The FMA probe").
run_fma() {
  local java=$1 major=$2 cp=$3
  say "JDK $major: FMA peak, 1 and 2 threads"
  jmh "$java" "$cp" "$out/jmh-jdk$major-fma-t1.json" 'FmaPeakBenchmark' -t 1
  jmh "$java" "$cp" "$out/jmh-jdk$major-fma-t2.json" 'FmaPeakBenchmark' -t 2
}

# The peers' JMH runs on one JDK: ONNX Runtime.
run_peers() {
  local java=$1 major=$2 cp
  wants ort || return 0
  cp=$PEERS/target/classes:$(cat "$PEERS/target/classpath.txt")
  if wants ort && [[ -n ${PEERS_ORT_BENCH:-} ]]; then
    say "JDK $major: ONNX Runtime Java benchmarks matching $PEERS_ORT_BENCH, 1 intra-op thread"
    jmh "$java" "$cp" "$out/jmh-jdk$major-ort.json" "$PEERS_ORT_BENCH" -prof gc -p threads=1
  elif wants ort; then
    say "JDK $major: ONNX Runtime Java, 1 and 2 intra-op threads"
    jmh "$java" "$cp" "$out/jmh-jdk$major-ort-tutorial.json" 'OrtMlp' -prof gc -p model=20-256-10 -p batch=2
    jmh "$java" "$cp" "$out/jmh-jdk$major-ort-mlp.json" 'OrtMlp' -prof gc -p model=784-1024-1024-10 \
      -p batch="$( ((quick)) && echo 32 || echo 1,32,256)"
    say "JDK $major: ONNX Runtime Java, ResNet-18, batch 1 and 8, 1 and 2 intra-op threads"
    jmh "$java" "$cp" "$out/jmh-jdk$major-ort-resnet18.json" 'OrtResNet' -prof gc -p batch=1,8 -p threads=1,2
    say "JDK $major: ONNX Runtime Java, BERT (MiniLM size, 128 tokens), batch 1 and 16, 1 intra-op thread"
    jmh "$java" "$cp" "$out/jmh-jdk$major-ort-bert.json" 'OrtBert' -prof gc -p batch=1,16 -p threads=1
    say "JDK $major: ONNX Runtime Java, GPT-2 small prefill of 128 tokens and the LSTM, 1 intra-op thread"
    jmh "$java" "$cp" "$out/jmh-jdk$major-ort-seq.json" 'OrtGpt2Prefill|OrtLstm' -prof gc -p threads=1
  fi
}

# netspec's own JMH benchmarks (the benchmarks/ module) on one JDK. GEMM benchmarks (names with
# gemm or matmul) run at the peers' sizes, pinned through their "size" or "n" parameter; the others
# with their own parameters and JMH's gc profiler (bytes allocated per call). NETSPEC_BENCH, when
# set, selects the benchmarks and pins nothing.
run_netspec() {
  local java=$1 major=$2 cp=$3 gemm='(?i)(gemm|matmul)' name params=()
  if [[ -n ${NETSPEC_BENCH:-} ]]; then
    say "JDK $major: netspec benchmarks matching $NETSPEC_BENCH"
    jmh "$java" "$cp" "$out/jmh-jdk$major-netspec.json" "$NETSPEC_BENCH" -prof gc
    return
  fi
  local names
  names=$(jmh_list "$java" "$cp" -l)
  if grep -qiE 'gemm|matmul' <<<"$names"; then
    local gemm_params
    gemm_params=$(jmh_list "$java" "$cp" -lp "$gemm")
    for name in size n; do
      if grep -Eq "^ +param \"$name\"" <<<"$gemm_params"; then
        params+=(-p "$name=$gemm_sizes")
      fi
    done
    say "JDK $major: netspec GEMM benchmarks ${params[*]}"
    jmh "$java" "$cp" "$out/jmh-jdk$major-netspec-gemm.json" "$gemm" "${params[@]}"
  fi
  # The FMA peak runs in its own step (run_fma, 1 and 2 threads), not again here.
  if grep -viE 'gemm|matmul' <<<"$names" | grep -qviE 'fmapeak'; then
    say "JDK $major: netspec's other benchmarks"
    jmh "$java" "$cp" "$out/jmh-jdk$major-netspec.json" '.*' -e "$gemm" -e '(?i)fmapeak' -prof gc
  fi
}

# jmh_list JAVA CLASSPATH -l|-lp [REGEX]: JMH's list of benchmarks, without its header line.
jmh_list() {
  local java=$1 cp=$2
  shift 2
  "$java" --add-modules jdk.incubator.vector -cp "$cp" org.openjdk.jmh.Main "$@" 2>>"$log" | sed 1d
  ((PIPESTATUS[0] == 0)) || failed "listing netspec's benchmarks: $*"
}

# ---- what the run is -------------------------------------------------------------------------
say "results in $out"
ort_version=$(sed -n 's:.*<onnxruntime.version>\(.*\)</onnxruntime.version>.*:\1:p' "$PEERS/pom.xml")
capture "$out/meta.json" python3 "$PY/meta.py" "$ROOT" "$quick" "$ort_version" "$command_line"

# ---- builds ----------------------------------------------------------------------------------
if (wants ort || wants torch) && ! "$torch_python" -c 'import torch' 2>/dev/null; then
  warn "no torch in $torch_python: ONNX models cannot be exported; skipping ort and torch"
  skip+="ort,torch,"
elif (wants ort || wants torch) && ! "$torch_python" -c 'import torchvision' 2>/dev/null; then
  # export_onnx.py builds torchvision's ResNet-18; without it the export stops half-way.
  warn "no torchvision in $torch_python (Debian: apt-get install python3-torchvision):" \
    "ONNX models cannot be exported; skipping ort and torch"
  skip+="ort,torch,"
fi
if wants ort || wants torch; then
  # The export is deterministic (a fixed seed), and GPT-2's files alone are ~1.3 GB: redo it only
  # when a script that makes the models (or a fixture script they import), or PyTorch, changed.
  stamp=$({ cat "$PY"/*.py "$ROOT"/tools/fixtures/*.py
            "$torch_python" -c 'import torch; print(torch.__version__)'; } | sha256sum | cut -d' ' -f1)
  if [[ -f $models/models.json && $(cat "$models/.export-stamp" 2>/dev/null) == "$stamp" ]]; then
    say "models already exported by these scripts: $models"
  else
    say "exporting the models from PyTorch"
    rm -f "$models/.export-stamp"
    quietly "$torch_python" "$PY/export_onnx.py" "$models"
    echo "$stamp" >"$models/.export-stamp"
  fi
fi
if ! wants ort; then
  skip+="h2h," # the head-to-head needs ONNX Runtime and its models
fi
if wants fma || wants ort || wants h2h; then
  say "building benchmarks/peers (with this checkout's netspec-runtime)"
  # The root pom's `peers` profile puts benchmarks/peers in the reactor, so HeadToHead compiles
  # and runs against the runtime built here, not a stale snapshot from ~/.m2.
  quietly mvn -q -B -f "$ROOT/pom.xml" -Ppeers -pl benchmarks/peers -am package -DskipTests
fi
netspec_cp=""
if wants netspec || wants fma; then
  if [[ -f $ROOT/benchmarks/pom.xml ]]; then
    say "building benchmarks (netspec)"
    # One reactor run, so the module's netspec dependencies resolve to this checkout's builds.
    # Every module of the run writes the file; benchmarks/, built last, writes it last. The goal
    # names the plugin version benchmarks/peers pins: a bare `dependency:` would take Maven's
    # default (2.8), which a fresh ~/.m2 does not hold.
    quietly mvn -q -B -f "$ROOT/pom.xml" -pl benchmarks -am package \
      org.apache.maven.plugins:maven-dependency-plugin:3.9.0:build-classpath \
      -DskipTests -Dmdep.includeScope=runtime -Dmdep.outputFile="$out/netspec-classpath.txt"
    netspec_cp=$ROOT/benchmarks/target/classes:$(cat "$out/netspec-classpath.txt")
  else
    warn "no benchmarks/pom.xml yet: skipping netspec's own benchmarks and the FMA peak"
    skip+="netspec,fma,"
  fi
fi

# ---- Java: every JDK ---------------------------------------------------------------------------
ort_checked=0
for jdk in "${jdks[@]}"; do
  java=$jdk/bin/java
  major=$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
  if wants fma || wants ort; then
    capture "$out/machine-jdk$major.json" \
      "$java" --add-modules jdk.incubator.vector -cp "$PEERS/target/classes" dev.netspec.peers.MachineInfo
  fi
  if wants ort && ((!ort_checked)); then
    say "checking that ONNX Runtime computes what PyTorch computed"
    "$java" -Dpeers.models="$models" -cp "$PEERS/target/classes:$(cat "$PEERS/target/classpath.txt")" \
      dev.netspec.peers.OrtCheck 20-256-10:2 784-1024-1024-10:1 784-1024-1024-10:32 784-1024-1024-10:256 \
      resnet18:1 resnet18:8 minilm:1 minilm:16 gpt2:1 lstm:16 \
      2>&1 | tee -a "$log" >&2
    ((PIPESTATUS[0] == 0)) || { echo "peers.sh: error: ONNX Runtime does not match PyTorch" >&2; exit 1; }
    ort_checked=1
  fi
  if wants fma; then
    run_fma "$java" "$major" "$netspec_cp"
  fi
  run_peers "$java" "$major"
  if wants netspec; then
    run_netspec "$java" "$major" "$netspec_cp"
  fi
  if wants h2h; then
    say "JDK $major: netspec and ONNX Runtime head to head, interleaved"
    read -r -a h2h <<<"${PEERS_H2H:-$( ((quick)) && echo "3 50" || echo "21 250")}"
    quietly "$java" --add-modules jdk.incubator.vector -Dpeers.models="$models" \
      -Dpeers.h2h="${PEERS_H2H_MODELS:-}" \
      -cp "$PEERS/target/classes:$(cat "$PEERS/target/classpath.txt")" \
      dev.netspec.peers.HeadToHead "$out/head-to-head-jdk$major.md" "${h2h[@]}"
  fi
done

# ---- Python peers ------------------------------------------------------------------------------
if wants torch; then
  # One process per thread count: torch.set_num_threads does not reach the BLAS's own pool
  # (OpenBLAS's pthreads ran a "1-thread" matmul on both cores), so its size is fixed in the
  # environment before torch loads, as for the OpenBLAS step.
  for t in 1 2; do
    say "PyTorch, $t thread(s)"
    capture "$out/torch-t$t.json" env OPENBLAS_NUM_THREADS=$t OMP_NUM_THREADS=$t MKL_NUM_THREADS=$t \
      "$torch_python" "$PY/torch_bench.py" "$models" "${quick_flag[@]}" --threads $t
    say "PyTorch, one MLP training step, $t thread(s)"
    capture "$out/torch-train-t$t.json" env OPENBLAS_NUM_THREADS=$t OMP_NUM_THREADS=$t MKL_NUM_THREADS=$t \
      "$torch_python" "$PY/torch_train_bench.py" "${quick_flag[@]}" --threads $t
  done
fi
if wants openblas; then
  blas_python=${PEERS_BLAS_PYTHON:-}
  if [[ -z $blas_python ]]; then
    for candidate in /usr/bin/python3 python3; do
      if env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$candidate" -c \
          "import sys, numpy; sys.path.insert(0, '$PY'); import blas; sys.exit(blas.openblas() is None)" 2>/dev/null; then
        blas_python=$candidate
        break
      fi
    done
  fi
  if [[ -z $blas_python ]]; then
    warn "no numpy on OpenBLAS found (set PEERS_BLAS_PYTHON); skipping openblas"
  else
    for t in 1 2; do
      say "OpenBLAS sgemm through numpy ($blas_python), $t thread(s)"
      capture "$out/openblas-t$t.json" env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=$t \
        "$blas_python" "$PY/sgemm_bench.py" --threads $t --sizes "$gemm_sizes" "${quick_flag[@]}"
    done
  fi
fi

# ---- the table ---------------------------------------------------------------------------------
capture "$out/table.md" python3 "$PY/table.py" "$out"
for f in "$out"/head-to-head-jdk*.md; do
  [[ -f $f ]] || continue
  printf '\n## %s\n\n' "$(basename "$f" .md)" >>"$out/table.md"
  cat "$f" >>"$out/table.md"
done
cat "$out/table.md"
echo >&2
say "table: $out/table.md"
