package dev.netspec.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The vector update kernels against their scalar twins, bit for bit: sizes 0, 1, L - 1, L,
 * L + 1 (L = lanes) and one large, at offsets, with every option on and off.
 */
class UpdatesTwinTest {
  private static final int L = VectorBackend.SPECIES.length();
  private static final int[] SIZES = {0, 1, L - 1, L, L + 1, 2 * L + 3, 1000};
  private static final UpdateKernels VECTOR = new VectorUpdates();
  private static final UpdateKernels SCALAR = new ScalarUpdates();

  private static float[] random(Random r, int n, boolean positive) {
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      float v = (float) r.nextGaussian();
      out[i] = positive ? Math.abs(v) * 0.1f : v;
    }
    return out;
  }

  /** Runs {@code step} on copies of the same state with both twins, 3 times, and compares. */
  private interface Step {
    void run(UpdateKernels k, float[] p, float[] g, float[] a, float[] b, float[] c, int n,
        boolean first);
  }

  private static void twins(String op, Step step) {
    assertEquals("vector", Updates.backend(), "the tests run with the Vector API module");
    for (int n : SIZES) {
      Random r = new Random(n * 31L + op.hashCode());
      int off = 3;
      float[] p = random(r, n + off, false);
      float[] g = random(r, n + off, false);
      float[] a = random(r, n, false);
      float[] b = random(r, n, true);
      float[] c = random(r, n, true);
      float[][] vs = {p.clone(), a.clone(), b.clone(), c.clone()};
      float[][] ss = {p.clone(), a.clone(), b.clone(), c.clone()};
      for (int t = 0; t < 3; t++) {
        step.run(VECTOR, vs[0], g, vs[1], vs[2], vs[3], n, t == 0);
        step.run(SCALAR, ss[0], g, ss[1], ss[2], ss[3], n, t == 0);
      }
      for (int i = 0; i < 4; i++) {
        assertArrayEquals(ss[i], vs[i], op + " size " + n + " array " + i + " (bit for bit)");
      }
    }
  }

  @Test
  void sgd() {
    twins("sgd", (k, p, g, a, b, c, n, first) -> k.sgd(p, 3, g, 3, null, 0, n, 0.1f, 0, 0, 0,
        false, first));
    twins("sgd momentum", (k, p, g, a, b, c, n, first) -> k.sgd(p, 3, g, 3, a, 0, n, 0.1f, 0.9f,
        0.1f, 0.01f, false, first));
    twins("sgd nesterov", (k, p, g, a, b, c, n, first) -> k.sgd(p, 3, g, 3, a, 0, n, 0.1f, 0.9f,
        0, 0.1f, true, first));
  }

  @Test
  void adam() {
    twins("adam", (k, p, g, a, b, c, n, first) -> k.adam(p, 3, g, 3, a, b, null, 0, n, 1f, 0,
        0.9f, 0.999f, -0.01f, 0.03f, 1e-8f));
    twins("adam l2 amsgrad", (k, p, g, a, b, c, n, first) -> k.adam(p, 3, g, 3, a, b, c, 0, n,
        1f, 0.1f, 0.8f, 0.99f, -0.02f, 0.1f, 1e-6f));
    twins("adamw", (k, p, g, a, b, c, n, first) -> k.adam(p, 3, g, 3, a, b, null, 0, n, 0.999f,
        0, 0.9f, 0.999f, -0.01f, 0.03f, 1e-8f));
  }

  @Test
  void rmsprop() {
    twins("rmsprop", (k, p, g, a, b, c, n, first) -> k.rmsprop(p, 3, g, 3, b, null, null, 0, n,
        0.01f, 0.99f, 1e-8f, 0, 0));
    twins("rmsprop centered momentum", (k, p, g, a, b, c, n, first) -> k.rmsprop(p, 3, g, 3,
        b, a, c, 0, n, 0.01f, 0.9f, 1e-6f, 0.1f, 0.9f));
  }

  /**
   * A parameter large enough to be split across the kernels' threads, in blocks that do not
   * start at a vector boundary of the parameter (offset 3), gets the single-threaded scalar
   * twin's bits, state included, for every update.
   */
  @Test
  void splitAcrossThreadsEqualsOneThread() {
    int n = Updates.PARALLEL_ELEMENTS + Updates.BLOCK / 2 + 5; // a partial last block
    int saved = Kernels.threads();
    try {
      Kernels.setThreads(2);
      for (int kind = 0; kind < 3; kind++) {
        Random r = new Random(kind);
        float[] p = random(r, n + 3, false);
        float[] g = random(r, n + 3, false);
        float[] a = random(r, n, false);
        float[] b = random(r, n, true);
        float[] c = random(r, n, true);
        float[][] split = {p.clone(), a.clone(), b.clone(), c.clone()};
        float[][] one = {p.clone(), a.clone(), b.clone(), c.clone()};
        for (int t = 0; t < 2; t++) {
          boolean first = t == 0;
          if (kind == 0) {
            Updates.sgd(split[0], 3, g, 3, split[1], n, 0.1f, 0.9f, 0.1f, 0.01f, false, first);
            SCALAR.sgd(one[0], 3, g, 3, one[1], 0, n, 0.1f, 0.9f, 0.1f, 0.01f, false, first);
          } else if (kind == 1) {
            Updates.adam(split[0], 3, g, 3, split[1], split[2], split[3], n, 1f, 0.1f, 0.8f,
                0.99f, -0.02f, 0.1f, 1e-6f);
            SCALAR.adam(one[0], 3, g, 3, one[1], one[2], one[3], 0, n, 1f, 0.1f, 0.8f, 0.99f,
                -0.02f, 0.1f, 1e-6f);
          } else {
            Updates.rmsprop(split[0], 3, g, 3, split[2], split[1], split[3], n, 0.01f, 0.9f,
                1e-6f, 0.1f, 0.9f);
            SCALAR.rmsprop(one[0], 3, g, 3, one[2], one[1], one[3], 0, n, 0.01f, 0.9f, 1e-6f,
                0.1f, 0.9f);
          }
        }
        for (int i = 0; i < 4; i++) {
          assertArrayEquals(one[i], split[i], "update " + kind + " array " + i);
        }
        assertNotEquals(p[3 + n - 1], split[0][3 + n - 1], "the last element was updated");
      }
    } finally {
      Kernels.setThreads(saved);
    }
  }
}
