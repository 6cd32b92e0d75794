package dev.netspec.benchmarks;

import dev.netspec.examples.MnistMlp;
import dev.netspec.runtime.autograd.GradMode;
import dev.netspec.runtime.kernels.Kernels;
import dev.netspec.runtime.nn.Parameter;
import dev.netspec.runtime.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load test of one generated model ({@code specs/mnist_mlp.yaml}'s MnistMlp) shared by 1, 2, 8
 * and 64 threads, each for a fixed time, in two ways: every thread calling the one instance's
 * {@code forward(x)} (a call while another thread is inside it runs on a free replica), and
 * every thread with its own {@code replica()} calling the zero-allocation {@code forward(x,
 * out)}. Every output is compared, bit for bit, with the one a single thread computed before;
 * any wrong output or exception is counted and makes the exit code 1. Reports calls per
 * second (and against one thread), calls per second of the request threads' CPU time (the
 * cost of a call: on a loaded machine the only one to read, since wall-clock scaling needs
 * idle cores; the 1.8x goal on 2 cores needs it to stay near one thread's) and the heap the
 * threads added over the single-threaded model (after a full GC), beside what whole copies
 * of the model would take: the weights exist once, each active thread adds a workspace.
 *
 * <pre>
 * benchmarks/concurrent.sh [SECONDS_PER_RUN] [BATCH]
 * </pre>
 *
 * The kernels run on one thread each ({@code Kernels.setThreads(1)}), so the request threads
 * are the only parallelism. A plain main class, not JMH: the numbers are throughput under a
 * fixed load, and the point is that they come with every output checked.
 */
public final class ConcurrentServing {
  private static final int[] THREADS = {1, 2, 8, 64};
  private static final int INPUTS = 16;

  private static final java.lang.management.ThreadMXBean CPU =
      ManagementFactory.getThreadMXBean();

  private ConcurrentServing() {}

  /** What one run counted. */
  private record Run(long calls, long wrong, long errors, String firstProblem, long heap,
      long cpuNanos) {}

  public static void main(String[] args) throws Exception {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
    int batch = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    Kernels.setThreads(1);
    GradMode.setEnabled(false);
    MnistMlp model = new MnistMlp(1).eval();
    Random random = new Random(5);
    Tensor[] inputs = new Tensor[INPUTS];
    float[][] expected = new float[INPUTS][];
    for (int i = 0; i < INPUTS; i++) {
      inputs[i] = Inputs.uniform(random, 1f, batch, 1, 28, 28);
      expected[i] = model.forward(inputs[i]).toFloatArray();
    }
    // Warm both paths on one thread, and on two, so the single-thread rates are of compiled code.
    double warm = Math.max(seconds, 3); // C2 needs a few seconds, more on a busy machine
    run(model, true, 1, warm, inputs, expected);
    run(model, false, 2, warm, inputs, expected);
    long weights = 0;
    for (Parameter p : model.parameters()) {
      weights += p.data().numel() * Float.BYTES;
    }
    long base = heapAfterGc(); // the model (and a replica the warm-up's pool keeps)
    MnistMlp copy = new MnistMlp(1).eval();
    copy.forward(inputs[0]); // packs its weights, sizes its buffers
    long wholeModel = heapAfterGc() - base;
    copy = null;
    base = heapAfterGc(); // without the copy, with what its forward left in this thread's kernels
    System.out.printf(Locale.ROOT, "MnistMlp, batch %d, %.1f s per run, %d cores; parameters %s,"
        + " a whole model (weights, packed weights, buffers) %s%n", batch, seconds,
        Runtime.getRuntime().availableProcessors(), kib(weights), kib(wholeModel));
    System.out.printf(Locale.ROOT, "%-22s %7s %12s %8s %12s %8s %6s %6s %14s %14s%n", "mode",
        "threads", "calls/s", "x1", "calls/cpu-s", "x1", "wrong", "errors", "heap added",
        "N whole models");
    boolean ok = true;
    StringBuilder scaling = new StringBuilder();
    // Own replicas first: forward(x)'s pool keeps the replicas it made, which would count below.
    for (String mode : List.of("replica forward(x,out)", "forward(x)")) {
      double single = 0;
      double singleCpu = 0;
      for (int threads : THREADS) {
        Run r = run(model, mode.startsWith("replica"), threads, seconds, inputs, expected);
        double rate = r.calls / seconds;
        double perCpu = r.calls / (r.cpuNanos / 1e9); // on a loaded machine, read this one
        if (threads == 1) {
          single = rate;
          singleCpu = perCpu;
        }
        long added = r.heap - base;
        System.out.printf(Locale.ROOT, "%-22s %7d %12.0f %8.2f %12.0f %8.2f %6d %6d %14s %14s%n",
            mode, threads, rate, rate / single, perCpu, perCpu / singleCpu, r.wrong, r.errors,
            kib(added), kib(wholeModel * threads));
        if (r.wrong > 0 || r.errors > 0) {
          ok = false;
          System.out.println("  first problem: " + r.firstProblem);
        }
        if (threads == 2) {
          scaling.append(String.format(Locale.ROOT, "%s%s %.2fx (CPU time per call %.2fx one"
              + " thread's)", scaling.length() == 0 ? "" : ", ", mode, rate / single,
              singleCpu / perCpu));
        }
      }
    }
    System.out.println("2 threads against 1 (goal on 2 cores: >= 1.80x): " + scaling);
    System.out.println(ok ? "every output matched the single-threaded reference"
        : "FAILED: wrong outputs or exceptions above");
    System.exit(ok ? 0 : 1);
  }

  private static Run run(MnistMlp model, boolean replicas, int threads, double seconds, Tensor[] inputs,
      float[][] expected) throws InterruptedException {
    AtomicLong calls = new AtomicLong();
    AtomicLong wrong = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    AtomicLong cpu = new AtomicLong();
    String[] first = new String[1];
    CountDownLatch start = new CountDownLatch(1);
    CountDownLatch finished = new CountDownLatch(threads);
    CountDownLatch measured = new CountDownLatch(1);
    long end = System.nanoTime() + (long) (seconds * 1e9) + 100_000_000L;
    List<Thread> pool = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      Thread thread = new Thread(() -> {
        GradMode.setEnabled(false); // serving is inference: forward(x) would record otherwise
        MnistMlp mine = replicas ? model.replica() : model;
        Tensor out = Tensor.zeros(inputs[0].size(0), 10);
        try {
          start.await();
        } catch (InterruptedException e) {
          return;
        }
        long n = 0;
        long cpu0 = CPU.getCurrentThreadCpuTime();
        for (int call = id; System.nanoTime() < end; call++, n++) {
          int which = call % inputs.length;
          try {
            Tensor y = replicas ? mine.forward(inputs[which], out) : mine.forward(inputs[which]);
            if (!Arrays.equals(expected[which], y.toFloatArray())) {
              wrong.incrementAndGet();
              note(first, "thread " + id + ", call " + n + ": wrong output");
            }
          } catch (RuntimeException e) {
            errors.incrementAndGet();
            note(first, "thread " + id + ", call " + n + ": " + e);
          }
        }
        cpu.addAndGet(CPU.getCurrentThreadCpuTime() - cpu0);
        calls.addAndGet(n);
        finished.countDown();
        try {
          measured.await(); // keeps this thread's replica reachable while the heap is measured
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      pool.add(thread);
      thread.start();
    }
    Thread.sleep(100); // the threads made their replicas and wait
    start.countDown();
    finished.await();
    long heap = heapAfterGc(); // the model, the pool's replicas, or each thread's own
    measured.countDown();
    for (Thread thread : pool) {
      thread.join();
    }
    return new Run(calls.get(), wrong.get(), errors.get(), first[0], heap, cpu.get());
  }

  private static synchronized void note(String[] first, String problem) {
    if (first[0] == null) {
      first[0] = problem;
    }
  }

  private static long heapAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(50);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static String kib(long bytes) {
    return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
  }
}
