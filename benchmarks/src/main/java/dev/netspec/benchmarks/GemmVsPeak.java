package dev.netspec.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The GEMM's share of the FMA peak, with the peak measured in the same minute: the FMA loop of
 * {@link FmaPeakBenchmark} and each GEMM shape (one thread, weights packed once, bias and
 * ReLU: {@link AbWorkloads}' {@code gemm:MxNxK}, or {@code dots:MxNxK} for the weights read in
 * place; convolutions as {@code conv:NxCxHxWxOxK} and, with a stride, {@code
 * conv2d:NxCxHxWxOxKxS}) alternate in slices, and each round's GEMM rate is divided by that
 * round's peak. On a machine whose speed drifts, that ratio is steadier than a JMH GEMM run
 * set against a JMH peak run made minutes apart.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar \
 *     dev.netspec.benchmarks.GemmVsPeak ROUNDS MILLIS MxNxK... [conv:NxCxHxWxOxK...] \
 *     [conv2d:NxCxHxWxOxKxS...] [wgemm:MxNxK...] [tgemm:MxNxK...]
 * </pre>
 *
 * Prints, per shape, the median GFLOP/s and the median share of the peak with its 25th and
 * 75th percentiles.
 */
public final class GemmVsPeak {
  private GemmVsPeak() {}

  /** One timed workload: its {@link AbWorkloads} name and its flops per call. */
  private static final class Workload {
    final String label;
    final String name;
    final double flops;

    Workload(String label, String name, double flops) {
      this.label = label;
      this.name = name;
      this.flops = flops;
    }

    /** GFLOP/s over about {@code millis} ms. */
    double rate(int millis) {
      return flops / AbWorkloads.perCallNs(name, millis);
    }
  }

  public static void main(String[] args) {
    if (args.length < 3) {
      System.err.println("usage: GemmVsPeak ROUNDS MILLIS MxNxK...");
      System.exit(2);
    }
    int rounds = Integer.parseInt(args[0]);
    int millis = Integer.parseInt(args[1]);
    List<Workload> all = new ArrayList<>();
    all.add(new Workload("FMA peak", "fma-peak", FmaPeakBenchmark.FLOPS));
    for (int i = 2; i < args.length; i++) {
      if (args[i].startsWith("conv:")) { // NxCxHxWxOxK, stride 1, same-size output
        String[] c = args[i].substring(5).split("x");
        double flops = 2.0 * Long.parseLong(c[0]) * Long.parseLong(c[1]) * Long.parseLong(c[2])
            * Long.parseLong(c[3]) * Long.parseLong(c[4]) * Long.parseLong(c[5])
            * Long.parseLong(c[5]);
        all.add(new Workload("Conv2d " + args[i].substring(5) + ", bias and ReLU", args[i],
            flops));
        continue;
      }
      if (args[i].startsWith("conv2d:")) { // NxCxHxWxOxKxS, padding K/2, batch norm and ReLU
        long[] c = java.util.Arrays.stream(args[i].substring(7).split("x"))
            .mapToLong(Long::parseLong).toArray();
        long side = (c[2] + 2 * (c[5] / 2) - c[5]) / c[6] + 1;
        long width = (c[3] + 2 * (c[5] / 2) - c[5]) / c[6] + 1;
        double flops = 2.0 * c[0] * c[4] * side * width * c[1] * c[5] * c[5];
        all.add(new Workload("Conv2d " + args[i].substring(7) + " (stride last), bn and ReLU",
            args[i], flops));
        continue;
      }
      if (args[i].startsWith("wgemm:") || args[i].startsWith("tgemm:")) { // training's
        String[] p = args[i].substring(6).split("x");
        double flops = 2.0 * Long.parseLong(p[0]) * Long.parseLong(p[1]) * Long.parseLong(p[2]);
        all.add(new Workload((args[i].startsWith("w") ? "W x^T in place " : "g^T x (dW) ")
            + args[i].substring(6), args[i], flops));
        continue;
      }
      boolean inPlace = args[i].startsWith("dots:");
      String shape = inPlace ? args[i].substring(5) : args[i];
      String[] p = shape.split("x");
      double flops = 2.0 * Long.parseLong(p[0]) * Long.parseLong(p[1]) * Long.parseLong(p[2]);
      all.add(new Workload("GEMM " + shape + (inPlace ? ", weights in place" : ", weights packed"),
          (inPlace ? "dots:" : "gemm:") + shape, flops));
    }
    for (Workload w : all) {
      w.rate(1000); // warmup
    }
    double[][] gflops = new double[all.size()][rounds];
    for (int r = 0; r < rounds; r++) {
      for (int w = 0; w < all.size(); w++) {
        gflops[w][r] = all.get(w).rate(millis);
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
      System.out.printf(Locale.ROOT, "| %s | %.1f | %.2f [%.2f, %.2f] |%n", all.get(w).label,
          g[rounds / 2], share[rounds / 2], share[rounds / 4], share[3 * rounds / 4]);
    }
  }
}
