package dev.netspec.benchmarks;

import dev.netspec.runtime.kernels.Activation;
import dev.netspec.runtime.kernels.Kernels;
import dev.netspec.runtime.kernels.PackedMatrix;
import dev.netspec.runtime.nn.Functional;
import dev.netspec.runtime.nn.PackedWeight;
import dev.netspec.runtime.tensor.Tensor;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

/**
 * The workloads {@link AbCompare} times, loaded once per runtime version (each in its own class
 * loader, beside that version's classes): it uses only the runtime's public API and the JDK.
 *
 * <ul>
 *   <li>{@code gemm:MxNxK}: {@code Kernels.gemm} with the weight packed once, bias and ReLU;
 *   <li>{@code mlp:B}: the 784-1024-1024-10 MLP at batch B through {@code
 *       Functional.linearInto}, as generated code runs it;
 *   <li>{@code tutorial}: the tutorial's 20-256-10 MLP at batch 2, the same way;
 *   <li>any of them with {@code @T}: on T kernel threads (default 1).
 * </ul>
 */
public final class AbWorkloads {
  private static final Map<String, Runnable> CACHE = new HashMap<>();
  private static volatile float sink;

  private AbWorkloads() {}

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
    long start = System.nanoTime();
    long now;
    do {
      call.run();
      calls++;
      now = System.nanoTime();
    } while (now - start < millis * 1_000_000L);
    return (now - start) / (double) calls;
  }

  private static Runnable make(String what) {
    Random rnd = new Random(1);
    if (what.startsWith("gemm:")) {
      String[] p = what.substring(5).split("x");
      int m = Integer.parseInt(p[0]);
      int n = Integer.parseInt(p[1]);
      int k = Integer.parseInt(p[2]);
      float[] a = values(rnd, m * k);
      float[] bias = values(rnd, n);
      float[] c = new float[m * n];
      PackedMatrix w = PackedMatrix.pack(k, n, values(rnd, n * k), 0, k, true);
      return () -> {
        Kernels.gemm(m, a, 0, k, w, c, 0, n, bias, 0, Activation.RELU);
        sink += c[0];
      };
    }
    if (what.startsWith("mlp:")) {
      return mlp(rnd, Integer.parseInt(what.substring(4)), 784, 1024, 1024, 10);
    }
    if (what.equals("tutorial")) {
      return mlp(rnd, 2, 20, 256, 10);
    }
    throw new IllegalArgumentException("unknown workload '" + what
        + "': use gemm:MxNxK, mlp:BATCH or tutorial, each optionally with @THREADS");
  }

  private static Runnable mlp(Random rnd, int batch, int... widths) {
    int layers = widths.length - 1;
    Tensor[] weights = new Tensor[layers];
    Tensor[] biases = new Tensor[layers];
    Tensor[] outs = new Tensor[layers];
    PackedWeight[] packed = new PackedWeight[layers];
    for (int l = 0; l < layers; l++) {
      float bound = (float) (1 / Math.sqrt(widths[l]));
      weights[l] = Tensor.fromArray(scaled(values(rnd, widths[l + 1] * widths[l]), bound),
          widths[l + 1], widths[l]);
      biases[l] = Tensor.fromArray(scaled(values(rnd, widths[l + 1]), bound), widths[l + 1]);
      outs[l] = Tensor.zeros(batch, widths[l + 1]);
      packed[l] = new PackedWeight();
    }
    Tensor x = Tensor.fromArray(values(rnd, batch * widths[0]), batch, widths[0]);
    return () -> {
      Tensor h = x;
      for (int l = 0; l < layers; l++) {
        h = Functional.linearInto(h, weights[l], biases[l],
            l < layers - 1 ? Activation.RELU : Activation.NONE, packed[l], outs[l]);
      }
      sink += h.get(0, 0);
    };
  }

  /** Uniform in [-1, 1). */
  private static float[] values(Random rnd, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = 2 * rnd.nextFloat() - 1;
    }
    return v;
  }

  private static float[] scaled(float[] v, float s) {
    for (int i = 0; i < v.length; i++) {
      v[i] *= s;
    }
    return v;
  }
}
