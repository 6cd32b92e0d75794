"""A small, careful timer for the Python peers (PyTorch, OpenBLAS via numpy).

JMH does this for the Java side; here: warm up, then time `rounds` rounds of back-to-back calls,
each round long enough (`round_seconds`) that the clock's resolution does not matter, and report
the median and best time per call. The median is what the table shows, like JMH's mean it
includes the usual noise; the best is kept for reference.
"""
import statistics
import time


def measure(fn, warmup_seconds, rounds, round_seconds):
    """Time fn() and return {"us": median us per call, "us_best": best, "calls": total calls}."""
    calls_per_round = _calibrate(fn, warmup_seconds, round_seconds)
    per_call = []
    for _ in range(rounds):
        start = time.perf_counter_ns()
        for _ in range(calls_per_round):
            fn()
        per_call.append((time.perf_counter_ns() - start) / 1e3 / calls_per_round)
    return {
        "us": statistics.median(per_call),
        "us_best": min(per_call),
        "calls": calls_per_round * rounds,
    }


def _calibrate(fn, warmup_seconds, round_seconds):
    """Warm up for warmup_seconds; return how many calls fill round_seconds."""
    calls = 0
    start = time.perf_counter()
    end = start + max(warmup_seconds, 1e-3)
    while True:
        fn()
        calls += 1
        now = time.perf_counter()
        if now >= end:
            break
    per_call = (now - start) / calls
    return max(1, int(round_seconds / per_call))


def config(quick):
    """(warmup_seconds, rounds, round_seconds) for a full or a --quick run."""
    return (0.2, 3, 0.1) if quick else (3.0, 10, 1.0)
