package dev.netspec.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The public facade and the backend choice, with hand-computed expectations. */
class KernelsTest {
  @Test
  void gemmComputesAHandWorkedProductWithBiasAndRelu() {
    // A = [[1, 2, 3], [4, 5, 6]], B = [[1, -1], [0, 2], [-1, 1]] (3 x 2), bias = [0.5, -20]
    // A @ B = [[-2, 6], [-2, 12]]; + bias = [[-1.5, -14], [-1.5, -8]]; relu -> zeros
    float[] a = {1, 2, 3, 4, 5, 6};
    float[] b = {1, -1, 0, 2, -1, 1};
    float[] bias = {0.5f, -20f};
    float[] c = new float[4];
    Kernels.gemm(2, 2, 3, a, 0, 3, b, 0, 2, false, c, 0, 2, null, 0, Activation.NONE);
    assertArrayEquals(new float[] {-2, 6, -2, 12}, c);
    Kernels.gemm(2, 2, 3, a, 0, 3, b, 0, 2, false, c, 0, 2, bias, 0, Activation.NONE);
    assertArrayEquals(new float[] {-1.5f, -14, -1.5f, -8}, c);
    Kernels.gemm(2, 2, 3, a, 0, 3, b, 0, 2, false, c, 0, 2, bias, 0, Activation.RELU);
    assertArrayEquals(new float[] {0, 0, 0, 0}, c);
    // The same B stored transposed (2 x 3), as a Linear weight is.
    float[] bt = {1, 0, -1, -1, 2, 1};
    Kernels.gemm(2, 2, 3, a, 0, 3, bt, 0, 3, true, c, 0, 2, null, 0, Activation.NONE);
    assertArrayEquals(new float[] {-2, 6, -2, 12}, c);
  }

  @Test
  void wholePanelsOfARowMajorBAreCopiedAsStored() {
    // Whole panels take the backend's panel copy, the last (partial) one the plain loop;
    // B at an offset, with a row stride wider than n.
    int k = 37;
    int width = Kernels.panelWidth();
    int n = 2 * width + 3;
    int ld = n + 5;
    float[] b = new float[7 + k * ld];
    for (int i = 0; i < b.length; i++) {
      b[i] = i * 0.5f - 100;
    }
    PackedMatrix p = PackedMatrix.pack(k, n, b, 7, ld, false);
    for (int row = 0; row < k; row++) {
      for (int j = 0; j < n; j++) {
        assertEquals(b[7 + row * ld + j], p.get(row, j), "op(B)[" + row + "][" + j + "]");
      }
    }
    b[7 + 36 * ld + width + 1] = 42;
    p.repack(b, 7, ld, false);
    assertEquals(42f, p.get(36, width + 1));
  }

