#!/usr/bin/env python3
"""Build the peers table from one results directory that peers.sh filled.

Reads every *.json there: JMH result files (netspec's benchmarks, the FMA peak, OrtMlp, OrtResNet) and the
record lists of torch_bench.py and sgemm_bench.py, plus meta.json. Prints a Markdown table,
one row per (netspec measurement, peer): the peer's value, the ratio netspec / peer in speed
(above 1: netspec is faster), and the issue's target for that ratio where it sets one.
Peer rows with no netspec measurement yet are printed with "-" so a partial run still shows the
peers.

Usage: python3 table.py RESULTS_DIR
"""
import glob
import json
import os
import re
import sys

import blas
import models

# Issue 5 sets GEMM targets (>= 85% of FMA peak, >= OpenBLAS) for these sizes.
GEMM_TARGET_SIZES = (512, 1024, 2048)

# The issues' absolute goals, shown as a peer "issue N goal": workload -> (issue, us per call or
# None for no time goal, bytes per call). Issue 13: ResNet-18 allocates nothing once warm.
GOALS = {("mlp", "20-256-10", 2, 1): (5, 0.5, 0)}
GOALS.update({("cnn", "resnet18", batch, threads): (13, None, 0)
              for batch in models.RESNETS["resnet18"][1] for threads in (1, 2)})
# Issue 14: a warm decode step of GPT-2 small allocates nothing.
GOALS.update({("decode", "gpt2", context, 1): (14, None, 0) for context in (128, 512)})

# Issue 13's targets for ResNet-18 against ONNX Runtime (latency at batch 1 on one thread,
# throughput at batch 8) and for its 3x3 convolutions at batch 8, one thread, against the FMA peak.
RESNET_ORT_TARGET = 1.0
CONV3X3_PEAK_TARGET = (8, 0.88)
SCALING_TARGETS = {("784-1024-1024-10", 256): 1.8, ("resnet18", 8): 1.8}

# Issue 15's targets for one training step of an MLP (TrainStepBenchmark, torch_train_bench.py):
# >= 1.5x PyTorch on OpenBLAS and >= 0.7 of the FMA peak, and nothing allocated once warm.
TRAIN_TORCH_TARGET = 1.5
TRAIN_PEAK_TARGET = 0.7
GOALS.update({("train", "784-1024-1024-10", 64, threads): (15, None, 0) for threads in (1, 2)})

# Issue 14's target for the MiniLM-sized encoder against ONNX Runtime, one thread, batch 1 and 16;
# for GPT-2 small's prefill of 128 tokens and the 2-layer LSTM, one thread.
BERT_ORT_TARGET = 1.2
SEQ_ORT_TARGETS = {"minilm": BERT_ORT_TARGET, "gpt2": 1.0, "lstm": 1.0}

# Issue 14's goal for GPT-2 small's cached decode step: the bytes it must read per token (every
# weight and the KV caches once) at >= 0.8 of the machine's read bandwidth (MemoryBandwidthBenchmark
# in the same run), and nothing allocated once warm.
DECODE_BANDWIDTH_TARGET = 0.8
GPT2_WEIGHT_BYTES = (124439808 - 1023 * 768) * 4  # Gpt2DecodeBenchmark.WEIGHT_BYTES


def gpt2_bytes_per_step(context):
    """Gpt2DecodeBenchmark.bytesPerStep: the weights plus 12 layers' key and value caches."""
    return GPT2_WEIGHT_BYTES + 2 * 12 * context * 768 * 4


