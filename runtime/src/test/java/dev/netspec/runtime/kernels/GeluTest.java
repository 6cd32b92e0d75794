package dev.netspec.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * GELU's kernels: the vector one against its scalar twin (the same floats, bit for bit, on
 * sizes 0, 1, L - 1, L, L + 1, 2L + 1 and larger, specials included), and the twin against
 * the exact GELU computed in double from {@link Erf#erfc} (within {@code 1 ulp + 2.2e-7 |x|},
 * PyTorch's own float32 kernel's accuracy class).
 */
class GeluTest {
  private static final int L = VectorBackend.SPECIES.length();

  @Test
  void vectorGeluMatchesTheTwinBitForBit() {
    int n = 4096 + L + 3;
    float[] x = new float[n];
    Random rnd = new Random(7);
    for (int i = 0; i < n; i++) {
      x[i] = (float) (rnd.nextGaussian() * (i % 3 == 0 ? 12 : 2));
    }
    float[] special = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, 0f,
        Gelu.CLAMP / Gelu.SQRT_HALF, -Gelu.CLAMP / Gelu.SQRT_HALF, 12.7f, -12.7f, -13f, 1e-30f,
        -1e-30f, 3e38f, -3e38f};
    System.arraycopy(special, 0, x, 1, special.length);
    for (int size : new int[] {0, 1, L - 1, L, L + 1, 2 * L + 1, n - 1}) {
      float[] want = new float[n];
      float[] got = new float[n];
      Gelu.gelu(x, 1, want, 0, size);
      VectorGelu.gelu(x, 1, got, 0, size);
      for (int i = 0; i < size; i++) {
        assertEquals(Float.floatToIntBits(want[i]), Float.floatToIntBits(got[i]),
            "gelu n=" + size + " at " + i + " (x = " + x[i + 1] + "): " + want[i] + " vs "
                + got[i]);
      }
    }
  }

  @Test
  void vectorGeluInPlaceAcrossChunksEqualsTheTwin() {
    int n = 3 * 1024 + 2 * L + 5;
    float[] x = new float[n];
    Random rnd = new Random(11);
    for (int i = 0; i < n; i++) {
      x[i] = (float) (rnd.nextGaussian() * 6);
    }
    float[] want = new float[n];
    Gelu.gelu(x, 0, want, 0, n);
    VectorGelu.gelu(x, 0, x, 0, n);
    for (int i = 0; i < n; i++) {
      assertEquals(Float.floatToIntBits(want[i]), Float.floatToIntBits(x[i]), "gelu at " + i);
    }
  }

  /**
   * Every float step of 1e-5 over [-12, 12] (the clamp of erf at |x| = 5.42 and both tails
   * inside), then steps of 1e-2 out to 1e4, against the exact GELU in double from {@link Erf}.
   */
  @Test
  void geluIsWithinOneUlpAndPyTorchsErfErrorOfExact() {
    double worst = 0;
    float worstAt = 0;
    for (float step : new float[] {1e-5f, 1e-2f}) {
      int steps = step == 1e-5f ? 1_200_000 : 1_000_000;
      for (int i = -steps; i <= steps; i++) {
        float x = i * step;
        double err = excess(x);
        if (err > worst) {
          worst = err;
          worstAt = x;
        }
      }
    }
    assertTrue(worst <= 1, "gelu error " + worst + " ulp (beyond 2.2e-7 |x|) at " + worstAt);
  }

  /** How far gelu(x) is from exact beyond 2.2e-7 |x|, in ulps of the exact value. */
  private static double excess(float x) {
    double exact = 0.5 * x * Erf.erfc(-x / Math.sqrt(2));
    return (Math.abs(Gelu.gelu(x) - exact) - 2.2e-7 * Math.abs(x))
        / Math.max(Math.ulp((float) exact), Float.MIN_NORMAL);
  }

  /** The bound's |x| part: PyTorch's float erf is within 1.5e-7 of exact, ours 3.3e-7. */
  @Test
  void erfIsWithinThreePointThreeEMinusSevenOfExact() {
    double worst = 0;
    float worstAt = 0;
    for (int i = -1_000_000; i <= 1_000_000; i++) {
      float a = i * 1e-5f; // erf is +-1 in float from |a| = 3.84 on
      double err = Math.abs(Gelu.erf(a) - Erf.erf(a));
      if (err > worst) {
        worst = err;
        worstAt = a;
      }
    }
    assertTrue(worst <= 3.3e-7, "erf off by " + worst + " at " + worstAt);
    assertEquals(1f, Gelu.erf(Gelu.CLAMP));
    assertEquals(-1f, Gelu.erf(-Gelu.CLAMP));
    assertEquals(1f, Gelu.erf(Float.POSITIVE_INFINITY));
  }

  @Test
  void geluSpecialValuesAsPyTorch() {
    assertEquals(Float.POSITIVE_INFINITY, Gelu.gelu(Float.POSITIVE_INFINITY));
    assertTrue(Float.isNaN(Gelu.gelu(Float.NEGATIVE_INFINITY))); // -inf * 0
    assertTrue(Float.isNaN(Gelu.gelu(Float.NaN)));
    assertEquals(0f, Gelu.gelu(0f));
    assertEquals(-0f, Gelu.gelu(-20f)); // exp(-200) is below float: -20 * 0
    assertEquals(20f, Gelu.gelu(20f));
    assertEquals(0.8413447460685429, Gelu.gelu(1f), 1e-7); // Phi(1)
  }
}
