#!/usr/bin/env python3
"""Time OpenBLAS sgemm (C = A @ B, all n x n float32) through numpy, when numpy uses OpenBLAS.

The thread count is OpenBLAS's, fixed before numpy loads: run once per count with
OPENBLAS_NUM_THREADS=N (peers.sh does, with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset in that
command only, so OpenBLAS picks its kernel for this CPU). Prints one JSON list: a record naming
the library, its version line and kernel ("core"), then {"suite": "openblas", "size", "threads",
"us", "us_best"} per size; or a single {"suite": "openblas-skipped", "reason"} record when this
numpy has no OpenBLAS.

Usage: python3 sgemm_bench.py --threads N [--sizes 256,512,1024,2048] [--quick]
"""
import argparse
import ctypes
import json
import os
import sys

import blas
import timing

# Symbol prefixes: plain OpenBLAS (Debian) and the scipy-openblas wheels numpy ships with.
_PREFIXES = ("openblas_", "scipy_openblas_")
_SUFFIXES = ("", "64_")


def library_info(path):
    lib = ctypes.CDLL(path)
    info = {"library": path}
    for field in ("get_config", "get_corename", "get_num_threads"):
        for prefix in _PREFIXES:
            for suffix in _SUFFIXES:
                fn = getattr(lib, prefix + field + suffix, None)
                if fn is None:
                    continue
                fn.restype = ctypes.c_int if field == "get_num_threads" else ctypes.c_char_p
                value = fn()
                info[field[4:]] = value.decode() if isinstance(value, bytes) else value
                break
            if field[4:] in info:
                break
    return info


def main():
    parser = argparse.ArgumentParser(description="Time OpenBLAS sgemm through numpy.")
    parser.add_argument("--threads", type=int, required=True, help="must equal OPENBLAS_NUM_THREADS")
    parser.add_argument("--sizes", default="256,512,1024,2048")
    parser.add_argument("--quick", action="store_true", help="short smoke run")
    args = parser.parse_args()
    if os.environ.get("OPENBLAS_NUM_THREADS") != str(args.threads):
        raise SystemExit("sgemm_bench: error: set OPENBLAS_NUM_THREADS=%d before starting Python" % args.threads)

    import numpy as np

    path = blas.openblas()
    if path is None:
        json.dump([{"suite": "openblas-skipped", "reason": "numpy %s at %s uses no OpenBLAS"
                    % (np.__version__, sys.executable)}], sys.stdout)
        sys.stdout.write("\n")
        return
    info = library_info(path)
    info.update({"suite": "openblas-version", "numpy": np.__version__, "python": sys.executable})
    records = [info]
    warmup, rounds, round_seconds = timing.config(args.quick)
    rng = np.random.default_rng(0)
    for n in (int(s) for s in args.sizes.split(",")):
        a = rng.standard_normal((n, n), dtype=np.float32)
        b = rng.standard_normal((n, n), dtype=np.float32)
        c = np.empty((n, n), dtype=np.float32)
        result = timing.measure(lambda: np.matmul(a, b, out=c), warmup, rounds, round_seconds)
        result.update({"suite": "openblas", "size": n, "threads": args.threads})
        records.append(result)
    json.dump(records, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