class Row:
    """One measurement: what ran (workload key), who ran it (impl), and how fast."""

    def __init__(self, impl, key, jdk, us, label):
        self.impl = impl  # "netspec", "ort", "torch", "openblas", "fma"
        # ("gemm", n, threads) | ("linear", batch, features, threads) | ("mlp", model, batch,
        # threads) | ("cnn", model, batch, threads) | ("fma", threads) | ("other", name, params, threads)
        self.key = key
        self.jdk = jdk  # JDK major version, or None for the Python peers
        self.us = us  # microseconds per call, or None where only a rate is known
        self.label = label  # benchmark name shown in the netspec column
        self.gflops_value = None
        self.shared = False  # another netspec benchmark measures the same workload on this JDK
        self.alloc = None  # bytes allocated per call (JMH's gc profiler), where measured
        self.jmh_alloc = None  # of those, JMH's own (JmhFloorBenchmark in the same run), if known
        self.iteration_s = None  # seconds per measured JMH iteration
        self.bytes_per_s = None  # a read bandwidth (MemoryBandwidthBenchmark), for ("bw", threads)

    def gflops(self):
        if self.gflops_value is not None:
            return self.gflops_value
        flops = workload_flops(self.key)
        return flops / self.us / 1e3 if flops and self.us else None


def workload_flops(key):
    if key[0] == "gemm":
        return 2 * key[1] ** 3
    if key[0] == "linear":
        return 2 * key[1] * key[2] ** 2
    if key[0] == "mlp" and key[1] in models.MLPS:
        return models.flops(key[1], key[2])
    if key[0] in ("cnn", "seq"):
        return models.flops(key[1], key[2])
    if key[0] == "train" and key[1] in models.MLPS:
        return train_flops(key[1], key[2])
    return None


def train_flops(model, batch):
    """FLOPs of one training step of an MLP: the forward, every weight's gradient (as many as
    the forward) and every input gradient but the first layer's (TrainStepBenchmark's count)."""
    w = models.widths(model)
    return 3 * models.flops(model, batch) - 2 * batch * w[0] * w[1]


def model_key(model, batch, threads):
    """The workload key of a whole model: ("cnn", ...) for a ResNet, ("seq", ...) for BERT,
    GPT-2's prefill and the LSTM, ("mlp", ...) otherwise."""
    sequence = model in models.BERTS or model in models.GPTS or model in models.LSTMS
    kind = "cnn" if model in models.RESNETS else "seq" if sequence else "mlp"
    return (kind, model, batch, threads)


# ---- reading -------------------------------------------------------------------------------

_TIME_UNITS = {"s/op": 1e6, "ms/op": 1e3, "us/op": 1.0, "ns/op": 1e-3}
_RATE_UNITS = {"ops/s": 1e-6, "ops/ms": 1e-3, "ops/us": 1.0, "ops/ns": 1e3}


def us_per_op(metric):
    """Microseconds per call from a JMH metric in any time or rate unit (None if unknown)."""
    unit, score = metric["scoreUnit"], metric["score"]
    if unit in _TIME_UNITS:
        return score * _TIME_UNITS[unit]
    if unit in _RATE_UNITS and score > 0:
        return 1.0 / (score * _RATE_UNITS[unit])
    return None


