package dev.netspec.benchmarks;

import dev.netspec.examples.ResNet;
import dev.netspec.runtime.autograd.GradMode;
import dev.netspec.runtime.init.RandomStateDict;
import dev.netspec.runtime.kernels.Activation;
import dev.netspec.runtime.kernels.Kernels;
import dev.netspec.runtime.kernels.PackedMatrix;
import dev.netspec.runtime.kernels.Updates;
import dev.netspec.runtime.loss.CrossEntropyLoss;
import dev.netspec.runtime.nn.BatchNorm2d;
import dev.netspec.runtime.nn.Conv2d;
import dev.netspec.runtime.nn.Flatten;
import dev.netspec.runtime.nn.GELU;
import dev.netspec.runtime.nn.Linear;
import dev.netspec.runtime.nn.Functional;
import dev.netspec.runtime.nn.MaxPool2d;
import dev.netspec.runtime.nn.ReLU;
import dev.netspec.runtime.nn.Sequential;
import dev.netspec.runtime.optim.Adam;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

/**
 * The workloads {@link AbCompare} and {@link GemmVsPeak} time. {@link AbCompare} loads this
 * class once per runtime version, each in its own class loader beside that version's classes,
 * so it and the benchmark classes it uses ({@link Mlp}, {@link Inputs}) see only that runtime.
 *
 * <ul>
 *   <li>{@code gemm:MxNxK}: {@code Kernels.gemm} with the weight packed once, bias and ReLU;
 *   <li>{@code cgemm:MxNxK}: the same with the weight cold: each call takes the next of enough
 *       packed copies (at least 64 MB) that none is still cached, as a batch-1 network reads
 *       each layer's weights once a forward;
 *   <li>{@code dots:MxNxK}: the same product with the {@code [N, K]} weight read in place (as
 *       {@code Functional.linearInto} runs batches of 1 to 3);
 *   <li>{@code wgemm:MxNxK}: a training step's forward product {@code y^T = W x^T}: the
 *       {@code [M, K]} weight read in place as stored, {@code x} ({@code [N, K]}) read
 *       transposed, no epilogue ({@code TrainStep}'s {@code LinearNode} below 4 panels);
 *   <li>{@code tgemm:MxNxK}: a training step's weight gradient {@code dW = g^T x}
 *       ({@code Kernels.gemmTransposedA}: {@code g} is {@code [K, M]}, {@code x} {@code [K, N]},
 *       {@code dW} {@code [M, N]} written over);
 *   <li>{@code sgd:N}: plain SGD ({@code Updates.sgd}, lr 0.01) over N parameters;
 *   <li>{@code mlp:B}: the 784-1024-1024-10 MLP at batch B through {@code
 *       Functional.linearInto}, as generated code runs it;
 *   <li>{@code tutorial}: the tutorial's 20-256-10 MLP at batch 2, the same way;
 *   <li>{@code train:B}: one training step of the 784-1024-1024-10 MLP at batch B (zeroGrad,
 *       {@code TrainStep}'s forward and backward, SGD), as {@link TrainStepBenchmark#step}
 *       runs it; the weights keep training from call to call;
 *   <li>{@code cnntrain:B}: one training step of specs/fashion_cnn.yaml's CNN (its layers as a
 *       runtime Sequential) at batch B of 1 x 28 x 28 images on the tape, cross-entropy and
 *       Adam (lr 0.001), as {@code netspec train} runs it; the weights keep training;
 *   <li>{@code conv:NxCxHxWxOxK}: a {@code Conv2d(C, O, K, padding=K/2)} with bias, on N
 *       images of C x H x W, through {@code forwardInto} with a fused ReLU;
 *   <li>{@code dw:NxCxHxWxKxS}: a depthwise {@code Conv2d(C, C, K, S, K/2, groups=C)} the same
 *       way;
 *   <li>{@code conv2d:NxCxHxWxOxKxS}: a {@code Conv2d(C, O, K, S, K/2, bias=False)} with a
 *       folded batch norm and ReLU, as the generated ResNet runs its convolutions;
 *   <li>{@code maxpool:NxCxHxW}: {@code MaxPool2d(3, 2, 1)}, ResNet's stem pooling, in eval
 *       mode;
 *   <li>{@code attention:B}: BERT MiniLM's attention kernel alone (12 heads of 32, 128
 *       tokens, batch B) through {@code Functional.scaledDotProductAttentionInto}, as {@code
 *       BertSelfAttention} runs it;
 *   <li>{@code causal:B}: GPT-2 small's prefill attention alone (12 heads of 64, 128 tokens,
 *       causal, batch B);
 *   <li>{@code resnet:B}: the generated ResNet-18 ({@link ResNet18Benchmark}'s weights) on B
 *       images of 3x224x224, through {@code forward(x, out)};
 *   <li>{@code bert:B}: the generated {@code BertModel} at all-MiniLM-L6-v2's size, eval
 *       mode, batch B of 128 seeded tokens, as {@link BertBenchmark} runs it;
 *   <li>{@code gpt2:C}: one cached decode step of the generated GPT-2 small at context C, as
 *       {@link Gpt2DecodeBenchmark} runs it;
 *   <li>{@code prefill:B}: the generated GPT-2 small's prefill of 128 tokens at batch B, as
 *       {@link Gpt2PrefillBenchmark} runs it (on one kernel thread: its setUp sets it);
 *   <li>{@code lstm:B}: {@link LstmBenchmark}'s 2-layer LSTM of 256 over 100 steps at batch B
 *       (one kernel thread, likewise);
 *   <li>{@code fma-peak}: {@link FmaPeakBenchmark}'s FMA loop (no runtime code);
 *   <li>{@code bandwidth}: {@link MemoryBandwidthBenchmark}'s read of 512 MiB as eight streams
 *       ({@code bandwidth-1}: as one stream, the old probe; no runtime code);
 *   <li>any of them with {@code @T}: on T kernel threads (default 1).
 * </ul>
 */
