package dev.netspec.runtime.kernels;

import static dev.netspec.runtime.kernels.VectorBackend.SPECIES;
import static dev.netspec.runtime.kernels.Vectors.EXACT;

import jdk.incubator.vector.FloatVector;

/**
 * {@link Gelu}, lane-wise: its clamp, rational erf and product for every lane, one loop with
 * every step written out and no method of ours taking a vector (see {@link VectorGates} on
 * why), and {@link Gelu}'s formula for the tail; the same floats as the twin. Loaded only
 * through {@link VectorBackend}.
 */
final class VectorGelu {
  private VectorGelu() {}

  private static final int L = SPECIES.length();

  /** {@code out[i] = gelu(x[i])}; {@code out} may be {@code x}. */
  static void gelu(float[] x, int xOff, float[] out, int outOff, int n) {
    int whole = SPECIES.loopBound(n);
    rows(1, whole, x, xOff, 0, out, outOff, 0);
    for (int i = whole; i < n; i++) {
      out[outOff + i] = Gelu.gelu(x[xOff + i]);
    }
  }

  /**
   * GELU in place over {@code rows x cols} of {@code c} from {@code c0}, row stride {@code
   * ldc}: the GEMM's epilogue on a finished tile, the same floats as {@link #gelu} row by row.
   */
  static void rows(int rows, int cols, float[] c, int c0, int ldc) {
    int whole = SPECIES.loopBound(cols); // per row; the rest one by one
    rows(rows, whole, c, c0, ldc, c, c0, ldc);
    for (int r = 0; r < rows; r++) {
      for (int j = c0 + r * ldc + whole; j < c0 + r * ldc + cols; j++) {
        c[j] = Gelu.gelu(c[j]);
      }
    }
  }

  /** {@code rows x width} floats ({@code width} a multiple of L), row strides {@code ldx}, {@code ldo}. */
  private static void rows(int rows, int width, float[] x, int xOff, int ldx, float[] out,
      int outOff, int ldo) {
    FloatVector sqrtHalf = EXACT.cast(FloatVector.broadcast(SPECIES, Gelu.SQRT_HALF));
    FloatVector lo = EXACT.cast(FloatVector.broadcast(SPECIES, -Gelu.CLAMP));
    FloatVector hi = EXACT.cast(FloatVector.broadcast(SPECIES, Gelu.CLAMP));
    FloatVector half = EXACT.cast(FloatVector.broadcast(SPECIES, 0.5f));
    FloatVector one = EXACT.cast(FloatVector.broadcast(SPECIES, 1f));
    FloatVector p0 = EXACT.cast(FloatVector.broadcast(SPECIES, Gelu.P0));
    FloatVector p1 = EXACT.cast(FloatVector.broadcast(SPECIES, Gelu.P1));
    FloatVector p2 = EXACT.cast(FloatVector.broadcast(SPECIES, Gelu.P2));
    FloatVector p3 = EXACT.cast(FloatVector.broadcast(SPECIES, Gelu.P3));
    FloatVector p4 = EXACT.cast(FloatVector.broadcast(SPECIES, Gelu.P4));
    FloatVector q0 = EXACT.cast(FloatVector.broadcast(SPECIES, Gelu.Q0));
    FloatVector q1 = EXACT.cast(FloatVector.broadcast(SPECIES, Gelu.Q1));
    FloatVector q2 = EXACT.cast(FloatVector.broadcast(SPECIES, Gelu.Q2));
    FloatVector q3 = EXACT.cast(FloatVector.broadcast(SPECIES, Gelu.Q3));
    FloatVector q4 = EXACT.cast(FloatVector.broadcast(SPECIES, Gelu.Q4));
    FloatVector q5 = EXACT.cast(FloatVector.broadcast(SPECIES, Gelu.Q5));
    for (int r = 0; r < rows; r++) {
      int xRow = xOff + r * ldx;
      int outRow = outOff + r * ldo;
      for (int j = 0; j < width; j += L) {
        FloatVector v = EXACT.cast(FloatVector.fromArray(SPECIES, x, xRow + j));
        FloatVector a = v.mul(sqrtHalf).max(lo).min(hi);
        FloatVector s = a.mul(a);
        FloatVector p = p0.fma(s, p1).fma(s, p2).fma(s, p3).fma(s, p4).mul(a);
        FloatVector q = q0.fma(s, q1).fma(s, q2).fma(s, q3).fma(s, q4).fma(s, q5).fma(s, one);
        FloatVector y = EXACT.cast(v.mul(half).mul(p.div(q).add(one)));
        y.intoArray(out, outRow + j);
      }
    }
  }
}
