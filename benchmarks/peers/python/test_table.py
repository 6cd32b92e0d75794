"""Tests of table.py on hand-made results (run: python3 -m unittest discover benchmarks/peers/python).

Expected values are computed by hand in the comments, never taken from table.py's output.
"""
import json
import os
import tempfile
import unittest

import table


def jmh(benchmark, score, unit, params=None, threads=1, jdk="17.0.15", secondary=None):
    """A JMH JSON result record with only the fields table.py reads."""
    return {
        "benchmark": benchmark,
        "jdkVersion": jdk,
        "threads": threads,
        "params": params or {},
        "primaryMetric": {"score": score, "scoreUnit": unit},
        "secondaryMetrics": secondary or {},
    }


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

    def test_other(self):
        key = table.classify_netspec("dev.netspec.bench.LayerNormBenchmark.forward", {"batch": "8"}, 1)
        self.assertEqual(key[0], "other")


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
                jmh("dev.netspec.peers.FmaPeak.fma", 1.0, "ops/s", secondary={"flop": {"score": 250e9}}),
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


if __name__ == "__main__":
    unittest.main()