# JMH's gc profiler counts the bytes of every thread of the JVM, JMH's own too: about 3 KB a
# second of measurement (session 18's run: 6 KB a 2 s iteration in every benchmark, whatever its
# calls per iteration). JmhFloorBenchmark allocates nothing, so its bytes per iteration are JMH's;
# up to JMH_FLOOR_SLACK times their share of a call (their spread from one benchmark to another)
# is not counted against an allocation goal. The allocation tests (getThreadAllocatedBytes of the
# calling thread, exact) are what proves 0 bytes.
JMH_FLOOR_BENCHMARK = "dev.netspec.benchmarks.JmhFloorBenchmark.nothing"
JMH_FLOOR_SLACK = 1.25
_ITERATION_UNITS = {"min": 60.0, "s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9}


def iteration_seconds(record):
    """Seconds per measured iteration from JMH's "measurementTime" ("2 s", "300 ms"), or None."""
    parts = str(record.get("measurementTime", "")).split()
    if len(parts) == 2 and parts[1] in _ITERATION_UNITS:
        return float(parts[0]) * _ITERATION_UNITS[parts[1]]
    return None


def apply_jmh_floor(rows):
    """Sets each row's jmh_alloc (JMH's bytes per iteration over its calls per iteration, from
    the JmhFloorBenchmark row of its JDK) and drops the JmhFloorBenchmark rows."""
    floors = {r.jdk: r.alloc * r.iteration_s / (r.us * 1e-6) for r in rows
              if r.impl == "jmhfloor" and r.alloc is not None and r.iteration_s and r.us}
    for r in rows:
        if r.impl != "jmhfloor" and r.alloc is not None and r.jdk in floors and r.iteration_s and r.us:
            r.jmh_alloc = floors[r.jdk] * r.us * 1e-6 / r.iteration_s
    return [r for r in rows if r.impl != "jmhfloor"]


def allocates_beyond(row, allowed):
    """Whether a row allocates more than `allowed` bytes a call once JMH's own are set aside."""
    floor = JMH_FLOOR_SLACK * row.jmh_alloc if row.jmh_alloc is not None else 0.0
    # JMH's allocation per call has noise far below a byte: round it as the table shows it.
    return round(max(0.0, row.alloc - floor)) > allowed


# The FMA probe: netspec's FmaPeakBenchmark since session 10; the peers' own FmaPeak in older runs.
FMA_PEAK_BENCHMARKS = ("dev.netspec.benchmarks.FmaPeakBenchmark.fmaChains", "dev.netspec.peers.FmaPeak.fma")


def read_jmh(record):
    """Rows from one JMH result record, or [] when it is not one the table knows."""
    name = record["benchmark"]
    params = record.get("params", {})
    jdk = int(record["jdkVersion"].split(".")[0].split("-")[0])
    threads = int(params.get("threads", record["threads"]))
    us = us_per_op(record["primaryMetric"])
    if name == JMH_FLOOR_BENCHMARK:
        row = Row("jmhfloor", ("jmhfloor",), jdk, us, "JmhFloorBenchmark")
        row.alloc = alloc_per_op(record)
        row.iteration_s = iteration_seconds(record)
        return [row]
    if name.endswith(".MemoryBandwidthBenchmark.readAll"):
        row = Row("bw", ("bw", threads), jdk, us, "MemoryBandwidthBenchmark")
        row.bytes_per_s = int(params.get("mib", 256)) * 2 ** 20 / (us * 1e-6)
        return [row]
    if name in FMA_PEAK_BENCHMARKS:
        row = Row("fma", ("fma", record["threads"]), jdk, None, name.split(".")[-2])
        row.gflops_value = record["secondaryMetrics"]["flop"]["score"] / 1e9
        return [row]
    if name == "dev.netspec.peers.OrtMlp.forward":
        row = Row("ort", model_key(params["model"], int(params["batch"]), threads), jdk, us, "OrtMlp")
    elif name == "dev.netspec.peers.OrtBert.forward":
        row = Row("ort", model_key("minilm", int(params["batch"]), threads), jdk, us, "OrtBert")
    elif name == "dev.netspec.peers.OrtGpt2Prefill.forward":
        row = Row("ort", model_key("gpt2", int(params["batch"]), threads), jdk, us, "OrtGpt2Prefill")
    elif name == "dev.netspec.peers.OrtLstm.forward":
        row = Row("ort", model_key("lstm", int(params["batch"]), threads), jdk, us, "OrtLstm")
    elif name == "dev.netspec.peers.OrtResNet.forward":
        row = Row("ort", model_key("resnet18", int(params["batch"]), threads), jdk, us, "OrtResNet")
    else:
        row = Row("netspec", classify_netspec(name, params, threads), jdk, us, ".".join(name.split(".")[-2:]))
    row.alloc = alloc_per_op(record)
    row.iteration_s = iteration_seconds(record)
    return [row]


def alloc_per_op(record):
    """Bytes allocated per call from JMH's gc profiler (-prof gc), or None without it."""
    for name, metric in record.get("secondaryMetrics", {}).items():
        if name.lstrip("\u00b7") == "gc.alloc.rate.norm":
            return metric["score"]
    return None


_MODEL_IN_NAME = (("784", "784-1024-1024-10"), ("tutorial", "20-256-10"), ("20_256", "20-256-10"),
                  ("20256", "20-256-10"))


def classify_netspec(name, params, threads):
    """The workload key of a netspec benchmark, from its name and @Param values.

    GEMM: a name with "gemm" or "matmul" and an int param "size" or "n" (square n x n x n).
    Linear: a name with "linear" and params "batch" and "features" (features -> features).
    MLP: a name with "mlp" and a param "batch"; the model from a param whose value is the widths
    ("784-1024-1024-10") or from the name ("784", "tutorial").
    ResNet-18: a name with "resnet" and a param "batch": the whole network, or its 3x3
    convolutions alone when the name also has "conv3x3" (ResNet18Benchmark.conv3x3).
    BERT: a name with "bert" and a param "batch": the MiniLM-sized encoder at 128 tokens.
    GPT-2 decode: a name with "gpt2" and "decode" and a param "context": one cached step of GPT-2
    small at that context, ("decode", "gpt2", context, threads).
    GPT-2 prefill: a name with "gpt2" and "prefill" and a param "batch": ("seq", "gpt2", batch, threads).
    LSTM: a name with "lstm" and a param "batch": models.py's "lstm", ("seq", "lstm", batch, threads).
    Anything else: ("other", name).
    """
    lower = name.lower()
    if "trainstep" in lower and params.get("batch", "").isdigit():
        model = next((v for v in params.values() if re.fullmatch(r"\d+(-\d+)+", v)), "784-1024-1024-10")
        return ("train", model, int(params["batch"]), threads)
    if "gpt2" in lower and "decode" in lower and params.get("context", "").isdigit():
        return ("decode", "gpt2", int(params["context"]), threads)
    if "gpt2" in lower and "prefill" in lower and params.get("batch", "").isdigit():
        return ("seq", "gpt2", int(params["batch"]), threads)
    if "lstm" in lower and params.get("batch", "").isdigit():
        return ("seq", "lstm", int(params["batch"]), threads)
    if "bert" in lower and params.get("batch", "").isdigit():
        return ("seq", "minilm", int(params["batch"]), threads)
    if "resnet" in lower and params.get("batch", "").isdigit():
        return ("cnn", models.CONV3X3 if "conv3x3" in lower else "resnet18", int(params["batch"]), threads)
    size = next((params[p] for p in ("size", "n") if p in params), None)
    if ("gemm" in lower or "matmul" in lower) and size is not None and size.isdigit():
        return ("gemm", int(size), threads)
    if "linear" in lower and params.get("batch", "").isdigit() and params.get("features", "").isdigit():
        return ("linear", int(params["batch"]), int(params["features"]), threads)
    if "mlp" in lower and params.get("batch", "").isdigit():
        model = next((v for v in params.values() if re.fullmatch(r"\d+(-\d+)+", v)), None)
        if model is None:
            model = next((m for token, m in _MODEL_IN_NAME if token in lower), None)
        if model is not None:
            return ("mlp", model, int(params["batch"]), threads)
    return ("other", name, tuple(sorted(params.items())), threads)


def read_python(record):
    if record["suite"] == "torch":
        return [Row("torch", model_key(record["model"], record["batch"], record["threads"]), None,
                    record["us"], "torch")]
    if record["suite"] == "torch-train":
        return [Row("torch", ("train", record["model"], record["batch"], record["threads"]), None,
                    record["us"], "torch")]
    if record["suite"] == "openblas":
        return [Row("openblas", ("gemm", record["size"], record["threads"]), None, record["us"], "openblas")]
    return []


def read_dir(path):
    rows, info = [], {}
    for file in sorted(glob.glob(os.path.join(path, "*.json"))):
        with open(file) as f:
            data = json.load(f)
        if isinstance(data, dict):
            info[os.path.basename(file)[:-5]] = data
            continue
        for record in data:
            if "benchmark" in record:
                rows.extend(read_jmh(record))
            elif record.get("suite") in ("torch", "torch-train", "openblas"):
                rows.extend(read_python(record))
            else:
                info[record["suite"]] = record
    return apply_jmh_floor(rows), info


# ---- pairing -------------------------------------------------------------------------------


def peers_of(key):
    """[(peer impl, peer key, same JDK?, minimum ratio or None)] for a workload key."""
    if key[0] == "gemm":
        n, threads = key[1], key[2]
        target = GEMM_TARGET_SIZES[0] <= n <= GEMM_TARGET_SIZES[-1]
        return [("fma", ("fma", threads), True, 0.85 if target else None),
                ("openblas", key, False, 1.0 if target else None)]
    if key[0] == "mlp":
        model, batch, threads = key[1], key[2], key[3]
        ort_target = None
        if model == "784-1024-1024-10":
            ort_target = 1.1 if batch in (32, 256) else 1.0
        result = [("ort", key, True, ort_target), ("torch", key, False, None)]
        if key in GOALS:
            result.append(("goal", key, False, 1.0))
        return result + scaling_peer(key)
    if key[0] == "cnn" and key[1] == models.CONV3X3:
        batch, threads = key[2], key[3]
        target = CONV3X3_PEAK_TARGET[1] if batch == CONV3X3_PEAK_TARGET[0] and threads == 1 else None
        return [("fma", ("fma", threads), True, target)] + scaling_peer(key)
    if key[0] == "cnn":
        batch, threads = key[2], key[3]
        # batch 1: latency on one thread; batch 8: throughput on any number of threads
        ort_target = RESNET_ORT_TARGET if batch == 8 or threads == 1 else None
        return [("ort", key, True, ort_target), ("torch", key, False, None),
                ("fma", ("fma", threads), True, None), ("goal", key, False, None)] + scaling_peer(key)
    if key[0] == "seq":
        threads = key[3]
        return [("ort", key, True, SEQ_ORT_TARGETS[key[1]] if threads == 1 else None), ("torch", key, False, None),
                ("fma", ("fma", threads), True, None)] + scaling_peer(key)
    if key[0] == "decode":
        return [("bw", ("bw", 1), True, DECODE_BANDWIDTH_TARGET), ("goal", key, False, None)]
    if key[0] == "train":
        return [("torch", key, False, TRAIN_TORCH_TARGET),
                ("fma", ("fma", key[3]), True, TRAIN_PEAK_TARGET), ("goal", key, False, None)]
    return []


def scaling_peer(key):
    """netspec's own 1-thread run as the peer of a run on more threads, with the issues' target."""
    kind, model, batch, threads = key
    if threads == 1:
        return []
    return [("netspec", (kind, model, batch, 1), True, SCALING_TARGETS.get((model, batch)))]


def workload_name(key):
    if key[0] == "gemm":
        return "GEMM %d" % key[1]
    if key[0] == "mlp":
        return "MLP %s b%d" % (key[1], key[2])
    if key[0] == "cnn":
        return "%s b%d" % ("ResNet-18 3x3 convs" if key[1] == models.CONV3X3 else "ResNet-18", key[2])
    if key[0] == "seq" and key[1] in models.GPTS:
        return "GPT-2 small prefill s%d b%d" % (models.GPTS[key[1]][1], key[2])
    if key[0] == "seq" and key[1] in models.LSTMS:
        (_, hidden, layers), steps, _ = models.LSTMS[key[1]]
        return "LSTM %dx%d s%d b%d" % (layers, hidden, steps, key[2])
    if key[0] == "seq":
        return "BERT MiniLM s%d b%d" % (models.BERTS[key[1]][1], key[2])
    if key[0] == "decode":
        return "GPT-2 small decode ctx%d" % key[2]
    if key[0] == "train":
        return "MLP train step %s b%d" % (key[1], key[2])
    if key[0] == "fma":
        return "FMA peak"
    if key[0] == "linear":
        return "Linear %d->%d b%d" % (key[2], key[2], key[1])
    return key[1].split(".")[-2] + "." + key[1].split(".")[-1] + "".join(" %s=%s" % kv for kv in key[2])


PEER_NAMES = {"fma": "FMA peak", "bw": "bandwidth", "openblas": "OpenBLAS sgemm", "ort": "ONNX Runtime",
              "torch": "PyTorch", "netspec": "netspec 1 thread"}


def key_threads(key):
    return key[-1]


def sort_key(key):
    order = {"fma": 0, "bw": 0, "gemm": 1, "linear": 2, "mlp": 3, "train": 4, "cnn": 5, "seq": 6,
             "decode": 7, "other": 8}[key[0]]
    return (order, str(key[1]) if key[0] in ("mlp", "train", "cnn", "seq", "decode", "other") else "",
            key[1] if key[0] in ("gemm", "linear") else 0,
            key[2] if key[0] in ("mlp", "train", "cnn", "seq", "decode", "linear") else 0, key_threads(key))


def table(rows):
    """Lines of the Markdown table."""
    by_impl = {}
    for r in rows + goal_rows():
        by_impl.setdefault((r.impl, r.key, r.jdk), r)
    jdks = sorted({r.jdk for r in rows if r.jdk is not None})
    out = [("workload", "thr", "jdk", "netspec", "peer", "peer value", "ratio", "target")]
    netspec = [r for r in rows if r.impl == "netspec"]
    keys = sorted({r.key for r in rows if r.impl != "netspec"} | {r.key for r in netspec}, key=sort_key)
    for key in keys:
        if key[0] == "bw":
            for jdk in jdks:
                bw = by_impl.get(("bw", key, jdk))
                if bw:
                    out.append(("memory read bandwidth", str(key[1]), str(jdk), "-", "bandwidth",
                                fmt(bw, key), "-", "-"))
            continue
        if key[0] == "fma":
            for jdk in jdks:
                peak = by_impl.get(("fma", key, jdk))
                if peak:
                    out.append(("FMA peak", str(key[1]), str(jdk), "-", "FMA peak", fmt_rate(peak), "-", "-"))
            continue
        mine = [r for r in netspec if r.key == key]
        for own in mine:  # several netspec benchmarks of one workload are told apart by name
            own.shared = sum(r.jdk == own.jdk for r in mine) > 1
        for own in mine:
            before = len(out)
            for impl, peer_key, same_jdk, target in peers_of(key):
                peer = by_impl.get((impl, peer_key, own.jdk if same_jdk else None))
                if peer is not None:
                    out.append(line_for(key, own.jdk, own, impl, peer, target))
            if len(out) == before:  # no peer measured this workload
                out.append(line_for(key, own.jdk, own, None, None, None))
        if mine:
            continue
        # No netspec measurement (yet): show the peers alone, once per JDK where the JDK matters
        # (not the FMA peak: it has its own rows).
        for impl, peer_key, same_jdk, target in peers_of(key):
            for jdk in jdks if same_jdk else [None]:
                peer = by_impl.get((impl, peer_key, jdk))
                if peer is not None and impl not in ("netspec", "goal", "fma"):
                    out.append(line_for(key, jdk, None, impl, peer, target))
    widths = [max(len(row[i]) for row in out) for i in range(len(out[0]))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths)) + " |" for row in out]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return lines


