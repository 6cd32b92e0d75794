package dev.netspec.benchmarks;

import java.util.Arrays;
import java.util.Locale;

/**
 * How each of ResNet-18's convolutions (and its max pool) at batch 8 scales from one kernel
 * thread to two: {@link AbWorkloads}' {@code conv2d:} (or {@code maxpool:}) workload on 1 and
 * on 2 threads, alternating in slices of {@code MILLIS} ms, and per shape the median of the
 * per-round ratios (1-thread time / 2-thread time, 2.0 is perfect) with its 25th and 75th
 * percentiles, and the shape's share of the 1-thread forward (its time times its count in the
 * network). With {@code -Dab.clock=cpu}, the 2-thread time is the process's CPU time halved:
 * a thread that waits for the other spins, so the imbalance counts, while time the machine
 * gave to other jobs does not.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -Dab.clock=cpu -cp benchmarks/target/classes:... \
 *     dev.netspec.benchmarks.ConvScaling ROUNDS MILLIS [WORKLOAD...]
 * </pre>
 *
 * Without workloads, every distinct convolution of ResNet-18 at 8x3x224x224 and its max pool.
 */
public final class ConvScaling {
  /** ResNet-18's distinct layers at batch 8 and how often each runs in a forward. */
  private static final String[][] RESNET = {
      {"conv2d:8x3x224x224x64x7x2", "1"},
      {"maxpool:8x64x112x112", "1"},
      {"conv2d:8x64x56x56x64x3x1", "4"},
      {"conv2d:8x64x56x56x128x3x2", "1"},
      {"conv2d:8x64x56x56x128x1x2", "1"},
      {"conv2d:8x128x28x28x128x3x1", "3"},
      {"conv2d:8x128x28x28x256x3x2", "1"},
      {"conv2d:8x128x28x28x256x1x2", "1"},
      {"conv2d:8x256x14x14x256x3x1", "3"},
      {"conv2d:8x256x14x14x512x3x2", "1"},
      {"conv2d:8x256x14x14x512x1x2", "1"},
      {"conv2d:8x512x7x7x512x3x1", "3"},
  };

  private ConvScaling() {}

  public static void main(String[] args) {
    if (args.length < 2) {
      System.err.println("usage: ConvScaling ROUNDS MILLIS [WORKLOAD...]");
      System.exit(2);
    }
    int rounds = Integer.parseInt(args[0]);
    int millis = Integer.parseInt(args[1]);
    String[][] shapes = RESNET;
    if (args.length > 2) {
      shapes = new String[args.length - 2][];
      for (int i = 2; i < args.length; i++) {
        shapes[i - 2] = new String[] {args[i], "1"};
      }
    }
    double[] one = new double[shapes.length];
    double[] two = new double[shapes.length];
    double[][] ratios = new double[shapes.length][rounds];
    for (int s = 0; s < shapes.length; s++) {
      String w = shapes[s][0];
      AbWorkloads.perCallNs(w, 1000); // warmup
      AbWorkloads.perCallNs(w + "@2", 1000);
      double[][] ns = new double[2][rounds];
      for (int r = 0; r < rounds; r++) {
        for (int j = 0; j < 2; j++) { // the order swapped every round
          int t = (r + j) % 2;
          ns[t][r] = AbWorkloads.perCallNs(t == 0 ? w : w + "@2", millis);
        }
        ratios[s][r] = ns[0][r] / ns[1][r];
      }
      Arrays.sort(ns[0]);
      Arrays.sort(ns[1]);
      Arrays.sort(ratios[s]);
      one[s] = ns[0][rounds / 2];
      two[s] = ns[1][rounds / 2];
    }
    double total1 = 0;
    double total2 = 0;
    for (int s = 0; s < shapes.length; s++) {
      int count = Integer.parseInt(shapes[s][1]);
      total1 += count * one[s];
      total2 += count * two[s];
    }
    System.out.printf(Locale.ROOT, "%s %s, %d rounds of %d ms, clock %s%n",
        System.getProperty("java.vm.name"), System.getProperty("java.version"), rounds, millis,
        System.getProperty("ab.clock", "wall"));
    System.out.println("| layer | count | 1 thread (ms) | 2 threads (ms) | 1/2 ratio [p25, p75]"
        + " | share of 1-thread time |");
    System.out.println("| --- | --- | --- | --- | --- | --- |");
    for (int s = 0; s < shapes.length; s++) {
      int count = Integer.parseInt(shapes[s][1]);
      System.out.printf(Locale.ROOT, "| %s | %d | %.3f | %.3f | %.2f [%.2f, %.2f] | %.3f |%n",
          shapes[s][0], count, one[s] / 1e6, two[s] / 1e6, ratios[s][rounds / 2],
          ratios[s][rounds / 4], ratios[s][3 * rounds / 4], count * one[s] / total1);
    }
    System.out.printf(Locale.ROOT, "| all of them (sum of medians) | | %.3f | %.3f | %.2f | 1 |%n",
        total1 / 1e6, total2 / 1e6, total1 / total2);
  }
}
