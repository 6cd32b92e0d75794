package dev.netspec.peers;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.netspec.runtime.autograd.GradMode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * netspec and ONNX Runtime timed <em>interleaved</em> on the same models, in one JVM: each round
 * runs every contender for a time slice, in a rotating order, so a slow spell of the machine
 * (a KVM guest's neighbours, frequency changes) hits every contender alike. The ratio of two
 * contenders is taken per round and its median reported with the interquartile range, which
 * is what a noisy machine can still say reliably; the separate JMH runs of peers.sh are the
 * absolute numbers.
 *
 * <p>On the MLPs netspec runs the way generated code runs a {@code Sequential} of Linear and
 * ReLU: PyTorch's state dict loaded with {@code loadStateDict}, each Linear's {@code
 * forwardInto} with the ReLU fused into a buffer sized once. On the networks (ResNet-18, BERT
 * MiniLM, GPT-2 small's prefill, the LSTM) it runs the generated models ({@link
 * NetspecModel}). Both engines are checked against PyTorch's output before anything is timed.
 *
 * <p>Usage: {@code HeadToHead OUT.md [rounds] [sliceMillis]}, with {@code -Dpeers.models=DIR}
 * naming the directory export_onnx.py wrote and optionally {@code -Dpeers.h2h=mlp,resnet18,...}
 * keeping some workloads. A slice is at least 4 calls, so a slow network's slices are longer.
 */
public final class HeadToHead {
  private HeadToHead() {}

  /** ONNX Runtime, as {@link OrtBenchmark} runs it. */
  private static final class Ort implements Contender {
    private final PeerModel peer;
    private final int threads;

    Ort(String model, int batch, int threads) throws IOException, OrtException {
      this.peer = PeerModel.open(model, batch, threads);
      this.threads = threads;
      peer.check();
    }

    @Override
    public String name() {
      return "ONNX Runtime, " + threads + " thr";
    }

    @Override
    public float run() throws OrtException {
      try (OrtSession.Result result = peer.run()) {
        return ((OnnxTensor) result.get(0)).getFloatBuffer().get(0);
      }
    }

    @Override
    public void close() throws OrtException {
      peer.close();
    }
  }

  /** One comparison: the contenders of one model and batch, and the ratios to report. */
  private static final class Workload {
    final String model;
    final int batch;
    final int[] threads;

    Workload(String model, int batch, int... threads) {
      this.model = model;
      this.batch = batch;
      this.threads = threads;
    }

    boolean isMlp() {
      return PeerModel.stem(model).startsWith("mlp_");
    }

    /** The row's name: "MLP 784-1024-1024-10, batch 1", "ResNet-18, batch 8". */
    String label() {
      String name = isMlp() ? "MLP " + model : NETWORK_NAMES.get(model);
      return name + ", batch " + batch;
    }

    Contender netspec(int threads, Path dir) throws IOException {
      return NetspecModel.open(model, batch, threads, dir);
    }
  }

  /** The networks' names in the table, by export_onnx.py's model name. */
  private static final Map<String, String> NETWORK_NAMES = Map.of("resnet18", "ResNet-18",
      "minilm", "BERT MiniLM, seq 128", "gpt2", "GPT-2 small prefill, 128 tokens", "lstm",
      "LSTM 2x256, 100 steps");

  /**
   * The workloads, the MLPs first; the networks at the batches and thread counts their issues
   * set targets for (ResNet-18 at batch 8 on 2 threads too). {@code -Dpeers.h2h=resnet18,minilm}
   * (export_onnx.py's names; "mlp" for the MLPs) keeps some.
   */
  private static final List<Workload> WORKLOADS = List.of(
      new Workload("20-256-10", 2, 1),
      new Workload("784-1024-1024-10", 1, 1, 2),
      new Workload("784-1024-1024-10", 32, 1),
      new Workload("784-1024-1024-10", 256, 1, 2),
      new Workload("resnet18", 1, 1),
      new Workload("resnet18", 8, 1, 2),
      new Workload("minilm", 1, 1),
      new Workload("minilm", 16, 1),
      new Workload("gpt2", 1, 1),
      new Workload("lstm", 16, 1));

