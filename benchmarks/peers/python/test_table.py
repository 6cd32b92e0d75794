"""Tests of table.py on hand-made results (run: python3 -m unittest discover benchmarks/peers/python).

Expected values are computed by hand in the comments, never taken from table.py's output.
"""
import json
import os
import tempfile
import unittest

import models
import table


def jmh(benchmark, score, unit, params=None, threads=1, jdk="17.0.15", secondary=None, iteration=None):
    """A JMH JSON result record with only the fields table.py reads."""
    record = {
        "benchmark": benchmark,
        "jdkVersion": jdk,
        "threads": threads,
        "params": params or {},
        "primaryMetric": {"score": score, "scoreUnit": unit},
        "secondaryMetrics": secondary or {},
    }
    if iteration is not None:
        record["measurementTime"] = iteration
    return record


def table_of(files):
    """The table's lines for results files {name: records}, written to a temporary directory."""
    with tempfile.TemporaryDirectory() as directory:
        for name, records in files.items():
            with open(os.path.join(directory, name), "w") as f:
                json.dump(records, f)
        return table.table(table.read_dir(directory)[0])


class UnitsTest(unittest.TestCase):
    def test_time_units(self):
        self.assertAlmostEqual(table.us_per_op({"score": 2.0, "scoreUnit": "ms/op"}), 2000.0)
        self.assertAlmostEqual(table.us_per_op({"score": 250.0, "scoreUnit": "ns/op"}), 0.25)

    def test_rate_units(self):
        # 1000 calls a second: 1000 us a call; 4 calls a microsecond: 0.25 us
        self.assertAlmostEqual(table.us_per_op({"score": 1000.0, "scoreUnit": "ops/s"}), 1000.0)
        self.assertAlmostEqual(table.us_per_op({"score": 4.0, "scoreUnit": "ops/us"}), 0.25)

    def test_unknown_unit(self):
        self.assertIsNone(table.us_per_op({"score": 1.0, "scoreUnit": "B/op"}))


class ClassifyTest(unittest.TestCase):
    def test_gemm_by_size(self):
        key = table.classify_netspec("dev.netspec.bench.GemmBenchmark.vector", {"size": "512"}, 1)
        self.assertEqual(key, ("gemm", 512, 1))

    def test_mlp_model_from_param(self):
        key = table.classify_netspec("dev.netspec.bench.MlpBenchmark.forward",
                                     {"model": "784-1024-1024-10", "batch": "32"}, 2)
        self.assertEqual(key, ("mlp", "784-1024-1024-10", 32, 2))

    def test_mlp_model_from_name(self):
        key = table.classify_netspec("dev.netspec.bench.TutorialMlpBenchmark.forward", {"batch": "2"}, 1)
        self.assertEqual(key, ("mlp", "20-256-10", 2, 1))

    def test_linear(self):
        key = table.classify_netspec("dev.netspec.benchmarks.LinearBenchmark.linearRelu",
                                     {"batch": "64", "features": "256"}, 1)
        self.assertEqual(key, ("linear", 64, 256, 1))
        # 2 * 64 * 256 * 256
        self.assertEqual(table.workload_flops(key), 8388608)

    def test_resnet18_whole_and_its_3x3_convolutions(self):
        key = table.classify_netspec("dev.netspec.benchmarks.ResNet18Benchmark.forward", {"batch": "8"}, 2)
        self.assertEqual(key, ("cnn", "resnet18", 8, 2))
        key = table.classify_netspec("dev.netspec.benchmarks.ResNet18Benchmark.conv3x3",
                                     {"batch": "8", "threads": "1"}, 1)
        self.assertEqual(key, ("cnn", "resnet18-conv3x3", 8, 1))

    def test_other(self):
        key = table.classify_netspec("dev.netspec.bench.LayerNormBenchmark.forward", {"batch": "8"}, 1)
        self.assertEqual(key[0], "other")