def goal_rows():
    rows = []
    for key, (issue, us, alloc) in GOALS.items():
        row = Row("goal", key, None, us, "issue %d goal" % issue)
        row.alloc = alloc
        if us is None:
            row.gflops_value = 0.0  # no speed goal: never a ratio
        rows.append(row)
    return rows


def line_for(key, jdk, own, impl, peer, target):
    """One table line: netspec's measurement own (or None) against one peer measurement."""
    name = workload_name(key) + (" [%s]" % own.label if own is not None and own.shared else "")
    return (name, str(key_threads(key)), "-" if jdk is None else str(jdk),
            fmt(own, key) if own else "-", peer.label if impl == "goal" else PEER_NAMES.get(impl, "-"),
            fmt(peer, key) if peer else "-",
            fmt_ratio(own, peer), fmt_target(own, peer, target))


def speed(row):
    """Higher is faster: bytes/s for a decode step and a bandwidth (their ratio is the fraction
    of the bandwidth), else GFLOP/s where known, else calls per microsecond."""
    if row.bytes_per_s is not None:
        return row.bytes_per_s
    if row.key[0] == "decode" and row.us:
        return gpt2_bytes_per_step(row.key[2]) / (row.us * 1e-6)
    g = row.gflops()
    if g is not None:
        return g
    return 1.0 / row.us if row.us else None


