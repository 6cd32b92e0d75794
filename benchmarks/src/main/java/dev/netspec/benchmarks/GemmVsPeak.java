package dev.netspec.benchmarks;

import dev.netspec.runtime.kernels.Activation;
import dev.netspec.runtime.kernels.Kernels;
import dev.netspec.runtime.kernels.PackedMatrix;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The GEMM's share of the FMA peak, with the peak measured in the same minute: the FMA loop of
 * {@link FmaPeakBenchmark} and each GEMM shape (one thread, weights packed once, bias and
 * ReLU) alternate in slices, and each round's GEMM rate is divided by that round's peak. On a
 * machine whose speed drifts, that ratio is steadier than a JMH GEMM run set against a JMH
 * peak run made minutes apart.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar \
 *     dev.netspec.benchmarks.GemmVsPeak ROUNDS MILLIS MxNxK...
 * </pre>
 *
 * Prints, per shape, the median GFLOP/s and the median share of the peak with its 25th and
 * 75th percentiles.
 */
public final class GemmVsPeak {
  private static volatile float sink;

  private GemmVsPeak() {}

  /** One timed workload. */
  private static final class Workload {
    final String name;
    final double flops;
    final Runnable call;

    Workload(String name, double flops, Runnable call) {
      this.name = name;
      this.flops = flops;
      this.call = call;
    }
  }

  public static void main(String[] args) {
    if (args.length < 3) {
      System.err.println("usage: GemmVsPeak ROUNDS MILLIS MxNxK...");
      System.exit(2);
    }
    int rounds = Integer.parseInt(args[0]);
    int millis = Integer.parseInt(args[1]);
    Kernels.setThreads(1);
    FmaPeakBenchmark peak = new FmaPeakBenchmark();
    List<Workload> all = new ArrayList<>();
    all.add(new Workload("FMA peak", FmaPeakBenchmark.ITERATIONS * 16.0 * 2
        * FmaPeakBenchmark.S.length(), () -> sink += peak.fma16Chains()));
    Random rnd = new Random(1);
    for (int i = 2; i < args.length; i++) {
      all.add(gemm(args[i], rnd));
    }
    for (Workload w : all) {
      rate(w, 1000); // warmup
    }
    double[][] gflops = new double[all.size()][rounds];
    for (int r = 0; r < rounds; r++) {
      for (int w = 0; w < all.size(); w++) {
        gflops[w][r] = rate(all.get(w), millis);
      }
    }
    System.out.printf(Locale.ROOT, "%s, %s, %d rounds of %d ms, 1 thread%n",
        System.getProperty("java.vm.name"), System.getProperty("java.version"), rounds, millis);
    System.out.println("| workload | GFLOP/s (median) | share of the peak |");
    System.out.println("| --- | --- | --- |");
    for (int w = 0; w < all.size(); w++) {
      double[] share = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        share[r] = gflops[w][r] / gflops[0][r];
      }
      double[] g = gflops[w].clone();
      Arrays.sort(g);
      Arrays.sort(share);
      System.out.printf(Locale.ROOT, "| %s | %.1f | %.2f [%.2f, %.2f] |%n", all.get(w).name,
          g[rounds / 2], share[rounds / 2], share[rounds / 4], share[3 * rounds / 4]);
    }
  }

  private static Workload gemm(String shape, Random rnd) {
    String[] p = shape.split("x");
    int m = Integer.parseInt(p[0]);
    int n = Integer.parseInt(p[1]);
    int k = Integer.parseInt(p[2]);
    float[] a = Inputs.uniform(rnd, 1f, m, k).contiguous().array();
    float[] w = Inputs.uniform(rnd, 1f, n, k).contiguous().array(); // (n, k): a Linear weight
    float[] bias = Inputs.uniform(rnd, 1f, n).contiguous().array();
    float[] c = new float[m * n];
    PackedMatrix packed = PackedMatrix.pack(k, n, w, 0, k, true);
    return new Workload("GEMM " + shape + ", weights packed", 2.0 * m * n * k, () -> {
      Kernels.gemm(m, a, 0, k, packed, c, 0, n, bias, 0, Activation.RELU);
      sink += c[0];
    });
  }

  /** GFLOP/s of {@code w} over about {@code millis}, at least one call. */
  private static double rate(Workload w, int millis) {
    long calls = 0;
    long start = System.nanoTime();
    long now;
    do {
      w.call.run();
      calls++;
      now = System.nanoTime();
    } while (now - start < millis * 1_000_000L);
    return w.flops * calls / (now - start);
  }
}