class ResNetFlopsTest(unittest.TestCase):
    def test_resnet18_multiply_adds_by_hand(self):
        # stem 7x7/2 to 112x112: 112*112*64*3*49                          = 118,013,952
        # layer1, 4 convs 3x3 at 56x56, 64 -> 64: 4 * 56*56*64*64*9       = 462,422,016
        # layers 2-4, each: a 3x3 conv from c/2 channels, 3 from c, a 1x1 downsample; the side
        # halves as the channels double, so each stage is the same:
        #   28*28*128*64*9 + 3 * 28*28*128*128*9 + 28*28*128*64           = 411,041,792
        # fc 512 -> 1000                                                   = 512,000
        # 118,013,952 + 462,422,016 + 3 * 411,041,792 + 512,000 = 1,814,073,344 multiply-adds,
        # torchvision's "1.81 GFLOPS"; and export_onnx.py counts them again with forward hooks.
        self.assertEqual(models.flops("resnet18", 1), 2 * 1814073344)
        self.assertEqual(models.flops("resnet18", 8), 16 * 1814073344)

    def test_resnet18_3x3_convolutions(self):
        # all but the stem, the three 1x1 downsamples and fc:
        # 462,422,016 + 3 * (28*28*128*64*9 + 3 * 28*28*128*128*9) = 462,422,016 + 3 * 404,619,264
        self.assertEqual(models.flops("resnet18-conv3x3", 1), 2 * (462422016 + 3 * 404619264))


class TableTest(unittest.TestCase):
    def write_results(self, directory):
        files = {
            "jmh-jdk17-netspec.json": [
                # 2 * 512^3 = 268435456 FLOP in 1342.17728 us: 200.0 GFLOP/s
                jmh("x.GemmBenchmark.gemm", 1342.17728, "us/op", {"size": "512"}),
                jmh("x.MlpBenchmark.forward", 0.5, "ms/op", {"model": "784-1024-1024-10", "batch": "32"}),
                # two benchmarks of the tutorial MLP, one with JMH's gc profiler
                jmh("x.TutorialMlp.generated", 0.25, "us/op", {"batch": "2"},
                    secondary={"gc.alloc.rate.norm": {"score": 0.0004, "scoreUnit": "B/op"}}),
                jmh("x.TutorialMlp.handWritten", 0.5, "us/op", {"batch": "2"}),
            ],
            "jmh-jdk17-fma-t1.json": [
                jmh("dev.netspec.benchmarks.FmaPeakBenchmark.fmaChains", 1.0, "ops/s", secondary={"flop": {"score": 250e9}}),
            ],
            "jmh-jdk17-ort.json": [
                jmh("dev.netspec.peers.OrtMlp.forward", 5.0, "us/op",
                    {"model": "20-256-10", "batch": "2", "threads": "1"},
                    secondary={"\u00b7gc.alloc.rate.norm": {"score": 712.0, "scoreUnit": "B/op"}}),
                jmh("dev.netspec.peers.OrtMlp.forward", 600.0, "us/op",
                    {"model": "784-1024-1024-10", "batch": "32", "threads": "1"}),
            ],
            # OpenBLAS at 160 GFLOP/s: 268435456 / 160e3 = 1677.7216 us
            "openblas-t1.json": [{"suite": "openblas", "size": 512, "threads": 1, "us": 1677.7216}],
        }
        for name, records in files.items():
            with open(os.path.join(directory, name), "w") as f:
                json.dump(records, f)

    def lines(self):
        with tempfile.TemporaryDirectory() as directory:
            self.write_results(directory)
            rows, _ = table.read_dir(directory)
            return table.table(rows)

    def find(self, lines, *words):
        found = [line for line in lines if all(w in line for w in words)]
        self.assertEqual(len(found), 1, "one line with %s in:\n%s" % (words, "\n".join(lines)))
        return [cell.strip() for cell in found[0].strip("|").split("|")]

    def test_gemm_against_fma_peak(self):
        cells = self.find(self.lines(), "GEMM 512", "FMA peak")
        # 200 / 250 = 0.80, below the 0.85 target
        self.assertEqual(cells[3], "200.0 GFLOP/s")
        self.assertEqual(cells[6], "0.80")
        self.assertEqual(cells[7], ">= 0.85 MISSED")

    def test_gemm_against_openblas(self):
        cells = self.find(self.lines(), "GEMM 512", "OpenBLAS")
        # 200 / 160 = 1.25; OpenBLAS does not depend on the JDK but the netspec row does
        self.assertEqual(cells[2], "17")
        self.assertEqual(cells[5], "160.0 GFLOP/s")
        self.assertEqual(cells[6], "1.25")
        self.assertEqual(cells[7], ">= 1.00 ok")

    def test_mlp_against_onnx_runtime(self):
        cells = self.find(self.lines(), "MLP 784-1024-1024-10 b32", "ONNX Runtime")
        # 600 us / 500 us = 1.20 against a 1.10 target
        self.assertEqual(cells[3].split(",")[0], "500.0 us")
        self.assertEqual(cells[6], "1.20")
        self.assertEqual(cells[7], ">= 1.10 ok")

    def test_benchmarks_of_one_workload_are_told_apart(self):
        lines = self.lines()
        generated = self.find(lines, "MLP 20-256-10 b2 [TutorialMlp.generated]", "ONNX Runtime")
        hand = self.find(lines, "MLP 20-256-10 b2 [TutorialMlp.handWritten]", "ONNX Runtime")
        # 5 us / 0.25 us = 20; 5 us / 0.5 us = 10
        self.assertEqual(generated[6], "20.00")
        self.assertEqual(hand[6], "10.00")

    def test_tutorial_mlp_against_the_absolute_goal(self):
        lines = self.lines()
        generated = self.find(lines, "[TutorialMlp.generated]", "issue 5 goal")
        hand = self.find(lines, "[TutorialMlp.handWritten]", "issue 5 goal")
        # goal 0.5 us and 0 bytes: 0.5 / 0.25 = 2.00, allocation 0; 0.5 / 0.5 = 1.00, allocation unknown
        self.assertEqual(generated[6], "2.00")
        self.assertEqual(generated[7], ">= 1.00 ok")
        self.assertEqual(hand[6], "1.00")
        self.assertEqual(hand[7], ">= 1.00 ok")

    def test_allocation_misses_the_goal(self):
        with tempfile.TemporaryDirectory() as directory:
            with open(os.path.join(directory, "jmh.json"), "w") as f:
                json.dump([jmh("x.TutorialMlp.forward", 0.2, "us/op", {"batch": "2"},
                               secondary={"gc.alloc.rate.norm": {"score": 48.0}})], f)
            lines = table.table(table.read_dir(directory)[0])
        cells = self.find(lines, "MLP 20-256-10 b2", "issue 5 goal")
        self.assertEqual(cells[7], ">= 1.00 MISSED (allocates)")

    def test_allocation_is_shown(self):
        cells = self.find(self.lines(), "[TutorialMlp.generated]", "ONNX Runtime")
        self.assertTrue(cells[3].endswith(", 0 B/op"), cells[3])
        self.assertTrue(cells[5].endswith(", 712 B/op"), cells[5])


