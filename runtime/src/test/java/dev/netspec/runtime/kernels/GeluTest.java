package dev.netspec.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * GELU's kernels: the vector one against its scalar twin (the same floats, bit for bit, on
 * sizes 0, 1, L - 1, L, L + 1, 2L + 1 and larger, specials included), and the twin against
 * the exact GELU computed in double from {@link Erf#erfc} (within {@code 2 ulp + 3e-8 |x|}).
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
        Gelu.SMALL / Gelu.SQRT_HALF, -Gelu.SMALL / Gelu.SQRT_HALF, 12.7f, -12.7f, -13f, 1e-30f,
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

  /** Every float step of 1e-5 over [-12, 12] and a few beyond, against erf in double. */
  @Test
  void vectorGeluInPlaceAcrossChunksEqualsTheTwin() {
    int n = 3 * 1024 + 2 * L + 5; // VectorGelu works in chunks of 1024 through a scratch
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

  @Test
  void geluIsWithinTwoUlpOfExact() {
    double worst = 0;
    float worstAt = 0;
    for (int i = -1_200_000; i <= 1_200_000; i++) {
      float x = i * 1e-5f;
      double exact = 0.5 * x * Erf.erfc(-x / Math.sqrt(2));
      double err = (Math.abs(Gelu.gelu(x) - exact) - 3e-8 * Math.abs(x))
          / Math.max(Math.ulp((float) exact), Float.MIN_NORMAL);
      if (err > worst) {
        worst = err;
        worstAt = x;
      }
    }
    assertTrue(worst <= 2, "gelu error " + worst + " ulp (beyond 3e-8 |x|) at " + worstAt);
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
