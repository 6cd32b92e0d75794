#!/usr/bin/env python3
"""Time PyTorch on one training step of the peer MLPs, the twin of netspec's TrainStepBenchmark.

A step is what a PyTorch training loop does per batch: optimizer.zero_grad(), forward,
CrossEntropyLoss, backward, SGD(lr=0.01).step(), on torch.nn.Sequential(Linear, ReLU, Linear,
ReLU, Linear) at batch 64 (TRAIN_BATCHES), seeded weights, targets i % classes. Every round
starts from the same weights, as every JMH iteration does. Linear runs on the system BLAS:
run it with libopenblas0-pthread installed (the "torch-version" record of torch_bench.py and
this script's "blas" field name the library loaded).

Prints one JSON list of records {"suite": "torch-train", "model", "batch", "threads", "us",
"us_best", "blas"} to stdout.

Usage: /usr/bin/python3 torch_train_bench.py [--quick] [--threads 1,2]
"""
import argparse
import json
import statistics
import sys
import time

import torch

import blas
import models
import timing

# model -> batch sizes of the training step (issue 15: the 784-1024-1024-10 MLP at batch 64)
TRAIN_BATCHES = {"784-1024-1024-10": (64,)}


def run(threads, quick):
    warmup, rounds, round_seconds = timing.config(quick)
    records = []
    for name, batches in TRAIN_BATCHES.items():
        model = models.build(name).train()
        initial = {k: v.clone() for k, v in model.state_dict().items()}
        widths = models.widths(name)
        loss_fn = torch.nn.CrossEntropyLoss()
        opt = torch.optim.SGD(model.parameters(), lr=0.01)
        for batch in batches:
            x = torch.randn(batch, widths[0], generator=torch.Generator().manual_seed(1))
            target = torch.arange(batch) % widths[-1]

            def step():
                opt.zero_grad()
                loss_fn(model(x), target).backward()
                opt.step()

            for n in threads:
                torch.set_num_threads(n)
                model.load_state_dict(initial)
                calls = timing._calibrate(step, warmup, round_seconds)  # noqa: SLF001
                per_call = []
                for _ in range(rounds):
                    model.load_state_dict(initial)
                    start = time.perf_counter_ns()
                    for _ in range(calls):
                        step()
                    per_call.append((time.perf_counter_ns() - start) / 1e3 / calls)
                records.append({"suite": "torch-train", "model": name, "batch": batch, "threads": n,
                                "us": statistics.median(per_call), "us_best": min(per_call),
                                "calls": calls * rounds, "blas": blas.openblas() or blas.loaded()})
    return records


def main():
    parser = argparse.ArgumentParser(description="Time PyTorch on one MLP training step.")
    parser.add_argument("--quick", action="store_true", help="short smoke run")
    parser.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    args = parser.parse_args()
    records = run([int(t) for t in args.threads.split(",")], args.quick)
    json.dump(records, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