class JmhFloorTest(unittest.TestCase):
    """JMH's own bytes per iteration (JmhFloorBenchmark) set aside before an allocation goal."""

    def lines(self, step_bytes):
        train = {"model": "784-1024-1024-10", "batch": "64", "threads": "1"}
        return table_of({"jmh-jdk17-netspec.json": [
            # 2 ns a call, 0.000006 B a call, 2 s iterations: 1e9 calls, 6,000 bytes an iteration
            jmh(table.JMH_FLOOR_BENCHMARK, 2.0, "ns/op", iteration="2 s",
                secondary={"gc.alloc.rate.norm": {"score": 0.000006}}),
            # 4 ms a step: 500 steps an iteration, so 6,000 / 500 = 12 bytes a step are JMH's
            jmh("x.TrainStepBenchmark.step", 4.0, "ms/op", train, iteration="2 s",
                secondary={"gc.alloc.rate.norm": {"score": step_bytes}}),
        ]})

    def test_jmh_share_is_shown_and_not_counted(self):
        cells = TableTest.find(self, self.lines(14.0), "MLP train step", "issue 15 goal")
        # 14 <= 1.25 * 12 = 15
        self.assertTrue(cells[3].endswith(", 14 B/op (JMH's own 12)"), cells[3])
        self.assertEqual(cells[7], "0 B/op ok")

    def test_more_than_jmh_share_misses(self):
        cells = TableTest.find(self, self.lines(40.0), "MLP train step", "issue 15 goal")
        # 40 - 15 = 25 bytes a step beyond JMH's
        self.assertEqual(cells[7], "0 B/op MISSED")

    def test_no_floor_row_in_the_table(self):
        self.assertFalse(any("JmhFloor" in line for line in self.lines(12.0)))

    def test_iteration_seconds(self):
        self.assertEqual(table.iteration_seconds({"measurementTime": "300 ms"}), 0.3)
        self.assertEqual(table.iteration_seconds({"measurementTime": "2 s"}), 2.0)
        self.assertIsNone(table.iteration_seconds({}))


