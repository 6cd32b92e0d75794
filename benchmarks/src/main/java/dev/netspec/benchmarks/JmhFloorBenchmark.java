package dev.netspec.benchmarks;

import org.openjdk.jmh.annotations.Benchmark;

/**
 * JMH's own allocation, under every other benchmark's B/op: this call allocates nothing, so what
 * {@code -prof gc} reports for it is JMH's bytes per iteration. The gc profiler counts the bytes
 * of every thread of the JVM, JMH's too: about 3 KB a second of measurement on JDK 17 (6 KB a 2 s
 * iteration in every benchmark of session 18's run, whatever its calls per iteration), which a
 * benchmark's B/op holds divided by its calls: 12 B/op for the 4 ms training step, whose warm
 * steps allocate 0 bytes on the calling thread. benchmarks/peers/python/table.py sets that share aside before it checks an
 * allocation goal.
 */
public class JmhFloorBenchmark extends KernelBenchmark {
  private int value = 1;

  /** Nothing: one field read. */
  @Benchmark
  public int nothing() {
    return value;
  }
}
