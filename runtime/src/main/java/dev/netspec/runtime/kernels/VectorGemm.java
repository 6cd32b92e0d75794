package dev.netspec.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector GEMM: {@code C = act(A @ op(B) + bias)}, row-major.
 *
 * <p>C is computed in register tiles of {@code MR x NR} ({@code 4 x 2} vectors, so 8
 * accumulators): for each {@code p} the tile broadcasts {@code A[i][p]} for its 4 rows,
 * loads 2 vectors of row {@code p} of B and issues 8 FMAs. The bias and the activation are
 * applied to the accumulators before the one store of C (the fused epilogue). Column
 * panels narrower than {@code NR} use a one-vector tile, and the last {@code n % L} columns
 * a scalar loop. B is packed one column panel at a time into a dense row-major {@code k x
 * NR} scratch block that every row tile of A then reuses: this turns a transposed B
 * (Linear's {@code [out, in]} weight) into the layout the micro-kernel reads, and spares a
 * row-major B with a large power-of-two row stride its cache-set conflicts.
 *
 * <p>Next steps (issue 5): pack A, block {@code k} for L1/L2, a wider tile.
 */
final class VectorGemm {
  private static final VectorSpecies<Float> S = VectorBackend.SPECIES;
  private static final int L = S.length();
  private static final int MR = 4;
  private static final int NR = 2 * L;

  private VectorGemm() {}

  static void gemm(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff,
      int ldb, boolean transB, float[] c, int cOff, int ldc, float[] bias, int biasOff,
      Activation act) {
    if (m == 0 || n == 0) {
      return;
    }
    boolean relu = act == Activation.RELU;
    // Columns of op(B) are copied into a dense (k, width) panel when it is transposed, or when
    // several row tiles reuse it (a dense panel avoids cache-set conflicts of large ldb).
    boolean pack = transB || m > MR;
    float[] panel = pack ? new float[k * NR] : null;
    int j = 0;
    while (n - j >= L) {
      int width = n - j >= NR ? NR : L; // columns in this panel: two vectors, or one
      float[] bp = b;
      int bo = bOff + j;
      int ld = ldb;
      if (pack) {
        packPanel(b, bOff, ldb, transB, j, width, k, panel);
        bp = panel;
        bo = 0;
        ld = width;
      }
      int i = 0;
      if (width == NR) {
        for (; i + MR <= m; i += MR) {
          tile4x2(k, a, aOff + i * lda, lda, bp, bo, ld, c, cOff + i * ldc + j, ldc, bias,
              biasOff + j, relu);
        }
        for (; i < m; i++) {
          tile1x2(k, a, aOff + i * lda, bp, bo, ld, c, cOff + i * ldc + j, bias, biasOff + j,
              relu);
        }
      } else {
        for (; i < m; i++) {
          tile1x1(k, a, aOff + i * lda, bp, bo, ld, c, cOff + i * ldc + j, bias, biasOff + j,
              relu);
        }
      }
      j += width;
    }
    int bRowStep = transB ? 1 : ldb; // from op(B)[p][j] to op(B)[p + 1][j]
    int bColStep = transB ? ldb : 1; // from op(B)[p][j] to op(B)[p][j + 1]
    for (; j < n; j++) {
      for (int i = 0; i < m; i++) {
        int ai = aOff + i * lda;
        int bj = bOff + j * bColStep;
        float acc = 0;
        for (int p = 0; p < k; p++) {
          acc = Math.fma(a[ai + p], b[bj + p * bRowStep], acc);
        }
        if (bias != null) {
          acc += bias[biasOff + j];
        }
        c[cOff + i * ldc + j] = relu ? Math.max(acc, 0f) : acc;
      }
    }
  }

  /**
   * Copies columns {@code j0 .. j0 + width} of op(B) into {@code panel} as a row-major
   * {@code k x width} block. A transposed B ({@code n x k}, row stride {@code ldb}) is read
   * one contiguous row at a time and written with a stride of {@code width}.
   */
  private static void packPanel(float[] b, int bOff, int ldb, boolean transB, int j0,
      int width, int k, float[] panel) {
    if (!transB) {
      for (int p = 0; p < k; p++) {
        System.arraycopy(b, bOff + p * ldb + j0, panel, p * width, width);
      }
      return;
    }
    for (int jj = 0; jj < width; jj++) {
      int row = bOff + (j0 + jj) * ldb;
      for (int p = 0; p < k; p++) {
        panel[p * width + jj] = b[row + p];
      }
    }
  }

  /** C[i..i+4][j..j+2L] from 4 rows of A starting at {@code a0} and row p of B at {@code b0 + p*ldb}. */
  private static void tile4x2(int k, float[] a, int a0, int lda, float[] b, int b0, int ldb,
      float[] c, int c0, int ldc, float[] bias, int biasOff, boolean relu) {
    FloatVector c00 = FloatVector.zero(S);
    FloatVector c01 = c00;
    FloatVector c10 = c00;
    FloatVector c11 = c00;
    FloatVector c20 = c00;
    FloatVector c21 = c00;
    FloatVector c30 = c00;
    FloatVector c31 = c00;
    int a1 = a0 + lda;
    int a2 = a1 + lda;
    int a3 = a2 + lda;
    for (int p = 0; p < k; p++) {
      int bp = b0 + p * ldb;
      FloatVector b0v = FloatVector.fromArray(S, b, bp);
      FloatVector b1v = FloatVector.fromArray(S, b, bp + L);
      FloatVector x = FloatVector.broadcast(S, a[a0 + p]);
      c00 = x.fma(b0v, c00);
      c01 = x.fma(b1v, c01);
      x = FloatVector.broadcast(S, a[a1 + p]);
      c10 = x.fma(b0v, c10);
      c11 = x.fma(b1v, c11);
      x = FloatVector.broadcast(S, a[a2 + p]);
      c20 = x.fma(b0v, c20);
      c21 = x.fma(b1v, c21);
      x = FloatVector.broadcast(S, a[a3 + p]);
      c30 = x.fma(b0v, c30);
      c31 = x.fma(b1v, c31);
    }
    FloatVector bias0 = biasVector(bias, biasOff);
    FloatVector bias1 = biasVector(bias, biasOff + L);
    store(c00, bias0, relu, c, c0);
    store(c01, bias1, relu, c, c0 + L);
    store(c10, bias0, relu, c, c0 + ldc);
    store(c11, bias1, relu, c, c0 + ldc + L);
    store(c20, bias0, relu, c, c0 + 2 * ldc);
    store(c21, bias1, relu, c, c0 + 2 * ldc + L);
    store(c30, bias0, relu, c, c0 + 3 * ldc);
    store(c31, bias1, relu, c, c0 + 3 * ldc + L);
  }

  private static void tile1x2(int k, float[] a, int a0, float[] b, int b0, int ldb, float[] c,
      int c0, float[] bias, int biasOff, boolean relu) {
    FloatVector c00 = FloatVector.zero(S);
    FloatVector c01 = c00;
    for (int p = 0; p < k; p++) {
      int bp = b0 + p * ldb;
      FloatVector x = FloatVector.broadcast(S, a[a0 + p]);
      c00 = x.fma(FloatVector.fromArray(S, b, bp), c00);
      c01 = x.fma(FloatVector.fromArray(S, b, bp + L), c01);
    }
    store(c00, biasVector(bias, biasOff), relu, c, c0);
    store(c01, biasVector(bias, biasOff + L), relu, c, c0 + L);
  }

  private static void tile1x1(int k, float[] a, int a0, float[] b, int b0, int ldb, float[] c,
      int c0, float[] bias, int biasOff, boolean relu) {
    FloatVector c00 = FloatVector.zero(S);
    for (int p = 0; p < k; p++) {
      FloatVector x = FloatVector.broadcast(S, a[a0 + p]);
      c00 = x.fma(FloatVector.fromArray(S, b, b0 + p * ldb), c00);
    }
    store(c00, biasVector(bias, biasOff), relu, c, c0);
  }

  private static FloatVector biasVector(float[] bias, int off) {
    return bias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, bias, off);
  }

  /** The epilogue: {@code c = act(acc + bias)}, one store. */
  private static void store(FloatVector acc, FloatVector bias, boolean relu, float[] c, int at) {
    FloatVector v = acc.add(bias);
    if (relu) {
      v = v.max(0f);
    }
    v.intoArray(c, at);
  }
}