class ResNetTableTest(unittest.TestCase):
    # ResNet-18 at batch 8: 8 * 3,628,146,688 = 29,025,173,504 FLOP; at 72,562.93376 us that is
    # 400.0 GFLOP/s. Its 3x3 convolutions: 8 * 2 * 1,676,279,808 = 26,820,476,928 FLOP.
    B8_US = 72562.93376

    def lines(self, netspec=True):
        files = {
            "jmh-jdk17-fma-t1.json": [jmh("dev.netspec.benchmarks.FmaPeakBenchmark.fmaChains", 1.0, "ops/s",
                                          secondary={"flop": {"score": 500e9}})],
            "jmh-jdk17-fma-t2.json": [jmh("dev.netspec.benchmarks.FmaPeakBenchmark.fmaChains", 1.0, "ops/s", threads=2,
                                          secondary={"flop": {"score": 1000e9}})],
            "jmh-jdk17-ort-resnet.json": [
                # ONNX Runtime at 50 ms a call, batch 1 and 8, 1 thread
                jmh("dev.netspec.peers.OrtResNet.forward", 50.0, "ms/op", {"batch": "1", "threads": "1"}),
                jmh("dev.netspec.peers.OrtResNet.forward", 80.0, "ms/op", {"batch": "8", "threads": "1"}),
            ],
            "torch-t1.json": [{"suite": "torch", "model": "resnet18", "batch": 8, "threads": 1, "us": 60000.0}],
        }
        if netspec:
            gc = {"gc.alloc.rate.norm": {"score": 0.01}}
            files["jmh-jdk17-netspec.json"] = [
                jmh("x.ResNet18Benchmark.forward", self.B8_US, "us/op", {"batch": "8", "threads": "1"},
                    secondary=gc),
                # 2 threads at 1.7x: 72,562.93376 / 1.7 = 42,684.0787 us
                jmh("x.ResNet18Benchmark.forward", 42684.0787, "us/op", {"batch": "8", "threads": "2"},
                    secondary={"gc.alloc.rate.norm": {"score": 96.0}}),
                # 26,820,476,928 FLOP at 450 GFLOP/s: 59,601.0598 us
                jmh("x.ResNet18Benchmark.conv3x3", 59601.0598, "us/op", {"batch": "8", "threads": "1"}),
            ]
        return table_of(files)

    find = TableTest.find

    def test_against_onnx_runtime(self):
        cells = self.find(self.lines(), "| ResNet-18 b8 ", "ONNX Runtime")
        # 80 ms / 72.56 ms = 1.10 against >= 1.00
        self.assertEqual(cells[3], "72.56 ms, 400.0 GFLOP/s, 0 B/op")
        self.assertEqual(cells[5], "80.00 ms, 362.8 GFLOP/s")
        self.assertEqual(cells[6], "1.10")
        self.assertEqual(cells[7], ">= 1.00 ok")

    def test_fraction_of_the_fma_peak(self):
        cells = self.find(self.lines(), "| ResNet-18 b8 ", "| 1 ", "FMA peak")
        # 400 / 500 = 0.80; no target for the whole network
        self.assertEqual(cells[6], "0.80")
        self.assertEqual(cells[7], "-")

    def test_3x3_convolutions_against_the_fma_peak(self):
        cells = self.find(self.lines(), "ResNet-18 3x3 convs b8", "FMA peak")
        # 450 / 500 = 0.90 against >= 0.88
        self.assertEqual(cells[3], "59.60 ms, 450.0 GFLOP/s")
        self.assertEqual(cells[6], "0.90")
        self.assertEqual(cells[7], ">= 0.88 ok")

    def test_two_threads_scaling_misses(self):
        cells = self.find(self.lines(), "| ResNet-18 b8 ", "| 2 ", "netspec 1 thread")
        self.assertEqual(cells[6], "1.70")
        self.assertEqual(cells[7], ">= 1.80 MISSED")

    def test_allocation_goal(self):
        lines = self.lines()
        one = self.find(lines, "| ResNet-18 b8 ", "| 1 ", "issue 13 goal")
        two = self.find(lines, "| ResNet-18 b8 ", "| 2 ", "issue 13 goal")
        # 0.01 B/op rounds to 0: ok; 96 B/op misses
        self.assertEqual(one[7], "0 B/op ok")
        self.assertEqual(two[7], "0 B/op MISSED")

    def test_peers_alone_before_netspec_has_a_resnet(self):
        lines = self.lines(netspec=False)
        cells = self.find(lines, "| ResNet-18 b1 ", "ONNX Runtime")
        # 2 * 1,814,073,344 FLOP in 50 ms: 72.6 GFLOP/s
        self.assertEqual(cells[3], "-")
        self.assertEqual(cells[5], "50.00 ms, 72.6 GFLOP/s")
        self.assertEqual(cells[7], ">= 1.00")
        torch = self.find(lines, "| ResNet-18 b8 ", "PyTorch")
        self.assertEqual(torch[5], "60.00 ms, 483.8 GFLOP/s")
        self.assertFalse([line for line in lines if "ResNet" in line and "FMA peak" in line])