  @Test
  void packedMatrixHoldsOpBInZeroPaddedPanels() {
    // W = [[1, 2, 3], [4, 5, 6]] is (n=2, k=3); op(B) = W.T is 3 x 2.
    float[] w = {1, 2, 3, 4, 5, 6};
    PackedMatrix p = PackedMatrix.pack(3, 2, w, 0, 3, true);
    assertEquals(3, p.rows());
    assertEquals(2, p.columns());
    assertEquals(4f, p.get(0, 1));
    assertEquals(3f, p.get(2, 0));
    int width = p.panelWidth();
    int at = p.panelOffset(0);
    assertTrue(at + 3 * width <= p.data().length); // one panel, columns 2.. are zero padding
    assertEquals(0f, p.data()[at + width - 1]);
    // Packing the same values row-major gives the same matrix.
    PackedMatrix q = PackedMatrix.pack(3, 2, new float[] {1, 4, 2, 5, 3, 6}, 0, 2, false);
    assertArrayEquals(p.data(), q.data());
    // repack sees new values; the packed product is A @ W.T + bias.
    w[0] = -1;
    p.repack(w, 0, 3, true);
    float[] c = new float[2];
    Kernels.gemm(1, new float[] {1, 1, 1}, 0, 3, p, c, 0, 2, new float[] {0.5f, 0}, 0,
        Activation.NONE);
    assertArrayEquals(new float[] {-1 + 2 + 3 + 0.5f, 15}, c);
    Kernels.gemm(1, new float[] {1, 1, 1}, 0, 3, p, c, 0, 2, new float[] {-5, 0}, 0,
        Activation.RELU);
    assertArrayEquals(new float[] {0, 15}, c);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Kernels.setThreads(0));
    assertEquals("threads must be >= 1, got 0", e.getMessage());
  }

  /**
   * Every element lands at its transposed place, in the 8-row groups and in the rows past the
   * last group, at offsets, and nothing outside the destination is written.
   */
  @Test
  void transposeMovesEveryElementOnceInGroupsAndInTheRest() {
    for (int[] shape : new int[][] {{1, 1}, {7, 3}, {8, 5}, {17, 9}, {64, 10}}) {
      int rows = shape[0];
      int cols = shape[1];
      float[] src = new float[2 + rows * cols];
      for (int i = 0; i < src.length; i++) {
        src[i] = i - 2; // element (r, c) is r * cols + c
      }
      float[] dst = new float[3 + rows * cols + 1];
      java.util.Arrays.fill(dst, -7f);
      Kernels.transpose(src, 2, rows, cols, dst, 3);
      for (int c = 0; c < cols; c++) {
        for (int r = 0; r < rows; r++) {
          assertEquals(r * cols + c, dst[3 + c * rows + r], rows + " x " + cols + ": (" + r
              + ", " + c + ")");
        }
      }
      assertEquals(-7f, dst[2], "before the destination");
      assertEquals(-7f, dst[dst.length - 1], "after the destination");
    }
    assertThrows(IndexOutOfBoundsException.class,
        () -> Kernels.transpose(new float[6], 1, 2, 3, new float[6], 0));
  }

  @Test
  void threadCountPropertyFallsBackToTheCores() {
    int cores = Runtime.getRuntime().availableProcessors();
    assertEquals(3, Parallel.initialThreads("3"));
    assertEquals(cores, Parallel.initialThreads(null));
    assertEquals(cores, Parallel.initialThreads("0"));
    assertEquals(cores, Parallel.initialThreads("many"));
  }

  @Test
  void gemmWithEmptyInnerDimensionGivesTheBias() {
    float[] c = {9, 9, 9, 9};
    Kernels.gemm(2, 2, 0, new float[0], 0, 0, new float[0], 0, 2, false, c, 0, 2,
        new float[] {1, -2}, 0, Activation.RELU);
    assertArrayEquals(new float[] {1, 0, 1, 0}, c);
  }

  @Test
  void gemmRejectsArraysTooSmallForTheShape() {
    IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
        () -> Kernels.gemm(2, 2, 3, new float[5], 0, 3, new float[6], 0, 2, false,
            new float[4], 0, 2, null, 0, Activation.NONE));
    assertTrue(e.getMessage().contains("gemm: a (2 x 3"), e.getMessage());
    IllegalArgumentException overlap = assertThrows(IllegalArgumentException.class,
        () -> Kernels.gemm(2, 2, 3, new float[6], 0, 3, new float[6], 0, 2, false,
            new float[4], 0, 1, null, 0, Activation.NONE));
    assertEquals("gemm: the row stride of c (1) is less than its 2 columns",
        overlap.getMessage());
  }

  @Test
  void gemmReadsABroadcastRowOfAWithStrideZero() {
    // A = [[1, 2], [1, 2]] given as one row with lda = 0; B = I.
    float[] c = new float[4];
    Kernels.gemm(2, 2, 2, new float[] {1, 2}, 0, 0, new float[] {1, 0, 0, 1}, 0, 2, false, c,
        0, 2, null, 0, Activation.NONE);
    assertArrayEquals(new float[] {1, 2, 1, 2}, c);
  }

  @Test
  void reductionsOnHandValues() {
    float[] x = {3, -1, 4, 1, -5, 9, 2, 6};
    assertEquals(19f, Kernels.sum(x, 0, 8));
    assertEquals(9f, Kernels.max(x, 0, 8));
    assertEquals(-5f, Kernels.min(x, 1, 7));
    assertEquals(0f, Kernels.sum(x, 8, 0));
    assertEquals(3 * 3 + 1 + 16, Kernels.dot(x, 0, x, 0, 3));
    assertThrows(IllegalArgumentException.class, () -> Kernels.max(x, 0, 0));
  }

  @Test
  void selectionHonoursTheModuleAndTheProperty() {
    assertInstanceOf(ScalarBackend.class, Backends.select("scalar", true));
    assertInstanceOf(ScalarBackend.class, Backends.select("auto", false));
    assertInstanceOf(ScalarBackend.class, Backends.select("vector", false));
    assertInstanceOf(VectorBackend.class, Backends.select("auto", true));
    assertInstanceOf(VectorBackend.class, Backends.select("bogus", true));
  }

  @Test
  void speciesPropertyIsValidated() {
    assertEquals(256, VectorBackend.species("256").vectorBitSize());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> VectorBackend.species("100"));
    assertTrue(e.getMessage().contains("64, 128, 256 or 512"), e.getMessage());
  }

  @Test
  void theTestJvmUsesTheVectorBackend() {
    assertTrue(Kernels.backend().startsWith("vector"), Kernels.backend());
  }

  /**
   * A matrix large enough to be repacked on the pool, both ways (transposed: a Linear
   * weight; as stored: the training step's backward), with a partial last panel, holds the
   * same floats as packed on one thread, and each packed element is its source element.
   */
  @Test
  void parallelRepackEqualsOneThread() {
    int k = 1100;
    int n = Kernels.panelWidth() * 16 + 5; // n * k above PackedMatrix.PARALLEL_FLOATS
    assertTrue((long) k * n >= PackedMatrix.PARALLEL_FLOATS);
    float[] b = new float[k * n];
    java.util.Random r = new java.util.Random(3);
    for (int i = 0; i < b.length; i++) {
      b[i] = r.nextFloat();
    }
    int saved = Kernels.threads();
    try {
      for (boolean transposed : new boolean[] {false, true}) {
        int ld = transposed ? k : n;
        Kernels.setThreads(1);
        PackedMatrix one = PackedMatrix.pack(k, n, b, 0, ld, transposed);
        Kernels.setThreads(2);
        PackedMatrix two = PackedMatrix.pack(k, n, new float[k * n], 0, ld, transposed);
        two.repack(b, 0, ld, transposed);
        float[] d1 = java.util.Arrays.copyOfRange(one.data(), one.panelOffset(0),
            one.panelOffset(0) + k * n);
        float[] d2 = java.util.Arrays.copyOfRange(two.data(), two.panelOffset(0),
            two.panelOffset(0) + k * n);
        assertArrayEquals(d1, d2, 0f, "transposed " + transposed);
        int w = one.panelWidth();
        // element (p, j) of op(B) in panel 0: b[p * n + j] as stored, b[j * k + p] transposed
        for (int p = 0; p < k; p += 97) {
          for (int j = 0; j < w; j++) {
            float want = transposed ? b[j * k + p] : b[p * n + j];
            assertEquals(want, two.data()[two.panelOffset(0) + p * w + j], 0f,
                "transposed " + transposed + " p " + p + " j " + j);
          }
        }
      }
    } finally {
      Kernels.setThreads(saved);
    }
  }

  /**
   * B packed from its transpose holds the floats B packed as stored does, for panels whose
   * width is and is not a multiple of 8 (the transposed pack's 8-column groups and the rest)
   * and reductions shorter and longer than its 64-row blocks: the as-stored pack (row copies)
   * is the reference.
   */
  @Test
  void transposedPackingEqualsPackingAsStored() {
    java.util.Random r = new java.util.Random(5);
    int w = Kernels.panelWidth();
    for (int k : new int[] {1, 7, 64, 65, 200}) {
      for (int n : new int[] {3, 8, 13, w, 2 * w + 5, 3 * w + 12}) {
        float[] b = new float[k * n]; // k x n as stored
        float[] bt = new float[n * k]; // its transpose, n x k
        for (int p = 0; p < k; p++) {
          for (int j = 0; j < n; j++) {
            b[p * n + j] = r.nextFloat() - 0.5f;
            bt[j * k + p] = b[p * n + j];
          }
        }
        float[] stored = PackedMatrix.pack(k, n, b, 0, n, false).data();
        float[] transposed = PackedMatrix.pack(k, n, bt, 0, k, true).data();
        assertArrayEquals(stored, transposed, 0f, "k " + k + " n " + n);
      }
    }
  }
}