  static volatile float sink;

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: HeadToHead OUT.md [rounds] [sliceMillis]");
      System.exit(2);
    }
    Path out = Paths.get(args[0]);
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 21;
    long slice = (args.length > 2 ? Long.parseLong(args[2]) : 250) * 1_000_000L;
    Path dir = Paths.get(System.getProperty(PeerModel.MODELS_PROPERTY, "build/models"));
    String only = System.getProperty("peers.h2h", "");
    List<String> keep = only.isEmpty() ? List.of() : Arrays.asList(only.split(","));
    GradMode.setEnabled(false); // inference, as torch.no_grad(): the networks record nothing
    StringBuilder md = new StringBuilder();
    md.append(String.format(Locale.ROOT, "Interleaved head-to-head, JDK %s: %d rounds of %d ms "
        + "per contender, rotating order; per-call medians, ratios per round (median, "
        + "[25th, 75th percentile]).%n%n", System.getProperty("java.version"), rounds,
        slice / 1_000_000));
    md.append("| workload | contender | median per call | vs ONNX Runtime, same threads | "
        + "vs netspec 1 thr |\n| --- | --- | --- | --- | --- |\n");
    for (Workload w : WORKLOADS) {
      if (!keep.isEmpty() && !keep.contains(w.isMlp() ? "mlp" : w.model)) {
        continue;
      }
      List<Contender> cs = new ArrayList<>();
      try {
        for (int t : w.threads) {
          cs.add(w.netspec(t, dir));
          cs.add(new Ort(w.model, w.batch, t));
        }
        double[][] perCall = measure(cs, rounds, slice);
        for (int i = 0; i < cs.size(); i++) {
          String vsOrt = "";
          String vsOne = "";
          if (i % 2 == 0) { // netspec at threads[i / 2], against ORT at the same count
            vsOrt = ratio(perCall[i + 1], perCall[i]);
            if (i > 0) {
              vsOne = ratio(perCall[0], perCall[i]);
            }
          }
          md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s |%n",
              w.label(), cs.get(i).name(), micros(median(perCall[i])), vsOrt, vsOne));
        }
      } finally {
        for (Contender c : cs) {
          c.close();
        }
      }
    }
    md.append("\nA ratio is the other contender's time over netspec's: above 1, netspec is "
        + "faster (for `vs netspec 1 thr`, the speed-up of more threads).\n");
    Files.writeString(out, md.toString());
    PrintStream o = System.out;
    o.print(md);
  }

  /** Per-call seconds of each contender, one value per round. */
  private static double[][] measure(List<Contender> cs, int rounds, long slice) throws Exception {
    int n = cs.size();
    for (int i = 0; i < n; i++) { // warm up: JIT, buffers, thread pools
      run(cs.get(i), Math.max(4 * slice, 2_000_000_000L));
    }
    double[][] perCall = new double[n][rounds];
    for (int r = 0; r < rounds; r++) {
      for (int j = 0; j < n; j++) {
        int i = (r + j) % n;
        Thread.sleep(20); // let the previous contender's threads go idle
        perCall[i][r] = run(cs.get(i), slice);
      }
    }
    return perCall;
  }

  /** Runs {@code c} for about {@code nanos}; returns the seconds per call. */
  private static double run(Contender c, long nanos) throws Exception {
    float s = c.run(); // untimed: a thread count switch happens here
    long calls = 0;
    long start = System.nanoTime();
    long now;
    do {
      for (int k = 0; k < 4; k++) {
        s += c.run();
      }
      calls += 4;
      now = System.nanoTime();
    } while (now - start < nanos);
    sink = s;
    return (now - start) / 1e9 / calls;
  }

  /** Median and quartiles of {@code slow[r] / fast[r]}. */
  private static String ratio(double[] slow, double[] fast) {
    double[] q = new double[slow.length];
    for (int r = 0; r < q.length; r++) {
      q[r] = slow[r] / fast[r];
    }
    Arrays.sort(q);
    return String.format(Locale.ROOT, "%.2f [%.2f, %.2f]", q[q.length / 2], q[q.length / 4],
        q[(3 * q.length) / 4]);
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }

  private static String micros(double seconds) {
    double us = seconds * 1e6;
    if (us >= 10_000) {
      return String.format(Locale.ROOT, "%.1f ms", us / 1000);
    }
    return String.format(Locale.ROOT, us < 10 ? "%.2f us" : "%.0f us", us);
  }
}