class SequencePeersTableTest(unittest.TestCase):
    """GPT-2 small's prefill of 128 tokens and the 2-layer LSTM against ONNX Runtime."""

    def lines(self):
        files = {
            "jmh-jdk17-ort-seq.json": [
                jmh("dev.netspec.peers.OrtGpt2Prefill.forward", 320.0, "ms/op", {"batch": "1", "threads": "1"}),
                jmh("dev.netspec.peers.OrtLstm.forward", 50.0, "ms/op", {"batch": "16", "threads": "1"}),
            ],
            "jmh-jdk17-netspec.json": [
                jmh("x.Gpt2PrefillBenchmark.prefill", 400.0, "ms/op", {"batch": "1"}),
                jmh("x.LstmBenchmark.forward", 40.0, "ms/op", {"batch": "16"}),
            ],
        }
        return table_of(files)

    find = TableTest.find

    def test_flops_by_hand(self):
        # GPT-2 small, 128 tokens: per token 12 x 12 x 768^2 = 84,934,656 multiply-adds in the
        # blocks' Linears and 768 x 50,257 = 38,597,376 in lm_head: 123,532,032 x 128 =
        # 15,812,100,096; attention 12 layers x 2 x 128^2 x 768 = 301,989,888; x 2 FLOP.
        self.assertEqual(models.flops("gpt2", 1), 32228179968)
        # LSTM: per step and sequence 2 layers x 4 x 256 x (256 + 256) = 1,048,576 multiply-adds,
        # x 100 steps x 16 sequences x 2 FLOP.
        self.assertEqual(models.flops("lstm", 16), 3355443200)

    def test_gpt2_prefill_against_onnx_runtime(self):
        cells = self.find(self.lines(), "GPT-2 small prefill s128 b1", "ONNX Runtime")
        # 32.228 GFLOP in 400 ms: 80.6 GFLOP/s; in 320 ms: 100.7; 320 / 400 = 0.80 against >= 1.00
        self.assertEqual(cells[3], "400.00 ms, 80.6 GFLOP/s")
        self.assertEqual(cells[5], "320.00 ms, 100.7 GFLOP/s")
        self.assertEqual(cells[6], "0.80")
        self.assertEqual(cells[7], ">= 1.00 MISSED")

    def test_lstm_against_onnx_runtime(self):
        cells = self.find(self.lines(), "LSTM 2x256 s100 b16", "ONNX Runtime")
        # 3.355 GFLOP in 40 ms: 83.9 GFLOP/s; in 50 ms: 67.1; 50 / 40 = 1.25 against >= 1.00
        self.assertEqual(cells[3], "40.00 ms, 83.9 GFLOP/s")
        self.assertEqual(cells[5], "50.00 ms, 67.1 GFLOP/s")
        self.assertEqual(cells[6], "1.25")
        self.assertEqual(cells[7], ">= 1.00 ok")