public final class AbWorkloads {
  private static final Map<String, Runnable> CACHE = new HashMap<>();
  private static volatile float sink;

  /** The array the {@code bandwidth} workloads read, in MiB. */
  static final int BANDWIDTH_MIB = 512;

  /**
   * With {@code -Dab.clock=cpu}, workloads are timed by CPU time instead of the wall clock: a
   * one-thread workload by the calling thread's, one on T threads by the whole process's
   * divided by T (the wall time it would take with T idle cores, if the pool's workers spin
   * while they wait, as they do for a while; the JIT's and GC's threads count too). On a
   * machine shared with other jobs, the time the threads spend descheduled then does not
   * count (caches disturbed by the other jobs still do).
   */
  private static final boolean CPU_CLOCK = "cpu".equals(System.getProperty("ab.clock"));
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private AbWorkloads() {}

  private static long now(int threads) {
    if (!CPU_CLOCK) {
      return System.nanoTime();
    }
    return threads == 1 ? THREADS.getCurrentThreadCpuTime() : OS.getProcessCpuTime() / threads;
  }

  /** One call of {@code what} (no {@code @THREADS}), made once and kept (profiles time it). */
  static Runnable call(String what) {
    return CACHE.computeIfAbsent(what, AbWorkloads::make);
  }

  /** Runs {@code workload} for about {@code millis} ms; returns nanoseconds per call. */
  public static double perCallNs(String workload, int millis) {
    int at = workload.indexOf('@');
    int threads = at < 0 ? 1 : Integer.parseInt(workload.substring(at + 1));
    String what = at < 0 ? workload : workload.substring(0, at);
    if (Kernels.threads() != threads) {
      Kernels.setThreads(threads);
    }
    Runnable call = CACHE.computeIfAbsent(what, AbWorkloads::make);
    call.run();
    long calls = 0;
    long start = now(threads);
    long now;
    do {
      call.run();
      calls++;
      now = now(threads);
    } while (now - start < millis * 1_000_000L);
    return (now - start) / (double) calls;
  }

