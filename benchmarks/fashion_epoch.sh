#!/usr/bin/env bash
# Issue 15's Fashion-MNIST epoch row: one epoch of `netspec train specs/fashion_cnn.yaml`
# against its PyTorch twin, tools/fashion_mnist_torch.py (the same model, initial weights,
# data order, loss, Adam, schedule and batch size 64), both on THREADS kernel threads, each
# followed by the evaluation on the 10,000 test images. Prints each tool's own epoch line
# (wall seconds) and the whole process's CPU time (user + sys, JVM start and JIT included);
# on a busy machine only the CPU times mean anything.
#
#   benchmarks/fashion_epoch.sh [THREADS] [SAMPLES]     # defaults: 1 thread, all 60,000
#
# Needs dataset-fashion-mnist (IDX files in /usr/share/datasets/fashion-mnist) and PyTorch
# (/usr/bin/python3 with torch, OpenBLAS installed). Files go to benchmarks/target/fashion.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
threads="${1:-1}"
samples="${2:-60000}"
data="${FASHION_MNIST:-/usr/share/datasets/fashion-mnist}"
work="$root/benchmarks/target/fashion"
netspec="$root/bin/netspec"
mkdir -p "$work"

train="$work/train-$samples.safetensors"
[[ -f "$train" ]] || "$netspec" idx --images "$data/train-images-idx3-ubyte.gz" \
  --labels "$data/train-labels-idx1-ubyte.gz" --limit "$samples" --output "$train"
test="$work/test.safetensors"
[[ -f "$test" ]] || "$netspec" idx --images "$data/t10k-images-idx3-ubyte.gz" \
  --labels "$data/t10k-labels-idx1-ubyte.gz" --output "$test"
init="$work/init.safetensors"
[[ -f "$init" ]] || "$netspec" train "$root/specs/fashion_cnn.yaml" --data "$train" \
  --epochs 0 --save-weights "$init" >/dev/null

echo "== netspec train, $threads thread(s), $samples samples"
NETSPEC_JAVA_OPTS="${NETSPEC_JAVA_OPTS:-} -Dnetspec.threads=$threads" \
  /usr/bin/time -f "netspec process: %U s user, %S s sys, %e s wall" \
  "$netspec" train "$root/specs/fashion_cnn.yaml" --data "$train" --validation "$test" \
  --weights "$init" --epochs 1 --save-weights "$work/netspec-out.safetensors" 2>&1 \
  | tr '\r' '\n' | grep -v "^netspec: epoch .*samples/s $" | grep -v "^$"

echo "== PyTorch, $threads thread(s), $samples samples"
OMP_NUM_THREADS="$threads" OPENBLAS_NUM_THREADS="$threads" MKL_NUM_THREADS="$threads" \
  /usr/bin/time -f "PyTorch process: %U s user, %S s sys, %e s wall" \
  /usr/bin/python3 "$root/tools/fashion_mnist_torch.py" --init "$init" --epochs 1 \
  --limit "$samples" --threads "$threads"