def fmt(row, key):
    if row.bytes_per_s is not None:
        return "%.1f GB/s" % (row.bytes_per_s / 1e9)
    g = row.gflops()
    parts = []
    if row.us is not None and key[0] != "gemm":
        if row.us >= 1e4:
            parts.append("%.2f ms" % (row.us / 1e3))
        else:
            parts.append(("%.3g us" if row.us < 10 else "%.1f us") % row.us)
    if g:
        parts.append("%.1f GFLOP/s" % g)
    if key[0] == "decode" and row.us and row.impl == "netspec":
        parts.append("%.1f tokens/s, %.1f GB/s" % (1e6 / row.us, speed(row) / 1e9))
    if row.alloc is not None and row.jmh_alloc is not None:
        parts.append("%.0f B/op (JMH's own %.0f)" % (row.alloc, row.jmh_alloc))
    elif row.alloc is not None:
        parts.append("%.0f B/op" % row.alloc)
    return ", ".join(parts) or "-"


def fmt_rate(row):
    return "%.1f GFLOP/s" % row.gflops()


def fmt_ratio(own, peer):
    if own is None or peer is None:
        return "-"
    a, b = speed(own), speed(peer)
    return "%.2f" % (a / b) if a and b else "-"


def fmt_target(own, peer, target):
    if peer is not None and peer.impl == "goal" and target is None:  # an allocation goal only
        if own is None:
            return "%.0f B/op" % peer.alloc
        if own.alloc is None:
            return "%.0f B/op: not measured" % peer.alloc
        return "%.0f B/op %s" % (peer.alloc, "MISSED" if allocates_beyond(own, peer.alloc) else "ok")
    if target is None or peer is None:
        return "-"
    if own is None:
        return ">= %.2f" % target
    a, b = speed(own), speed(peer)
    ok = a and b and a / b >= target
    if peer.impl == "goal" and own.alloc is not None and allocates_beyond(own, peer.alloc):
        return ">= %.2f MISSED (allocates)" % target
    return ">= %.2f %s" % (target, "ok" if ok else "MISSED")