  private static Runnable make(String what) {
    if (what.startsWith("gemm:") || what.startsWith("cgemm:") || what.startsWith("dots:")) {
      boolean packed = !what.startsWith("dots:");
      String[] p = what.substring(what.indexOf(':') + 1).split("x");
      int m = Integer.parseInt(p[0]);
      int n = Integer.parseInt(p[1]);
      int k = Integer.parseInt(p[2]);
      Random rnd = new Random(1);
      float[] a = Inputs.uniform(rnd, 1f, m, k).array();
      float[] bias = Inputs.uniform(rnd, 1f, n).array();
      float[] c = new float[m * n];
      float[] weight = Inputs.uniform(rnd, 1f, n, k).array();
      if (!packed) {
        return () -> {
          Kernels.gemm(m, n, k, a, 0, k, weight, 0, k, true, c, 0, n, bias, 0, Activation.RELU);
          sink += c[0];
        };
      }
      PackedMatrix w = PackedMatrix.pack(k, n, weight, 0, k, true);
      if (what.startsWith("cgemm:")) {
        PackedMatrix[] copies = new PackedMatrix[(int) Math.max(2, (16L << 20) / ((long) n * k))];
        copies[0] = w;
        for (int i = 1; i < copies.length; i++) {
          copies[i] = PackedMatrix.pack(k, n, Inputs.uniform(rnd, 1f, n, k).array(), 0, k, true);
        }
        int[] next = {0};
        return () -> {
          PackedMatrix cold = copies[next[0]];
          next[0] = (next[0] + 1) % copies.length;
          Kernels.gemm(m, a, 0, k, cold, c, 0, n, bias, 0, Activation.RELU);
          sink += c[0];
        };
      }
      return () -> {
        Kernels.gemm(m, a, 0, k, w, c, 0, n, bias, 0, Activation.RELU);
        sink += c[0];
      };
    }
    if (what.startsWith("wgemm:") || what.startsWith("tgemm:")) {
      String[] p = what.substring(6).split("x");
      int m = Integer.parseInt(p[0]);
      int n = Integer.parseInt(p[1]);
      int k = Integer.parseInt(p[2]);
      Random rnd = new Random(1);
      float[] c = new float[m * n];
      if (what.startsWith("wgemm:")) {
        float[] w = Inputs.uniform(rnd, 1f, m, k).array();
        float[] x = Inputs.uniform(rnd, 1f, n, k).array();
        return () -> {
          Kernels.gemm(m, n, k, w, 0, k, x, 0, k, true, c, 0, n, null, 0, Activation.NONE);
          sink += c[0];
        };
      }
      float[] g = Inputs.uniform(rnd, 1f, k, m).array();
      float[] x = Inputs.uniform(rnd, 1f, k, n).array();
      return () -> {
        Kernels.gemmTransposedA(m, n, k, g, 0, m, x, 0, n, c, 0, n, false);
        sink += c[0];
      };
    }
    if (what.startsWith("sgd:")) {
      int n = Integer.parseInt(what.substring(4));
      Random rnd = new Random(1);
      float[] w = Inputs.uniform(rnd, 1f, n).array();
      float[] g = Inputs.uniform(rnd, 1e-3f, n).array();
      return () -> {
        Updates.sgd(w, 0, g, 0, null, n, 0.01f, 0, 0, 0, false, false);
        sink += w[0];
      };
    }
    if (what.startsWith("conv:")) {
      int[] p = java.util.Arrays.stream(what.substring(5).split("x"))
          .mapToInt(Integer::parseInt).toArray();
      Conv2d conv = new Conv2d(p[1], p[4], p[5], 1, p[5] / 2);
      conv.eval();
      Tensor x = Inputs.uniform(new Random(1), 1f, p[0], p[1], p[2], p[3]);
      Tensor y = Tensor.zeros(conv.outputShape(x.shape()));
      return () -> sink += conv.forwardInto(x, Activation.RELU, y).array()[0];
    }
    if (what.startsWith("dw:")) {
      int[] p = java.util.Arrays.stream(what.substring(3).split("x"))
          .mapToInt(Integer::parseInt).toArray();
      Conv2d conv = new Conv2d(p[1], p[1], p[4], p[5], p[4] / 2, 1, p[1], true, "zeros");
      conv.eval();
      Tensor x = Inputs.uniform(new Random(1), 1f, p[0], p[1], p[2], p[3]);
      Tensor y = Tensor.zeros(conv.outputShape(x.shape()));
      return () -> sink += conv.forwardInto(x, Activation.RELU, y).array()[0];
    }
    if (what.startsWith("conv2d:")) {
      int[] p = java.util.Arrays.stream(what.substring(7).split("x"))
          .mapToInt(Integer::parseInt).toArray();
      Conv2d conv = new Conv2d(p[1], p[4], p[5], p[6], p[5] / 2, 1, 1, false, "zeros");
      BatchNorm2d bn = new BatchNorm2d(p[4]);
      RandomStateDict.fill_(bn.stateDict(), 1);
      conv.eval();
      bn.eval();
      Tensor x = Inputs.uniform(new Random(1), 1f, p[0], p[1], p[2], p[3]);
      Tensor y = Tensor.zeros(conv.outputShape(x.shape()));
      return () -> sink += conv.forwardInto(x, bn, Activation.RELU, null, y).array()[0];
    }
    if (what.startsWith("maxpool:")) {
      int[] p = java.util.Arrays.stream(what.substring(8).split("x"))
          .mapToInt(Integer::parseInt).toArray();
      MaxPool2d pool = new MaxPool2d(3, 2, 1);
      pool.eval();
      Tensor x = Inputs.uniform(new Random(1), 1f, p[0], p[1], p[2], p[3]);
      Tensor y = pool.forward(x);
      return () -> sink += pool.forward(x, y).array()[0];
    }
    if (what.startsWith("gelu:")) {
      int n = Integer.parseInt(what.substring(5));
      GELU gelu = new GELU();
      Tensor x = Inputs.uniform(new Random(1), 4f, n);
      Tensor y = Tensor.zeros(n);
      return () -> sink += gelu.forward(x, y).array()[0];
    }
    if (what.startsWith("attention:")) {
      // BERT MiniLM's self-attention: 12 heads of 32, a (batch, 1, 1, 128) added mask
      int batch = Integer.parseInt(what.substring(10));
      return attention(batch, 32, Tensor.zeros(batch, 1, 1, 128), false);
    }
    if (what.startsWith("causal:")) { // GPT-2 small's prefill: 12 heads of 64, causal
      return attention(Integer.parseInt(what.substring(7)), 64, null, true);
    }
    if (what.startsWith("resnet:")) {
      int batch = Integer.parseInt(what.substring(7));
      ResNet net = new ResNet();
      RandomStateDict.fill_(net.stateDict(), ResNet18State.SEED);
      net.eval();
      Tensor x = Tensor.randn(new Generator(ResNet18State.SEED + batch), batch, 3,
          ResNet18State.SIDE, ResNet18State.SIDE);
      Tensor logits = Tensor.zeros(batch, 1000);
      return () -> sink += net.forward(x, logits).array()[0];
    }
    if (what.equals("fma-peak")) {
      float[] operands = {FmaPeakBenchmark.X, FmaPeakBenchmark.Y}; // not constants to the JIT
      return () -> sink += FmaPeakBenchmark.chains(operands[0], operands[1]);
    }
    if (what.equals("bandwidth") || what.equals("bandwidth-1")) {
      float[] data = MemoryBandwidthBenchmark.array(BANDWIDTH_MIB);
      if (what.equals("bandwidth")) {
        return () -> sink += MemoryBandwidthBenchmark.eightStreams(data);
      }
      return () -> sink += MemoryBandwidthBenchmark.oneStream(data);
    }
    if (what.startsWith("mlp:")) {
      return mlp("784-1024-1024-10", Integer.parseInt(what.substring(4)));
    }
    if (what.startsWith("bert:")) {
      BertBenchmark bert = new BertBenchmark();
      bert.batch = Integer.parseInt(what.substring(5));
      bert.threads = Kernels.threads();
      bert.noGrad(); // inference: the buffered forward, as JMH's runs
      setUp(bert::setup);
      return () -> sink += bert.forward().get(0, 0);
    }
    if (what.startsWith("gpt2:")) {
      Gpt2DecodeBenchmark gpt = new Gpt2DecodeBenchmark();
      gpt.context = Integer.parseInt(what.substring(5));
      gpt.setUp();
      return () -> sink += gpt.decodeStep().get(0, 0, 0);
    }
    if (what.startsWith("prefill:")) {
      Gpt2PrefillBenchmark gpt = new Gpt2PrefillBenchmark();
      gpt.batch = Integer.parseInt(what.substring(8));
      setUp(gpt::setUp);
      return () -> sink += gpt.prefill().get(0, 0, 0);
    }
    if (what.startsWith("lstm:")) {
      LstmBenchmark lstm = new LstmBenchmark();
      lstm.batch = Integer.parseInt(what.substring(5));
      setUp(lstm::setUp);
      return () -> sink += lstm.forward().get(0, 0, 0);
    }
    if (what.equals("tutorial")) {
      return mlp("20-256-10", 2);
    }
    if (what.startsWith("train:")) {
      TrainStepBenchmark train = new TrainStepBenchmark();
      train.model = "784-1024-1024-10";
      train.batch = Integer.parseInt(what.substring(6));
      train.threads = Kernels.threads();
      train.setup();
      train.noGrad(); // the initial weights, grad mode on
      return () -> sink += train.step().hashCode();
    }
    if (what.startsWith("cnntrain:")) {
      return cnnTrain(Integer.parseInt(what.substring(9)));
    }
    throw new IllegalArgumentException("unknown workload '" + what
        + "': use gemm:MxNxK, cgemm:MxNxK, dots:MxNxK, conv:NxCxHxWxOxK, conv2d:NxCxHxWxOxKxS,"
        + " dw:NxCxHxWxKxS, maxpool:NxCxHxW, gelu:N, attention:BATCH, causal:BATCH,"
        + " resnet:BATCH, mlp:BATCH, train:BATCH,"
        + " cnntrain:BATCH, bert:BATCH,"
        + " gpt2:CONTEXT, prefill:BATCH, lstm:BATCH, tutorial, fma-peak, bandwidth or bandwidth-1, each optionally with"
        + " @THREADS");
  }

