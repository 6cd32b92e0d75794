package dev.netspec.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The recurrent cells' kernels: the vector ones against their scalar twins (the same floats,
 * bit for bit, on sizes 0, 1, L - 1, L, L + 1, 2L + 1 and larger), and the twins' exp, exp2,
 * sigmoid and tanh against double-precision {@code Math} (3e-7; PyTorch's own float32 loops
 * are within about 1e-7), and one LSTM and one GRU step by hand, in double.
 */
class GatesTest {
  private static final int L = VectorBackend.SPECIES.length();
  private static final int[] SIZES = IntStream.of(0, 1, 5, L - 1, L, L + 1, 2 * L + 1, 37, 256)
      .filter(n -> n >= 0).distinct().sorted().toArray();

  private final Backend vector = new VectorBackend();
  private final Backend scalar = new ScalarBackend();

  /** Gaussian pre-activations of spread 3, so the gates saturate too, and a few extremes. */
  private static float[] random(Random rnd, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) (3 * rnd.nextGaussian());
    }
    float[] extremes = {0f, -0f, 40f, -40f, 100f, -100f, 0.6249f, -0.625f};
    for (int i = 0; i < Math.min(n, extremes.length); i++) {
      x[(i * 7) % n] = extremes[i];
    }
    return x;
  }

  /** The one loop with an exp, for sigmoid (1, 0), tanh (2, 1) and tanh of a sum (1, 1). */
  @Test
  void vectorActivationsMatchTheTwinBitForBit() {
    int n = 4096 + L + 3;
    float[] x = new float[n];
    float[] y = new float[n];
    Random rnd = new Random(3);
    for (int i = 0; i < n; i++) {
      x[i] = (float) (rnd.nextGaussian() * (i % 3 == 0 ? 40 : 3));
      y[i] = (float) rnd.nextGaussian();
    }
    float[] special = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, 0f,
        87f, -87f, 88f, -88f, 44f, -44f, 1e-30f, -1e-30f};
    System.arraycopy(special, 0, x, 1, special.length);
    float[][] params = {{1f, 0f}, {2f, 1f}, {1f, 1f}};
    for (float[] st : params) {
      for (int size : new int[] {0, 1, L - 1, L, L + 1, 2 * L + 1, n - 1}) {
        float[] want = new float[n];
        float[] got = new float[n];
        Gates.act(size, st[0], st[1], x, 1, y, 0, want, 0);
        VectorGates.act(size, st[0], st[1], x, 1, y, 0, got, 0);
        assertBits("act s=" + st[0] + " t=" + st[1] + " n=" + size, want, got);
      }
    }
  }

  @Test
  void expSigmoidTanhAreWithin3e7OfExact() {
    double worstExp = 0;
    double worstSigmoid = 0;
    double worstTanh = 0;
    for (int i = -2_000_000; i <= 2_000_000; i++) {
      float x = i * 4.3e-5f; // [-86, 86]
      double e = Math.exp(x);
      worstExp = Math.max(worstExp, Math.abs(Gates.exp(x) - e) / e);
      worstSigmoid = Math.max(worstSigmoid, Math.abs(Gates.sigmoid(x) - 1 / (1 + Math.exp(-x))));
      worstTanh = Math.max(worstTanh, Math.abs(Gates.tanh(x) - Math.tanh(x)));
    }
    assertTrue(worstExp < 3e-7, "exp relative error " + worstExp);
    assertTrue(worstSigmoid < 3e-7, "sigmoid error " + worstSigmoid);
    assertTrue(worstTanh < 3e-7, "tanh error " + worstTanh);
    // The gates' 2^a: the polynomial's error on f = a - round(a), wherever a lies.
    double worstExp2 = 0;
    for (int i = -2_000_000; i <= 2_000_000; i++) {
      float a = i * 6.3e-5f; // [-126, 126]
      double e = Math.pow(2, a);
      worstExp2 = Math.max(worstExp2, Math.abs(Gates.exp2(a) - e) / e);
    }
    assertTrue(worstExp2 < 2.5e-7, "exp2 relative error " + worstExp2);
    assertEquals(0x1p-126f, Gates.exp2(-1000f), 0x1p-148f); // clamped, within an ulp
    assertEquals(0x1p126f, Gates.exp2(Float.POSITIVE_INFINITY), 0x1p104f);
    // Saturation, the sign of tanh and NaN.
    assertEquals(1f, Gates.sigmoid(200f));
    assertEquals(0f, Gates.sigmoid(-200f), 1e-37f);
    assertEquals(1f, Gates.tanh(Float.POSITIVE_INFINITY));
    assertEquals(-1f, Gates.tanh(-30f));
    assertTrue(Float.isNaN(Gates.sigmoid(Float.NaN)) && Float.isNaN(Gates.tanh(Float.NaN)));
  }

  /** The softmax's numerators: each value bit for bit, the sum within float rounding. */
  @Test
  void expSumMatchesItsTwinAndExp() {
    Random rnd = new Random(8);
    for (int n : SIZES) {
      float[] x = random(rnd, n + 3);
      if (n > 2) {
        x[4] = Float.NEGATIVE_INFINITY; // a masked score
        x[5] = -3.4028235e38f; // BERT's additive mask
      }
      float shift = 2.5f; // the row's max, as in a softmax: every exponent <= 0
      for (int i = 0; i < n; i++) {
        shift = Math.max(shift, x[3 + i]);
      }
      float[] xv = x.clone();
      float[] want = new float[n + 3];
      double exactSum = 0;
      for (int i = 0; i < n; i++) {
        double d = x[3 + i] - shift; // the difference in float, as the kernels take it
        want[3 + i] = (float) Math.exp(d);
        exactSum += Math.exp(d);
      }
      float sum = scalar.expSum(x, 3, n, shift);
      float sumV = vector.expSum(xv, 3, n, shift);
      assertBits("expSum n=" + n, x, xv);
      for (int i = 0; i < n; i++) {
        assertEquals(want[3 + i], x[3 + i], 3e-7 * want[3 + i] + Float.MIN_NORMAL,
            "expSum n=" + n + " at " + i + " (below the normal floats: 0)");
      }
      if (n > 2) {
        assertEquals(0f, x[4]);
        assertEquals(0f, x[5]);
      }
      assertEquals(exactSum, sum, 1e-6 * exactSum + 1e-30, "expSum sum n=" + n);
      assertEquals(exactSum, sumV, 1e-6 * exactSum + 1e-30, "vector expSum sum n=" + n);
    }
  }

  @Test
  void lstmCellMatchesItsTwinBitForBit() {
    Random rnd = new Random(5);
    for (int n : SIZES) {
      // Offsets of 3 check that the kernels honour offsets and do not assume alignment.
      float[] gates = random(rnd, 4 * n + 3);
      float[] hg = random(rnd, 4 * n + 3);
      float[] c = random(rnd, n + 3);
      float[] gv = gates.clone();
      float[] cv = c.clone();
      float[] h = new float[n + 3];
      float[] hv = new float[n + 3];
      scalar.lstmCell(n, gates, 3, hg, 3, c, 3, h, 3);
      vector.lstmCell(n, gv, 3, hg, 3, cv, 3, hv, 3);
      assertBits("lstm gates n=" + n, gates, gv);
      assertBits("lstm c n=" + n, c, cv);
      assertBits("lstm h n=" + n, h, hv);
    }
  }

  @Test
  void gruCellMatchesItsTwinBitForBit() {
    Random rnd = new Random(6);
    for (int n : SIZES) {
      float[] gates = random(rnd, 3 * n + 3);
      float[] hg = random(rnd, 3 * n + 3);
      float[] hp = random(rnd, n + 3);
      float[] gv = gates.clone();
      float[] h = new float[n + 3];
      float[] hv = new float[n + 3];
      scalar.gruCell(n, gates, 3, hg, 3, hp, 3, h, 3);
      vector.gruCell(n, gv, 3, hg, 3, hp, 3, hv, 3);
      assertBits("gru gates n=" + n, gates, gv);
      assertBits("gru h n=" + n, h, hv);
    }
  }

  /** One step of each cell, n = 2, against the equations in double. */
  @Test
  void cellsByHand() {
    float[] xg = {0.5f, -1f, 2f, 0.25f, -0.75f, 1.5f, 3f, -2f}; // i i f f g g o o
    float[] hg = {0.1f, 0.2f, -0.3f, 0.4f, 0.5f, -0.6f, 0.7f, 0.8f};
    float[] c = {1f, -2f};
    float[] h = new float[2];
    float[] gates = xg.clone();
    Kernels.lstmCell(2, gates, 0, hg, 0, c, 0, h, 0);
    for (int j = 0; j < 2; j++) {
      double i = sig(xg[j] + hg[j]);
      double f = sig(xg[2 + j] + hg[2 + j]);
      double g = Math.tanh(xg[4 + j] + hg[4 + j]);
      double o = sig(xg[6 + j] + hg[6 + j]);
      double ct = f * (j == 0 ? 1 : -2) + i * g;
      assertEquals(i, gates[j], 1e-6);
      assertEquals(g, gates[4 + j], 1e-6);
      assertEquals(ct, c[j], 1e-6);
      assertEquals(o * Math.tanh(ct), h[j], 1e-6);
    }
    float[] rg = {0.5f, -1f, 2f, 0.25f, -0.75f, 1.5f}; // r r z z n n
    float[] rh = {0.1f, 0.2f, -0.3f, 0.4f, 0.5f, -0.6f};
    float[] hp = {0.9f, -0.4f};
    gates = rg.clone();
    Kernels.gruCell(2, gates, 0, rh, 0, hp, 0, h, 0);
    for (int j = 0; j < 2; j++) {
      double r = sig(rg[j] + rh[j]);
      double z = sig(rg[2 + j] + rh[2 + j]);
      double nt = Math.tanh(rg[4 + j] + r * rh[4 + j]); // the reset multiplies W_hn h + b_hn
      assertEquals(nt, gates[4 + j], 1e-6);
      assertEquals((1 - z) * nt + z * hp[j], h[j], 1e-6);
    }
  }

  private static double sig(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  private static void assertBits(String what, float[] want, float[] got) {
    for (int i = 0; i < want.length; i++) {
      if (Float.floatToIntBits(want[i]) != Float.floatToIntBits(got[i])) {
        throw new AssertionError(what + " tol=0: at " + i + " scalar " + want[i] + ", vector "
            + got[i] + "\n" + Arrays.toString(want) + "\n" + Arrays.toString(got));
      }
    }
  }
}