class DecodeTableTest(unittest.TestCase):
    """GPT-2 small's cached decode step against the read bandwidth measured in the same run."""

    def lines(self):
        # Bandwidth: 256 MiB in 20 ms = 268,435,456 B / 0.02 s = 13.42 GB/s.
        # Context 128: 494,649,600 B of weights (4 x (124,439,808 - 1023 x 768)) + 9,437,184 B of
        # cache (2 x 12 x 128 x 768 x 4) = 504,086,784 B a step; at 50 ms a step (20 tokens/s)
        # that is 10.08 GB/s, 10.0817 / 13.4218 = 0.75 of the bandwidth, against >= 0.80.
        records = [
            jmh("x.MemoryBandwidthBenchmark.readAll", 20.0, "ms/op", {"mib": "256"}),
            jmh("x.Gpt2DecodeBenchmark.decodeStep", 20.0, "ops/s", {"context": "128"},
                secondary={"gc.alloc.rate.norm": {"score": 380000.0}}),
        ]
        with tempfile.TemporaryDirectory() as directory:
            with open(os.path.join(directory, "jmh-jdk17-netspec.json"), "w") as f:
                json.dump(records, f)
            return table.table(table.read_dir(directory)[0])

    find = TableTest.find

    def test_fraction_of_the_bandwidth(self):
        cells = self.find(self.lines(), "GPT-2 small decode ctx128", "bandwidth")
        self.assertEqual(cells[3], "50.00 ms, 20.0 tokens/s, 10.1 GB/s, 380000 B/op")
        self.assertEqual(cells[5], "13.4 GB/s")
        self.assertEqual(cells[6], "0.75")
        self.assertEqual(cells[7], ">= 0.80 MISSED")

    def test_allocation_goal(self):
        cells = self.find(self.lines(), "GPT-2 small decode ctx128", "issue 14 goal")
        self.assertEqual(cells[7], "0 B/op MISSED")

    def test_the_bandwidth_has_its_own_row(self):
        cells = self.find(self.lines(), "memory read bandwidth")
        self.assertEqual(cells[5], "13.4 GB/s")


class TrainTableTest(unittest.TestCase):
    """One training step of the 784-1024-1024-10 MLP at batch 64 (issue 15).

    FLOPs: the forward 2 x 64 x (784 x 1024 + 1024 x 1024 + 1024 x 10) = 238,288,896, three times
    (forward, weight gradients, input gradients) less the first layer's input gradient,
    2 x 64 x 784 x 1024 = 102,760,448: 612,106,240. At 200 steps/s (5,000 us) that is
    122.42 GFLOP/s; PyTorch at 7,500 us makes the ratio 1.50; the FMA peak of 200 GFLOP/s 0.61.
    """

    def lines(self):
        params = {"model": "784-1024-1024-10", "batch": "64", "threads": "1"}
        files = {
            "jmh-jdk17-fma-t1.json": [jmh("dev.netspec.benchmarks.FmaPeakBenchmark.fmaChains", 1.0, "ops/s",
                                          secondary={"flop": {"score": 200e9}})],
            "jmh-jdk17-netspec.json": [
                jmh("x.TrainStepBenchmark.step", 200.0, "ops/s", params,
                    secondary={"gc.alloc.rate.norm": {"score": 0.0}}),
                jmh("x.TrainStepBenchmark.tapeStep", 100.0, "ops/s", params,
                    secondary={"gc.alloc.rate.norm": {"score": 9000000.0}})],
            "torch-train-t1.json": [{"suite": "torch-train", "model": "784-1024-1024-10", "batch": 64,
                                     "threads": 1, "us": 7500.0}],
        }
        return table_of(files)

    find = TableTest.find

    def test_flops_by_hand(self):
        self.assertEqual(table.train_flops("784-1024-1024-10", 64), 612106240)

    def test_against_pytorch(self):
        cells = self.find(self.lines(), "MLP train step 784-1024-1024-10 b64 [TrainStepBenchmark.step]",
                          "PyTorch")
        self.assertEqual(cells[3], "5000.0 us, 122.4 GFLOP/s, 0 B/op")
        self.assertEqual(cells[6], "1.50")
        self.assertEqual(cells[7], ">= 1.50 ok")

    def test_against_the_fma_peak(self):
        cells = self.find(self.lines(), "[TrainStepBenchmark.step]", "FMA peak")
        self.assertEqual(cells[6], "0.61")
        self.assertEqual(cells[7], ">= 0.70 MISSED")

    def test_allocation_goal(self):
        fast = self.find(self.lines(), "[TrainStepBenchmark.step]", "issue 15 goal")
        tape = self.find(self.lines(), "[TrainStepBenchmark.tapeStep]", "issue 15 goal")
        self.assertEqual(fast[7], "0 B/op ok")
        self.assertEqual(tape[7], "0 B/op MISSED")


if __name__ == "__main__":
    unittest.main()