  /**
   * {@code attention:B} and {@code causal:B}: 12 heads of {@code width} over 128 tokens, read in
   * place from {@code (batch, 128, 12 * width)} projections as the generated blocks hold them.
   */
  private static Runnable attention(int batch, int width, Tensor mask, boolean causal) {
    Random rnd = new Random(1);
    Tensor q = Inputs.uniform(rnd, 2f, batch, 128, 12, width).transpose(1, 2);
    Tensor k = Inputs.uniform(rnd, 2f, batch, 128, 12, width).transpose(1, 2);
    Tensor v = Inputs.uniform(rnd, 1f, batch, 128, 12, width).transpose(1, 2);
    Tensor out = Tensor.zeros(batch, 128, 12, width).transpose(1, 2);
    return () -> sink += Functional.scaledDotProductAttentionInto(q, k, v, mask, causal, out)
        .get(0, 0, 0, 0);
  }

  /** A benchmark's setup that reads files (the peers' weights, when given). */
  private interface Setup {
    void run() throws java.io.IOException;
  }

  private static void setUp(Setup setup) {
    try {
      setup.run();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** {@code cnntrain:B} (see the class comment). */
  private static Runnable cnnTrain(int batch) {
    Sequential net = new Sequential(new Conv2d(1, 16, 3, 1, 1), new ReLU(), new MaxPool2d(2),
        new Conv2d(16, 32, 3, 1, 1), new ReLU(), new MaxPool2d(2), new Flatten(),
        new Linear(32 * 7 * 7, 128), new ReLU(), new Linear(128, 10));
    net.initialize(0);
    Tensor x = Tensor.randn(new Generator(1), batch, 1, 28, 28);
    long[] labels = new long[batch];
    for (int i = 0; i < batch; i++) {
      labels[i] = i % 10;
    }
    Tensor target = Tensor.ofLongs(labels, batch);
    CrossEntropyLoss loss = new CrossEntropyLoss();
    Adam adam = new Adam(net.parameters(), 0.001);
    GradMode.setEnabled(true);
    return () -> {
      adam.zeroGrad();
      Tensor l = loss.forward(net.forward(x), target);
      l.backward();
      adam.step();
      sink += l.item();
    };
  }

  /**
   * The benchmarks' {@link Mlp} (generated code's forward) on seeded weights and input, under
   * no_grad where the runtime has autograd (looked up by name: an older runtime has none).
   */
  private static Runnable mlp(String model, int batch) {
    try {
      Class.forName("dev.netspec.runtime.autograd.GradMode").getMethod("setEnabled", boolean.class)
          .invoke(null, false);
    } catch (ReflectiveOperationException beforeAutograd) {
      // nothing records in a runtime without autograd
    }
    int[] widths = Mlp.widths(model);
    Mlp mlp = Mlp.random(widths, 0);
    Tensor x = Inputs.uniform(new Random(1), 1f, batch, widths[0]);
    return () -> sink += mlp.forward(x).get(0, 0);
  }
}