def header(info):
    meta = info.get("meta", {})
    lines = ["netspec vs peers, %s" % meta.get("date", "?"), ""]
    for k in ("command", "git", "cpu", "cores", "mode"):
        if k in meta:
            lines.append("- %s: %s" % (k, meta[k]))
    for name, m in sorted(info.items()):
        if name.startswith("machine-jdk"):
            lines.append("- JDK %s: %s, %d-bit vectors (%d float lanes)"
                         % (m["java_version"], m["java_vm"], m["vector_bits"], m["float_lanes"]))
    if "openblas-version" in info:
        o = info["openblas-version"]
        lines.append("- OpenBLAS: %s (kernel %s), numpy %s" % (o.get("config", "?"), o.get("corename", "?"),
                                                               o.get("numpy", "?")))
    if "openblas-skipped" in info:
        lines.append("- OpenBLAS: skipped, %s" % info["openblas-skipped"]["reason"])
    if "torch-version" in info:
        t = info["torch-version"]
        lines.append("- PyTorch: %s, BLAS %s, convolutions on %s" % (
            t["torch"], ", ".join(t.get("blas", [])) or "?", t.get("onednn") or "no oneDNN"))
        if blas.is_reference(t.get("blas", [])):
            lines.append("  - WARNING: this PyTorch runs on the reference BLAS (libblas3), far slower than"
                         " PyTorch normally is; install libopenblas0-pthread for a fair peer")
    if "onnxruntime" in meta:
        lines.append("- ONNX Runtime Java: %s" % meta["onnxruntime"])
    lines += ["- ratio: netspec speed / peer speed (above 1: netspec is faster); target: the goal of"
              " issue 5 (GEMM, MLP), issue 13 (ResNet-18), issue 14 (BERT; GPT-2 decode, whose ratio"
              " against the bandwidth is the fraction of it that reading the weights and cache once"
              " per token implies) or issue 15 (an MLP training step: forward, backward, SGD)", ""]
    return lines


def main(argv):
    if len(argv) != 2 or not os.path.isdir(argv[1]):
        print("usage: table.py RESULTS_DIR", file=sys.stderr)
        return 2
    rows, info = read_dir(argv[1])
    print("\n".join(header(info) + table(rows)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
