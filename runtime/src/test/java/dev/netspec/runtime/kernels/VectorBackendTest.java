package dev.netspec.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Differential tests: every vector kernel against its scalar twin, seeded, on the awkward
 * sizes 0, 1, 15, 16, 17, 33, 255, 257, the lane count L and L +- 1, and one large size.
 */
class VectorBackendTest {
  private static final int L = VectorBackend.SPECIES.length();
  private static final int[] SIZES =
      IntStream.of(0, 1, 15, 16, 17, 33, 255, 257, L - 1, L, L + 1, 2 * L + 1, 100_003)
          .filter(n -> n >= 0).distinct().sorted().toArray();
  /** Float32 unit roundoff. */
  private static final double EPS = 0x1.0p-24;

  private final Backend vector = new VectorBackend();
  private final Backend scalar = new ScalarBackend();

  private static float[] random(Random rnd, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) rnd.nextGaussian();
    }
    return x;
  }

  @Test
  void binaryOpsMatchScalarExactly() {
    Random rnd = new Random(1);
    for (BinaryOp op : BinaryOp.values()) {
      for (int n : SIZES) {
        // Offsets of 3 check that kernels honour offsets and do not assume alignment.
        float[] x = random(rnd, n + 3);
        float[] y = random(rnd, n + 3);
        float[] want = new float[n + 3];
        float[] got = new float[n + 3];
        scalar.binary(op, x, 3, y, 3, want, 3, n);
        vector.binary(op, x, 3, y, 3, got, 3, n);
        assertArrayEquals(want, got, 0f, () -> op + " n=" + n + " tol=0");
        scalar.binaryScalar(op, x, 3, 0.75f, want, 3, n);
        vector.binaryScalar(op, x, 3, 0.75f, got, 3, n);
        assertArrayEquals(want, got, 0f, () -> op + " scalar n=" + n + " tol=0");
      }
    }
  }

  @Test
  void scaleShiftMatchesScalarExactlyAndRunsInPlace() {
    Random rnd = new Random(21);
    for (int n : SIZES) {
      float[] x = random(rnd, n + 3);
      float[] want = new float[n + 3];
      float[] got = new float[n + 3];
      scalar.scaleShift(x, 3, -1.25f, 0.3f, want, 3, n);
      vector.scaleShift(x, 3, -1.25f, 0.3f, got, 3, n);
      assertArrayEquals(want, got, 0f, () -> "scaleShift n=" + n + " tol=0");
      vector.scaleShift(x, 3, -1.25f, 0.3f, x, 3, n); // out == x, as BatchNorm's in-place use
      assertArrayEquals(java.util.Arrays.copyOfRange(want, 3, n + 3),
          java.util.Arrays.copyOfRange(x, 3, n + 3), 0f, () -> "scaleShift in place n=" + n);
      if (n > 0) { // by hand: one rounding of 2 * -1.25 + 0.3
        scalar.scaleShift(new float[] {2f}, 0, -1.25f, 0.3f, want, 0, 1);
        assertEquals(Math.fma(2f, -1.25f, 0.3f), want[0], 0f);
      }
    }
  }

  @Test
  void sumSquaredDeviationsMatchesScalarWithinRoundoff() {
    Random rnd = new Random(22);
    for (int n : SIZES) {
      float[] x = random(rnd, n + 2);
      double terms = 0;
      for (int i = 2; i < n + 2; i++) {
        terms += (x[i] - 0.5) * (x[i] - 0.5);
      }
      double tol = n * EPS * terms + 1e-30; // float accumulation of n nonnegative terms
      assertClose((float) terms, vector.sumSquaredDeviations(x, 2, 0.5f, n), tol,
          "sumSquaredDeviations n=" + n);
      assertClose((float) terms, scalar.sumSquaredDeviations(x, 2, 0.5f, n), tol,
          "sumSquaredDeviations (scalar) n=" + n);
    }
  }

  @Test
  void unaryOpsMatchScalarExactly() {
    Random rnd = new Random(2);
    for (UnaryOp op : UnaryOp.values()) {
      for (int n : SIZES) {
        float[] x = random(rnd, n + 1);
        if (n > 0) {
          x[n / 2] = Float.NaN;
        }
        float[] want = new float[n + 1];
        float[] got = new float[n + 1];
        scalar.unary(op, x, 1, want, 1, n);
        vector.unary(op, x, 1, got, 1, n);
        assertArrayEquals(want, got, 0f, () -> op + " n=" + n + " tol=0");
      }
    }
  }

  /**
   * PyTorch 1.13: {@code torch.relu(torch.tensor([-0., nan, -1., 2.] * 8))} is {@code [-0.,
   * nan, 0., 2.] * 8}, and {@code 1 / relu(-0.)} is {@code -inf}: ReLU keeps the sign of a
   * negative zero, which {@code max(x, 0)} would not. Both backends, in and past the vector
   * loop, and the GEMM epilogue (for its NaN).
   */
  @Test
  void reluKeepsNegativeZeroAndNanAsPyTorchDoes() {
    float[] pattern = {-0f, Float.NaN, -1f, 2f};
    float[] expected = {-0f, Float.NaN, 0f, 2f};
    int n = 4 * L + 4;
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = pattern[i % 4];
    }
    for (Backend backend : new Backend[] {vector, scalar}) {
      float[] y = new float[n];
      backend.unary(UnaryOp.RELU, x, 0, y, 0, n);
      for (int i = 0; i < n; i++) {
        assertEquals(Float.floatToIntBits(expected[i % 4]), Float.floatToIntBits(y[i]),
            backend.name() + " relu(" + x[i] + ") at " + i + " gave " + y[i]);
      }
      // C = relu(A @ B + bias) with one NaN in A: its row is NaN, the others as max(., 0).
      float[] a = {1f, Float.NaN, -1f, 1f};
      float[] b = new float[2 * n];
      java.util.Arrays.fill(b, 1f);
      float[] c = new float[2 * n];
      backend.gemm(2, n, 2, a, 0, 2, b, 0, n, false, c, 0, n, null, 0, Activation.RELU);
      for (int j = 0; j < n; j++) {
        assertTrue(Float.isNaN(c[j]), backend.name() + " NaN row at " + j);
        assertEquals(Float.floatToIntBits(0f), Float.floatToIntBits(c[n + j]),
            backend.name() + " relu(-1 + 1) at " + j);
      }
    }
  }

  @Test
  void aNarrowLastPanelIsPackedHalfWideOrForDotProducts() {
    int nr = 2 * L;
    Random rnd = new Random(11);
    for (int k : new int[] {1, 5, 45, 46, 199, 200, 333}) {
      for (int n : new int[] {nr + 3, nr + 4, nr + 10, nr + L, nr + L + 1, 2 * nr}) {
        float[] w = random(rnd, n * k); // (n, k)
        PackedMatrix packed = PackedMatrix.pack(k, n, w, 0, k, true);
        assertFalse(packed.isDotPanel(0));
        assertEquals(nr, packed.panelStride(0));
        int cols = n - nr;
        // From the cost model, for 16 lanes: 3 or 4 columns (padded to 4) from k = 46, 10
        // columns from 200, 16 never.
        if (L == 16) {
          boolean dots = cols <= 4 ? k >= 46 : cols == 10 && k >= 200;
          assertEquals(dots, packed.isDotPanel(1), "n=" + n + " k=" + k);
        }
        if (!packed.isDotPanel(1)) {
          assertEquals(cols <= L ? L : nr, packed.panelStride(1), "n=" + n);
        }
        for (int p = 0; p < k; p++) {
          for (int j = 0; j < n; j++) {
            assertEquals(w[j * k + p], packed.get(p, j), "n=" + n + " p=" + p + " j=" + j);
          }
        }
        if (!packed.isDotPanel(1)) {
          continue;
        }
        // By hand, one vector (L lanes) per block: column c of group g, row p at g * G * kPad
        // + p / L * G * L + c * L + p % L from the panel, with G = 4 for 3 columns (padded to
        // 4, not 5) and G = 5 for 10; columns past n are zeros.
        int kPad = (k + L - 1) / L * L;
        float[] d = packed.data();
        int at = packed.panelOffset(1);
        int p = k - 1;
        int block = p / L;
        int lane = p % L;
        if (n == nr + 3) {
          assertEquals(w[(nr + 2) * k + p], d[at + block * 4 * L + 2 * L + lane], "k=" + k);
          assertEquals(0f, d[at + block * 4 * L + 3 * L + lane], "k=" + k);
        } else if (n == nr + 10) {
          assertEquals(w[(nr + 7) * k + p], d[at + 5 * kPad + block * 5 * L + 2 * L + lane],
              "k=" + k);
        }
      }
    }
  }

  @Test
  void comparisonsMatchScalarExactly() {
    Random rnd = new Random(3);
    for (CompareOp op : CompareOp.values()) {
      for (int n : SIZES) {
        float[] x = random(rnd, n);
        for (int i = 0; i < n; i += 5) {
          x[i] = 0.5f; // exercise equality
        }
        if (n > 2) {
          x[n - 2] = Float.NaN;
        }
        float[] want = new float[n];
        float[] got = new float[n];
        scalar.compareScalar(op, x, 0, 0.5f, want, 0, n);
        vector.compareScalar(op, x, 0, 0.5f, got, 0, n);
        assertArrayEquals(want, got, 0f, () -> op + " n=" + n + " tol=0");
      }
    }
  }

  @Test
  void whereAndMaskedFillMatchScalarExactly() {
    Random rnd = new Random(5);
    for (int n : SIZES) {
      float[] mask = new float[n + 1];
      for (int i = 0; i < n + 1; i++) {
        int r = rnd.nextInt(4); // 0, 1, -0.0 (false) and NaN (true, as bool(nan))
        mask[i] = r == 0 ? 0f : r == 1 ? 1f : r == 2 ? -0f : Float.NaN;
      }
      float[] a = random(rnd, n + 2);
      float[] b = random(rnd, n + 3);
      float[] want = new float[n + 1];
      float[] got = new float[n + 1];
      scalar.where(mask, 1, a, 2, b, 3, want, 1, n);
      vector.where(mask, 1, a, 2, b, 3, got, 1, n);
      assertArrayEquals(want, got, 0f, () -> "where n=" + n + " tol=0");
      for (int i = 0; i < n; i++) {
        float expected = mask[1 + i] != 0f ? a[2 + i] : b[3 + i];
        assertEquals(expected, got[1 + i], 0f, "where n=" + n + " i=" + i);
      }
      scalar.maskedFill(mask, 1, Float.NEGATIVE_INFINITY, a, 2, want, 1, n);
      vector.maskedFill(mask, 1, Float.NEGATIVE_INFINITY, a, 2, got, 1, n);
      assertArrayEquals(want, got, 0f, () -> "maskedFill n=" + n + " tol=0");
    }
  }

  /**
   * ReLU's backward from its output: the gradient where the output is positive or NaN, 0
   * where it is 0, -0.0 or negative (PyTorch's {@code threshold_backward(g, y, 0)}: {@code y
   * <= 0 ? 0 : g}), vector and scalar alike, at offsets, and in place.
   */
  @Test
  void reluBackwardKeepsTheGradientWhereTheOutputIsPositiveOrNaN() {
    Random rnd = new Random(6);
    for (int n : SIZES) {
      float[] y = new float[n + 1];
      for (int i = 0; i < n + 1; i++) {
        int r = rnd.nextInt(5);
        y[i] = r == 0 ? 0f : r == 1 ? -0f : r == 2 ? Float.NaN : r == 3 ? -1.5f : 0.25f + i;
      }
      float[] g = random(rnd, n + 2);
      float[] want = new float[n + 3];
      float[] got = new float[n + 3];
      scalar.reluBackward(g, 2, y, 1, want, 3, n);
      vector.reluBackward(g, 2, y, 1, got, 3, n);
      for (int i = 0; i < n; i++) {
        float yi = y[1 + i];
        float expected = yi > 0 || Float.isNaN(yi) ? g[2 + i] : 0f;
        assertEquals(expected, got[3 + i], 0f, "vector n=" + n + " i=" + i + " y=" + yi);
        assertEquals(expected, want[3 + i], 0f, "scalar n=" + n + " i=" + i + " y=" + yi);
      }
      float[] inPlace = g.clone();
      vector.reluBackward(inPlace, 2, y, 1, inPlace, 2, n);
      for (int i = 0; i < n; i++) {
        assertEquals(got[3 + i], inPlace[2 + i], 0f, "in place n=" + n + " i=" + i);
      }
    }
  }

  @Test
  void reductionsMatchScalarWithinRoundoff() {
    Random rnd = new Random(4);
    for (int n : SIZES) {
      float[] x = random(rnd, n + 2);
      float[] y = random(rnd, n + 2);
      double absSum = 0;
      double absDot = 0;
      for (int i = 2; i < n + 2; i++) {
        absSum += Math.abs(x[i]);
        absDot += Math.abs(x[i] * y[i]);
      }
      // Float accumulation over n terms: |error| <= n * eps * sum |terms| (a loose bound).
      double sumTol = n * EPS * absSum + 1e-30;
      double dotTol = n * EPS * absDot + 1e-30;
      assertClose(scalar.sum(x, 2, n), vector.sum(x, 2, n), sumTol, "sum n=" + n);
      assertClose(scalar.dot(x, 2, y, 2, n), vector.dot(x, 2, y, 2, n), dotTol, "dot n=" + n);
      if (n > 0) {
        assertEquals(scalar.max(x, 2, n), vector.max(x, 2, n), 0f, "max n=" + n);
        assertEquals(scalar.min(x, 2, n), vector.min(x, 2, n), 0f, "min n=" + n);
        x[2 + n - 1] = Float.NaN;
        assertTrue(Float.isNaN(vector.max(x, 2, n)), "max propagates NaN, n=" + n);
        x[2 + n - 1] = 0;
        x[2 + n / 2] = Float.NaN;
        assertTrue(Float.isNaN(vector.min(x, 2, n)), "min propagates NaN, n=" + n);
      }
    }
  }

  @Test
  void gemmMatchesScalarOnAwkwardShapes() {
    int[] dims = IntStream.of(0, 1, 3, 4, 5, 15, 16, 17, 33, L - 1, L, L + 1, 2 * L - 1,
        2 * L, 2 * L + 1).filter(n -> n >= 0).distinct().toArray();
    Random rnd = new Random(5);
    for (int m : new int[] {0, 1, 3, 4, 5, 7, 9}) {
      for (int n : dims) {
        for (int k : new int[] {0, 1, 15, 16, 17, 33}) {
          for (boolean transB : new boolean[] {false, true}) {
            for (Activation act : Activation.values()) {
              checkGemm(rnd, m, n, k, transB, act, rnd.nextBoolean());
            }
          }
        }
      }
    }
    checkGemm(rnd, 67, 257, 255, false, Activation.RELU, true);
    checkGemm(rnd, 67, 257, 255, true, Activation.NONE, true);
    for (int m : new int[] {1, 2, 3, 5, 9}) { // a last panel of 10 or 3 columns as dot products
      for (int n : new int[] {2 * L + 10, 3}) {
        checkGemm(rnd, m, n, 301, false, Activation.RELU, true);
        checkGemm(rnd, m, n, 301, true, Activation.NONE, m % 2 == 0);
      }
    }
  }

  @Test
  void gemmMatchesScalarAcrossRowTilesAndReductionBlocks() {
    // m covers the 8-, 4-, 2- and 1-row tiles; k crosses the reduction blocks; n has full and
    // zero-padded panels, and enough panels (5) for A to be packed.
    int kc = VectorGemm.KC;
    Random rnd = new Random(11);
    for (int m : new int[] {8, 15, 16, 23}) {
      for (int n : new int[] {1, 2 * L - 1, 2 * L, 2 * L + 1, 4 * L + 3, 8 * L + 5}) {
        for (int k : new int[] {kc - 1, kc, kc + 1, 2 * kc + 88}) {
          for (boolean transB : new boolean[] {false, true}) {
            checkGemm(rnd, m, n, k, transB, Activation.RELU, true);
          }
        }
      }
    }
  }

  @Test
  void packedGemmMatchesScalar() {
    Random rnd = new Random(13);
    for (int m : new int[] {0, 1, 2, 3, 5, 6, 8, 15, 17}) {
      for (int n : new int[] {0, 1, 15, 16, 17, 33, 2 * L + 1}) {
        for (int k : new int[] {0, 1, 15, 16, 17, 33, VectorGemm.KC - 1, VectorGemm.KC + 1}) {
          checkPackedGemm(rnd, m, n, k, rnd.nextBoolean(), Activation.values()[(m + n + k) % 2]);
        }
      }
    }
    checkPackedGemm(rnd, 67, 300, 520, true, Activation.RELU);
    for (int m : new int[] {1, 2, 3, 4, 7, 16}) { // dot panels of 10 and 4 columns, 16 lanes
      checkPackedGemm(rnd, m, 2 * L + 10, 211, m % 2 == 0, Activation.RELU);
      checkPackedGemm(rnd, m, 4, 47, true, Activation.NONE);
    }
    for (int m : new int[] {1, 2}) { // wide tiles over groups of 4 panels, and the rest
      checkPackedGemm(rnd, m, 9 * 2 * L + 3, 300, true, Activation.RELU);
      checkPackedGemm(rnd, m, 8 * 2 * L, 17, false, Activation.NONE);
    }
  }

  @Test
  void aRowGivesTheSameBitsInEveryBatch() {
    // Every tile (wide, 8-, 4-, 2- and 1-row, and the dot panel of the last 10 columns, k =
    // 300) adds in an order fixed by k alone, so a row's result does not depend on the rows
    // beside it. (Not so for a half-wide last panel: batches of 1 and 2 split its reduction
    // into 4 phases.)
    Random rnd = new Random(19);
    for (int[] nk : new int[][] {{9 * 2 * L, 7}, {9 * 2 * L + 10, 300}}) {
      int n = nk[0];
      int k = nk[1];
      float[] w = random(rnd, n * k);
      float[] bias = random(rnd, n);
      PackedMatrix packed = PackedMatrix.pack(k, n, w, 0, k, true);
      for (int m : new int[] {2, 3, 4, 5, 8, 9, 17}) {
        float[] a = random(rnd, m * k);
        float[] c = new float[m * n];
        vector.gemm(m, a, 0, k, packed, c, 0, n, bias, 0, Activation.RELU);
        for (int i = 0; i < m; i++) {
          float[] alone = new float[n];
          vector.gemm(1, a, i * k, k, packed, alone, 0, n, bias, 0, Activation.RELU);
          assertArrayEquals(alone, java.util.Arrays.copyOfRange(c, i * n, (i + 1) * n),
              "row " + i + " of " + m + ", k=" + k);
        }
      }
    }
  }

  @Test
  void sumAndDotAddLanesInOneFixedOrderInterpretedAndCompiled() {
    // Values of very different magnitudes, so another order of the additions gives another
    // float. The expected values follow the documented order in plain Java; they must hold on
    // the first calls (interpreted) and after thousands (compiled by C2).
    Random rnd = new Random(23);
    int n = 40 * L + 3;
    float[] x = new float[n];
    float[] ones = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(9) - 4));
      ones[i] = 1f;
    }
    float want = treeSum(x, n);
    float wantDot = treeSum(x, n); // x . ones: each FMA adds x[i] exactly, as the sum does
    float sink = 0;
    for (int call = 0; call < 30_000; call++) {
      if (call == 0 || call == 29_999) {
        assertEquals(want, vector.sum(x, 0, n), "sum, call " + call);
        assertEquals(wantDot, vector.dot(x, 0, ones, 0, n), "dot, call " + call);
      }
      sink += vector.sum(x, 0, n) + vector.dot(x, 0, ones, 0, n);
    }
    assertTrue(Float.isFinite(sink));
  }

  /** Lane accumulators over whole vectors, lanes folded by halves, then the tail in order. */
  private static float treeSum(float[] x, int n) {
    float[] acc = new float[L];
    int bound = n - n % L;
    for (int i = 0; i < bound; i += L) {
      for (int j = 0; j < L; j++) {
        acc[j] += x[i + j];
      }
    }
    for (int h = L / 2; h >= 1; h /= 2) {
      float[] next = new float[L];
      for (int j = 0; j < L; j++) {
        next[j] = acc[j] + acc[(j + h) % L];
      }
      acc = next;
    }
    float s = acc[0];
    for (int i = bound; i < n; i++) {
      s += x[i];
    }
    return s;
  }

  @Test
  void resultsDoNotDependOnTheThreadCount() {
    Random rnd = new Random(17);
    int n = 8 * L + 5;
    // m * n * k is above the threshold for threading; m = 1 and 2 take the wide tiles. With
    // threads, A is packed once and shared: rows make two whole row blocks and one of 44 (5
    // tiles and 4 rows read in place), k three reduction blocks. With fewer than 4 rows,
    // products are split when n * k is at least 2^18 (all three here): the raw one as dot
    // products by groups of weight rows (17 groups, the last of 5 rows), the packed one by
    // panels (5, the last partial).
    int rows = 2 * VectorGemm.MC_PACKED + 44;
    int blocks = 2 * VectorGemm.KC + 188;
    for (int[] mk : new int[][] {{64, 700}, {rows, blocks}, {2, 9000}, {1, 17000}, {3, 2100}}) {
      int m = mk[0];
      int k = mk[1];
      float[] a = random(rnd, m * k);
      float[] w = random(rnd, n * k); // (n, k): a Linear weight
      float[] bias = random(rnd, n);
      PackedMatrix packed = PackedMatrix.pack(k, n, w, 0, k, true);
      int before = Kernels.threads();
      try {
        float[][] raw = new float[3][m * n];
        float[][] fromPacked = new float[3][m * n];
        float[][] plain = new float[3][m * n]; // no bias, no activation
        for (int t = 1; t <= 3; t++) {
          Kernels.setThreads(t);
          Kernels.gemm(m, n, k, a, 0, k, w, 0, k, true, raw[t - 1], 0, n, bias, 0,
              Activation.NONE);
          Kernels.gemm(m, a, 0, k, packed, fromPacked[t - 1], 0, n, bias, 0, Activation.RELU);
          Kernels.gemm(m, a, 0, k, packed, plain[t - 1], 0, n, null, 0, Activation.NONE);
        }
        for (int t = 1; t < 3; t++) {
          assertArrayEquals(raw[0], raw[t], "gemm m=" + m + " on " + (t + 1) + " threads");
          assertArrayEquals(fromPacked[0], fromPacked[t],
              "packed gemm m=" + m + " on " + (t + 1) + " threads");
          assertArrayEquals(plain[0], plain[t],
              "packed gemm without bias m=" + m + " on " + (t + 1) + " threads");
        }
      } finally {
        Kernels.setThreads(before);
      }
    }
  }

  /** The packed kernel against the scalar kernel on the unpacked B. */
  private void checkPackedGemm(Random rnd, int m, int n, int k, boolean withBias,
      Activation act) {
    int lda = k + 1;
    float[] a = random(rnd, m * lda);
    float[] w = random(rnd, n * k); // (n, k)
    float[] bias = withBias ? random(rnd, n) : null;
    PackedMatrix packed = PackedMatrix.pack(k, n, w, 0, k, true);
    float[] want = new float[m * n];
    float[] got = new float[m * n];
    scalar.gemm(m, n, k, a, 0, lda, w, 0, k, true, want, 0, n, bias, 0, act);
    vector.gemm(m, a, 0, lda, packed, got, 0, n, bias, 0, act);
    float[] scalarPacked = new float[m * n];
    scalar.gemm(m, a, 0, lda, packed, scalarPacked, 0, n, bias, 0, act);
    assertArrayEquals(want, scalarPacked, "scalar kernel on the packed B, m=" + m + " n=" + n
        + " k=" + k); // same double sums in the same order
    float[] bound = new float[m * n];
    scalar.gemm(m, n, k, abs(a), 0, lda, abs(w), 0, k, true, bound, 0, n, abs(bias), 0,
        Activation.NONE);
    for (int i = 0; i < got.length; i++) {
      double tol = (k + 2) * EPS * bound[i] + 1e-30;
      if (!(Math.abs(want[i] - got[i]) <= tol)) {
        fail("packed gemm m=" + m + " n=" + n + " k=" + k + " act=" + act + " bias="
            + withBias + ": element " + i + " is " + got[i] + ", scalar gives " + want[i]
            + ", tol=" + tol);
      }
    }
  }

  /** Compares the kernels on one shape, with padded strides and offsets. */
  private void checkGemm(Random rnd, int m, int n, int k, boolean transB, Activation act,
      boolean withBias) {
    int lda = k + 2;
    int ldb = (transB ? k : n) + 1;
    int ldc = n + 3;
    int bRows = transB ? n : k;
    float[] a = random(rnd, 1 + m * lda);
    float[] b = random(rnd, 2 + bRows * ldb);
    float[] bias = withBias ? random(rnd, n + 1) : null;
    float[] want = new float[4 + m * ldc];
    float[] got = new float[4 + m * ldc];
    java.util.Arrays.fill(got, 7f); // gemm overwrites C; padding stays 7
    java.util.Arrays.fill(want, 7f);
    scalar.gemm(m, n, k, a, 1, lda, b, 2, ldb, transB, want, 4, ldc, bias, 1, act);
    vector.gemm(m, n, k, a, 1, lda, b, 2, ldb, transB, got, 4, ldc, bias, 1, act);
    // |error| <= k * eps * sum_p |a_ip * b_pj| (+ one rounding of the bias add).
    float[] absA = abs(a);
    float[] absB = abs(b);
    float[] bound = new float[4 + m * ldc];
    scalar.gemm(m, n, k, absA, 1, lda, absB, 2, ldb, transB, bound, 4, ldc, abs(bias), 1,
        Activation.NONE);
    for (int i = 0; i < got.length; i++) {
      int r = i - 4;
      boolean inside = r >= 0 && r % ldc < n;
      double tol = inside ? (k + 2) * EPS * bound[i] + 1e-30 : 0;
      if (!(Math.abs(want[i] - got[i]) <= tol)) {
        fail("gemm m=" + m + " n=" + n + " k=" + k + " transB=" + transB + " act=" + act
            + " bias=" + withBias + ": element " + i + " is " + got[i] + ", scalar gives "
            + want[i] + ", tol=" + tol);
      }
    }
  }

  private static float[] abs(float[] x) {
    if (x == null) {
      return null;
    }
    float[] r = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      r[i] = Math.abs(x[i]);
    }
    return r;
  }

  private static void assertClose(float want, float got, double tol, String what) {
    if (!(Math.abs(want - got) <= tol)) {
      fail(what + ": vector " + got + ", scalar " + want + ", tol=" + tol);
    }
  }
}
