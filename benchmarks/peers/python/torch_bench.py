#!/usr/bin/env python3
"""Time PyTorch on the peer models: one forward under torch.inference_mode(), 1 and 2 threads.

Debian's torch runs Linear on the system BLAS: the record "torch-version" lists the BLAS it
loaded, and the table warns when that is the reference BLAS. Its convolutions (ResNet-18) run
on oneDNN (MKL-DNN), which the record names too.

Loads the weights export_onnx.py saved, checks the output against the saved one, and prints one
JSON list of records {"suite": "torch", "model", "batch", "threads", "us", "us_best"} to stdout.

Usage: /usr/bin/python3 torch_bench.py MODELS_DIR [--quick] [--threads 1,2]
"""
import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tools", "fixtures"))
import st  # noqa: E402

import blas  # noqa: E402
import models  # noqa: E402
import timing  # noqa: E402


def run(models_dir, threads, quick):
    warmup, rounds, round_seconds = timing.config(quick)
    records = []
    for name in list(models.MLPS) + list(models.RESNETS) + list(models.BERTS):
        stem = os.path.join(models_dir, models.file_stem(name))
        model = models.build(name)
        weights, _ = st.load(stem + ".safetensors")
        model.load_state_dict(weights, strict=True)
        if name in models.BERTS:  # (input_ids, attention_mask) -> the sentence embedding
            bert = model
            model = lambda x: bert(*x)[2]  # noqa: E731
        for batch in models.batches(name):
            io, _ = st.load("%s.b%d.safetensors" % (stem, batch))
            x = (io["input_ids"], io["attention_mask"]) if name in models.BERTS else io["x"]
            with torch.inference_mode():
                if not torch.allclose(model(x), io["y"], rtol=1e-4, atol=1e-5):
                    raise SystemExit("torch_bench: error: %s batch %d does not reproduce the exported output"
                                     % (name, batch))
                for n in threads:
                    torch.set_num_threads(n)
                    result = timing.measure(lambda: model(x), warmup, rounds, round_seconds)
                    result.update({"suite": "torch", "model": name, "batch": batch, "threads": n})
                    records.append(result)
    return records


def onednn():
    """The oneDNN (MKL-DNN) torch was built with, as its build config names it, or None."""
    if not torch.backends.mkldnn.is_available():
        return None
    for line in torch.__config__.show().splitlines():
        if "MKL-DNN" in line or "oneDNN" in line:
            return line.strip(" -")
    return "available"


def main():
    parser = argparse.ArgumentParser(description="Time PyTorch on the peer models.")
    parser.add_argument("models_dir")
    parser.add_argument("--quick", action="store_true", help="short smoke run")
    parser.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    args = parser.parse_args()
    threads = [int(t) for t in args.threads.split(",")]
    records = run(args.models_dir, threads, args.quick)
    meta = {"suite": "torch-version", "torch": torch.__version__, "blas": blas.loaded(),
            "onednn": onednn()}
    json.dump([meta] + records, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
