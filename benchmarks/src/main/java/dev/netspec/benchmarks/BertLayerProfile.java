package dev.netspec.benchmarks;

import dev.netspec.examples.BertLayer;
import dev.netspec.examples.BertModel;
import dev.netspec.runtime.autograd.GradMode;
import dev.netspec.runtime.kernels.Activation;
import dev.netspec.runtime.kernels.Kernels;
import dev.netspec.runtime.nn.Functional;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Where one encoder layer of the generated BERT (all-MiniLM-L6-v2's size, sequences of 128
 * tokens) spends its time, step by step, in one JVM: each step of {@code BertLayer}'s forward
 * called on its own through the same public calls the generated code makes (the Q, K and V
 * projections, the attention kernel, its copy to the {@code (batch, seq, hidden)} layout, the
 * output projection, the eval-mode dropout's copy, the residual LayerNorms, the first
 * feed-forward product without and with its GELU epilogue, the second product), then the
 * whole layer. Each step is timed in CPU time of this thread over rounds of {@code MILLIS} ms,
 * after three such rounds of warm-up; the median time per call is printed with its share of
 * the steps' sum and, for the products, its GFLOP/s and share of the FMA peak timed in the
 * same rounds. Beside them, not in the sum, the same products as {@link GemmVsPeak} times
 * them ({@code Kernels.gemm} on a weight packed once, {@link AbWorkloads}' {@code gemm:}), so
 * a product that runs slower in the layer than alone shows; and the steps run once each in
 * order, which is the layer without its generated code: a gap between the sum of the steps
 * and that is what running them in sequence costs (caches), one between that and the whole
 * layer is the generated code's own.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar \
 *     dev.netspec.benchmarks.BertLayerProfile BATCH [ROUNDS] [MILLIS]
 * </pre>
 */
public final class BertLayerProfile {
  private static final int SEQ = 128;
  private static final ThreadMXBean CLOCK = ManagementFactory.getThreadMXBean();

  private BertLayerProfile() {}

  public static void main(String[] args) {
    int batch = Integer.parseInt(args[0]);
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
    long millis = args.length > 2 ? Long.parseLong(args[2]) : 500;
    Kernels.setThreads(1);
    GradMode.setEnabled(false);
    BertModel net = new BertModel(30522, 384, 12, 1536, 512, 2);
    net.eval();
    BertLayer layer = net.encoder.layer.get(0);
    Generator g = new Generator(batch);
    Tensor x = Tensor.zeros(batch, SEQ, 384);
    float[] xa = x.array();
    for (int i = 0; i < xa.length; i++) {
      xa[i] = g.nextFloat() * 2 - 1;
    }
    Tensor mask = Tensor.zeros(batch, 1, 1, SEQ); // every token kept: BertModel's additive 0
    Tensor q = Tensor.zeros(batch, SEQ, 384);
    Tensor k = Tensor.zeros(batch, SEQ, 384);
    Tensor v = Tensor.zeros(batch, SEQ, 384);
    Tensor qh = q.reshape(batch, SEQ, 12, 32).transpose(1, 2);
    Tensor kh = k.reshape(batch, SEQ, 12, 32).transpose(1, 2);
    Tensor vh = v.reshape(batch, SEQ, 12, 32).transpose(1, 2);
    Tensor att = Tensor.zeros(batch, SEQ, 12, 32).transpose(1, 2); // as the generated buffer
    Tensor attFlat = att.transpose(1, 2).reshape(batch, SEQ, 384);
    Tensor ctx = Tensor.zeros(batch, SEQ, 384);
    Tensor proj = Tensor.zeros(batch, SEQ, 384);
    Tensor drop = Tensor.zeros(batch, SEQ, 384);
    Tensor a = Tensor.zeros(batch, SEQ, 384);
    Tensor inter = Tensor.zeros(batch, SEQ, 1536);
    Tensor out = Tensor.zeros(batch, SEQ, 384);
    var self = layer.attention.self;
    var selfOut = layer.attention.output;
    Map<String, Runnable> steps = new LinkedHashMap<>();
    Map<String, Double> flops = new LinkedHashMap<>();
    int rows = batch * SEQ;
    double square = 2.0 * rows * 384 * 384;
    double wide = 4 * square;
    flops.put("Q projection (384x384)", square);
    flops.put("K projection", square);
    flops.put("V projection", square);
    flops.put("attention kernel (12 heads)", 2.0 * 2 * batch * 12 * SEQ * SEQ * 32);
    flops.put("out projection (384x384)", square);
    flops.put("FFN up (384x1536), no GELU", wide);
    flops.put("FFN down (1536x384)", wide);
    double layerFlops = 4 * square + 2 * wide + flops.get("attention kernel (12 heads)");
    flops.put("whole layer (forwardInputsInto)", layerFlops);
    flops.put("the steps in order, once each", layerFlops);
    steps.put("Q projection (384x384)", () -> self.query.forward(x, q));
    steps.put("K projection", () -> self.key.forward(x, k));
    steps.put("V projection", () -> self.value.forward(x, v));
    steps.put("attention kernel (12 heads)",
        () -> Functional.scaledDotProductAttentionInto(qh, kh, vh, mask, false, att));
    steps.put("heads -> (batch, seq, 384) copy", () -> attFlat.copyInto(ctx));
    steps.put("out projection (384x384)", () -> selfOut.dense.forward(ctx, proj));
    steps.put("dropout (eval copy)", () -> selfOut.dropout.forward(proj, drop));
    steps.put("LayerNorm + residual", () -> selfOut.layerNorm.forwardResidual(drop, x, a));
    steps.put("FFN up (384x1536), no GELU",
        () -> layer.intermediate.dense.forwardInto(a, Activation.NONE, inter));
    steps.put("FFN up + GELU epilogue",
        () -> layer.intermediate.dense.forwardInto(a, Activation.GELU, inter));
    steps.put("FFN down (1536x384)", () -> layer.output.dense.forward(inter, proj));
    steps.put("dropout (eval copy) 2", () -> layer.output.dropout.forward(proj, drop));
    steps.put("LayerNorm + residual 2",
        () -> layer.output.layerNorm.forwardResidual(drop, a, out));
    Runnable[] parts = steps.entrySet().stream().filter(e -> inSum(e.getKey()))
        .map(Map.Entry::getValue).toArray(Runnable[]::new);
    steps.put("the steps in order, once each", () -> {
      for (Runnable part : parts) {
        part.run();
      }
    });
    Tensor whole = Tensor.zeros(batch, SEQ, 384);
    steps.put("whole layer (forwardInputsInto)",
        () -> layer.forwardInputsInto(x, mask, whole));
    for (String shape : new String[] {rows + "x384x384", rows + "x1536x384", rows + "x384x1536"}) {
      String name = "alone: gemm:" + shape;
      steps.put(name, AbWorkloads.call("gemm:" + shape));
      flops.put(name, shape.contains("1536") ? wide : square);
    }
    steps.put("alone: GELU pass (gelu:" + rows * 1536 + ")",
        AbWorkloads.call("gelu:" + rows * 1536));
    steps.put("FMA peak (fma-peak)", AbWorkloads.call("fma-peak"));
    flops.put("FMA peak (fma-peak)", FmaPeakBenchmark.FLOPS);
    Map<String, double[]> times = new LinkedHashMap<>();
    for (String name : steps.keySet()) {
      times.put(name, new double[rounds]);
    }
    for (int round = 0; round < 3; round++) { // warm-up, in CPU time as the rounds: on a
      for (Runnable r : steps.values()) { // loaded machine the wall clock would stop it early
        perCall(r, millis);
      }
    }
    for (int round = 0; round < rounds; round++) {
      for (Map.Entry<String, Runnable> e : steps.entrySet()) {
        times.get(e.getKey())[round] = perCall(e.getValue(), millis);
      }
    }
    double sum = 0;
    Map<String, Double> median = new LinkedHashMap<>();
    for (Map.Entry<String, double[]> e : times.entrySet()) {
      double[] t = e.getValue().clone();
      java.util.Arrays.sort(t);
      median.put(e.getKey(), t[t.length / 2]);
    }
    double peak = FmaPeakBenchmark.FLOPS / median.get("FMA peak (fma-peak)");
    double gelu = median.get("FFN up + GELU epilogue") - median.get("FFN up (384x1536), no GELU");
    for (Map.Entry<String, Double> e : median.entrySet()) {
      if (inSum(e.getKey())) {
        sum += e.getValue();
      }
    }
    System.out.printf(Locale.ROOT, "BERT layer, batch %d, seq %d, 1 thread, CPU time, median of %d"
        + " rounds of %d ms%n", batch, SEQ, rounds, millis);
    for (Map.Entry<String, Double> e : median.entrySet()) {
      Double f = flops.get(e.getKey());
      System.out.printf(Locale.ROOT, "  %-34s %9.1f us %6s %s%n", e.getKey(), e.getValue() / 1e3,
          inSum(e.getKey()) ? String.format(Locale.ROOT, "%5.1f%%", 100 * e.getValue() / sum)
              : "",
          f == null ? "" : String.format(Locale.ROOT, "%6.1f GFLOP/s, %.2f of the peak",
              f / e.getValue(), f / e.getValue() / peak));
    }
    System.out.printf(Locale.ROOT, "  %-34s %9.1f us %5.1f%%%n", "(GELU alone: with - without)",
        gelu / 1e3, 100 * gelu / sum);
    System.out.printf(Locale.ROOT, "  %-34s %9.1f us%n", "sum of the steps", sum / 1e3);
  }

  /** Whether a step is a part of the layer (not the whole, a variant or a reference). */
  private static boolean inSum(String step) {
    return !step.startsWith("whole") && !step.endsWith("no GELU") && !step.startsWith("alone")
        && !step.startsWith("FMA") && !step.startsWith("the steps");
  }

  /** CPU nanoseconds per call of {@code r} over about {@code millis} ms. */
  private static double perCall(Runnable r, long millis) {
    long budget = millis * 1_000_000L;
    long start = CLOCK.getCurrentThreadCpuTime();
    long calls = 0;
    long now;
    do {
      r.run();
      calls++;
      now = CLOCK.getCurrentThreadCpuTime();
    } while (now - start < budget);
    return (now - start) / (double) calls;
  }
}
