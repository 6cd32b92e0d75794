package dev.netspec.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * GPT-2 small's decode step against the memory bandwidth measured in the same minute: {@link
 * MemoryBandwidthBenchmark}'s probes (eight streams, and the old one stream) and one cached
 * decode step per context ({@link Gpt2DecodeBenchmark}) alternate in slices, and each
 * round's decode GB/s (bytes a step must read, {@link Gpt2DecodeBenchmark#bytesPerStep}, times
 * steps/s) is divided by that round's eight-stream GB/s. On a machine whose speed drifts, or
 * that other jobs share, that ratio is steadier than two JMH runs minutes apart; with {@code
 * -Dab.clock=cpu} each slice is timed by the thread's CPU time ({@link AbWorkloads}).
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -Xmx6g -cp benchmarks/target/benchmarks.jar \
 *     dev.netspec.benchmarks.DecodeVsBandwidth ROUNDS MILLIS CONTEXT...
 * </pre>
 *
 * Each context gets its own model (its weights, their packed copies and its KV caches: over a
 * gigabyte), so give the heap room ({@code -Xmx6g} for two contexts).
 *
 * Prints, per workload, the median GB/s and the median share of the eight-stream bandwidth
 * with its 25th and 75th percentiles. The probe is right when it reads at least what decode
 * reaches (every decode share at most 1).
 */
public final class DecodeVsBandwidth {
  private DecodeVsBandwidth() {}

  /** One timed workload: its {@link AbWorkloads} name and the bytes it reads per call. */
  private static final class Workload {
    final String label;
    final String name;
    final double bytes;

    Workload(String label, String name, double bytes) {
      this.label = label;
      this.name = name;
      this.bytes = bytes;
    }

    /** GB/s over about {@code millis} ms. */
    double rate(int millis) {
      return bytes / AbWorkloads.perCallNs(name, millis);
    }
  }

  public static void main(String[] args) {
    if (args.length < 3) {
      System.err.println("usage: DecodeVsBandwidth ROUNDS MILLIS CONTEXT...");
      System.exit(2);
    }
    int rounds = Integer.parseInt(args[0]);
    int millis = Integer.parseInt(args[1]);
    double probeBytes = AbWorkloads.BANDWIDTH_MIB * (double) (1 << 20);
    List<Workload> all = new ArrayList<>();
    all.add(new Workload("bandwidth probe, 8 streams", "bandwidth", probeBytes));
    all.add(new Workload("bandwidth probe, 1 stream (session 9)", "bandwidth-1", probeBytes));
    for (int i = 2; i < args.length; i++) {
      int context = Integer.parseInt(args[i]);
      all.add(new Workload("GPT-2 small decode step, context " + context, "gpt2:" + context,
          Gpt2DecodeBenchmark.bytesPerStep(context)));
    }
    for (Workload w : all) {
      w.rate(3 * millis); // warmup
    }
    double[][] gbs = new double[all.size()][rounds];
    for (int r = 0; r < rounds; r++) {
      for (int w = 0; w < all.size(); w++) {
        gbs[w][r] = all.get(w).rate(millis);
      }
    }
    System.out.printf(Locale.ROOT, "%s, %s, %d rounds of %d ms, 1 thread, %s clock%n",
        System.getProperty("java.vm.name"), System.getProperty("java.version"), rounds, millis,
        "cpu".equals(System.getProperty("ab.clock")) ? "CPU" : "wall");
    System.out.println("| workload | GB/s (median) | share of the 8-stream bandwidth |");
    System.out.println("| --- | --- | --- |");
    for (int w = 0; w < all.size(); w++) {
      double[] share = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        share[r] = gbs[w][r] / gbs[0][r];
      }
      double[] g = gbs[w].clone();
      Arrays.sort(g);
      Arrays.sort(share);
      System.out.printf(Locale.ROOT, "| %s | %.1f | %.2f [%.2f, %.2f] |%n", all.get(w).label,
          g[rounds / 2], share[rounds / 2], share[rounds / 4], share[3 * rounds / 4]);
    }
  }
}
