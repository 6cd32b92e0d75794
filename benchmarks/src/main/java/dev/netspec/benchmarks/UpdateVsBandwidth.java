package dev.netspec.benchmarks;

import dev.netspec.runtime.kernels.PackedMatrix;
import dev.netspec.runtime.kernels.TiledWeight;
import dev.netspec.runtime.kernels.Updates;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;

/**
 * {@code train:64}'s SGD update (the 784-1024-1024-10 MLP) against copies of the same bytes,
 * timed in the same rounds by this thread's CPU time. As in the step: {@code W1} (1024 x 784)
 * is updated with no mirror (the first layer computes no {@code dx}, so it keeps no panels),
 * {@code W2} (1024 x 1024) with its {@code dx} panels refreshed block by block ({@link
 * Updates.Mirror}, blocks of {@link TiledWeight#refreshBlock}); {@code W3} (10 x 1024) is left
 * out. For comparison, {@code W2}'s update with a mirror that only {@link System#arraycopy}s
 * each block into a flat array (the cheapest possible copy), an arraycopy of {@code W1 + W2}'s
 * floats, and {@link MemoryBandwidthBenchmark}'s eight-stream read of 512 MiB (memory).
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -Xmx2g -Dnetspec.threads=1 \
 *     -cp benchmarks/target/benchmarks.jar dev.netspec.benchmarks.UpdateVsBandwidth ROUNDS [cold]
 * </pre>
 *
 * Each item runs 20 times in a row per round (its arrays stay in the last-level cache when
 * they fit); with {@code cold}, a 64 MiB array is read (untimed) before each run, so the
 * arrays come from memory as in the step, whose other arrays evict them. The first round is
 * warm-up. GB/s counts 12 bytes an
 * element for an update (read p and g, write p) and for a copy (read, read for ownership,
 * write), 8 more for a mirror (its write and read for ownership).
 */
public final class UpdateVsBandwidth {
  private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();
  private static final int REPS = 20;
  private static float sink;

  private UpdateVsBandwidth() {}

  /** A mirror of fixed block size. */
  private abstract static class Mirror implements Updates.Mirror {
    @Override
    public int block() {
      return TiledWeight.refreshBlock(1024);
    }
  }

  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    boolean cold = args.length > 1 && args[1].equals("cold");
    float[] evict = cold ? MemoryBandwidthBenchmark.array(64) : null;
    float[] w1 = filled(1024 * 784);
    float[] g1 = filled(1024 * 784);
    float[] w2 = filled(1024 * 1024);
    float[] g2 = filled(1024 * 1024);
    PackedMatrix panels = PackedMatrix.pack(1024, 1024, w2, 0, 1024, false);
    float[] flat = new float[w2.length];
    Updates.Mirror toPanels = new Mirror() {
      @Override
      public void updated(int from, int to) {
        panels.refreshRows(w2, 0, from, to);
      }
    };
    Updates.Mirror toFlat = new Mirror() {
      @Override
      public void updated(int from, int to) {
        System.arraycopy(w2, from, flat, from, to - from);
      }
    };
    float[] src = filled(w1.length + w2.length);
    float[] dst = new float[src.length];
    float[] big = MemoryBandwidthBenchmark.array(512);
    String[] names = {"W1 sgd", "W2 sgd", "W2 sgd + panels", "W2 sgd + arraycopy mirror",
        "arraycopy W1+W2", "read 512 MiB"};
    double[] bytes = {12.0 * w1.length, 12.0 * w2.length, 20.0 * w2.length, 20.0 * w2.length,
        12.0 * src.length, 4.0 * big.length};
    Runnable[] items = {
      () -> sgd(w1, g1, null),
      () -> sgd(w2, g2, null),
      () -> sgd(w2, g2, toPanels),
      () -> sgd(w2, g2, toFlat),
      () -> System.arraycopy(src, 0, dst, 0, src.length),
      () -> sink += MemoryBandwidthBenchmark.eightStreams(big),
    };
    double[] us = new double[names.length];
    for (int r = 0; r < rounds; r++) {
      for (int j = 0; j < items.length; j++) {
        int reps = j == items.length - 1 ? 1 : REPS; // 512 MiB: once
        long spent = 0;
        for (int i = 0; i < reps; i++) {
          if (cold) {
            sink += MemoryBandwidthBenchmark.eightStreams(evict);
          }
          long t0 = cpu();
          items[j].run();
          spent += cpu() - t0;
        }
        if (r > 0) {
          us[j] += spent / 1e3 / reps;
        }
      }
    }
    for (int j = 0; j < names.length; j++) {
      double mean = us[j] / Math.max(1, rounds - 1);
      System.out.printf(Locale.ROOT, "%-27s %8.0f us  %6.1f GB/s%n", names[j], mean,
          bytes[j] / (mean * 1e3));
    }
    System.out.printf(Locale.ROOT, "mirror's cost: panels %.0f us, arraycopy %.0f us (%s)%n",
        (us[2] - us[1]) / Math.max(1, rounds - 1), (us[3] - us[1]) / Math.max(1, rounds - 1),
        sink == 0 ? "sum 0" : "sum read");
  }

  /** {@code p -= 1e-6 g}, PyTorch's plain SGD, telling {@code mirror} (null: none). */
  private static void sgd(float[] p, float[] g, Updates.Mirror mirror) {
    Updates.sgd(p, 0, g, 0, null, p.length, 1e-6f, 0, 0, 0, false, true, mirror);
  }

  private static long cpu() {
    return MX.getCurrentThreadCpuTime();
  }

  private static float[] filled(int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (i % 977) * 1e-4f;
    }
    return a;
  }
}
