package dev.netspec.runtime.kernels;

import static dev.netspec.runtime.kernels.VectorBackend.SPECIES;
import static dev.netspec.runtime.kernels.Vectors.EXACT;
import static dev.netspec.runtime.kernels.Vectors.EXACT_INTS;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * {@link Gelu}, lane-wise: both of its branches for every lane, then a blend, with
 * {@link Gelu}'s formula for the tail; the same floats as the twin. Two loops over chunks of
 * the input (the tail's erfc into a per-thread scratch, then the blend), each with every step
 * written out and no method of ours taking a vector (see {@link VectorGates} on why): as one
 * loop the method passed C2's node budget, where C2 stops inlining methods of ours and the
 * vectors they return are boxed (24 bytes per element on JDK 17). Loaded only through {@link
 * VectorBackend}.
 */
final class VectorGelu {
  private VectorGelu() {}

  private static final int L = SPECIES.length();
  private static final int CHUNK = 1024;
  private static final ThreadLocal<float[]> SCRATCH =
      ThreadLocal.withInitial(() -> new float[CHUNK]);

  /** {@code out[i] = gelu(x[i])}; {@code out} may be {@code x}. */
  static void gelu(float[] x, int xOff, float[] out, int outOff, int n) {
    gelu(x, xOff, out, outOff, n, SCRATCH.get());
  }

  /**
   * GELU in place over {@code rows x cols} of {@code c} from {@code c0}, row stride {@code
   * ldc}: the GEMM's epilogue on a finished tile, the same floats as {@link #gelu} row by row.
   */
  static void rows(int rows, int cols, float[] c, int c0, int ldc) {
    float[] erfc = SCRATCH.get();
    int whole = SPECIES.loopBound(cols); // per row, in vectors; the rest one by one
    if (whole > CHUNK) {
      for (int r = 0; r < rows; r++) {
        gelu(c, c0 + r * ldc, c, c0 + r * ldc, cols, erfc);
      }
      return;
    }
    if (whole > 0) {
      // As many rows at a time as the scratch holds: the constants are set up once for them
      // all, not once per row of a tile (a tile's row is two vectors).
      int per = CHUNK / whole;
      for (int r = 0; r < rows; r += per) {
        int m = Math.min(per, rows - r) * whole;
        erfc(c, c0 + r * ldc, ldc, whole, erfc, m);
        blend(c, c0 + r * ldc, ldc, whole, erfc, c, c0 + r * ldc, m);
      }
    }
    for (int r = 0; r < rows; r++) {
      for (int j = c0 + r * ldc + whole; j < c0 + r * ldc + cols; j++) {
        c[j] = Gelu.gelu(c[j]);
      }
    }
  }

  private static void gelu(float[] x, int xOff, float[] out, int outOff, int n, float[] erfc) {
    int bound = SPECIES.loopBound(n);
    for (int c = 0; c < bound; c += CHUNK) {
      int m = Math.min(CHUNK, bound - c);
      erfc(x, xOff + c, m, m, erfc, m);
      blend(x, xOff + c, m, m, erfc, out, outOff + c, m);
    }
    for (int i = bound; i < n; i++) {
      out[outOff + i] = Gelu.gelu(x[xOff + i]);
    }
  }

  /**
   * {@code e[i] = erfc(|x| / sqrt 2)} as {@link Gelu} computes it (0 from its tail on) for the
   * {@code m} elements of rows {@code width} wide, {@code ld} apart, from {@code xOff}.
   */
  private static void erfc(float[] x, int xOff, int ld, int width, float[] e, int m) {
    FloatVector sqrtHalf = EXACT.cast(FloatVector.broadcast(SPECIES, Gelu.SQRT_HALF));
    FloatVector tail = EXACT.cast(FloatVector.broadcast(SPECIES, Gelu.TAIL));
    FloatVector zero = EXACT.cast(FloatVector.zero(SPECIES));
    FloatVector one = EXACT.cast(FloatVector.broadcast(SPECIES, 1f));
    FloatVector q0 = EXACT.cast(FloatVector.broadcast(SPECIES, Gelu.Q0));
    FloatVector q1 = EXACT.cast(FloatVector.broadcast(SPECIES, Gelu.Q1));
    FloatVector q2 = EXACT.cast(FloatVector.broadcast(SPECIES, Gelu.Q2));
    FloatVector q3 = EXACT.cast(FloatVector.broadcast(SPECIES, Gelu.Q3));
    FloatVector q4 = EXACT.cast(FloatVector.broadcast(SPECIES, Gelu.Q4));
    FloatVector q5 = EXACT.cast(FloatVector.broadcast(SPECIES, Gelu.Q5));
    FloatVector q6 = EXACT.cast(FloatVector.broadcast(SPECIES, Gelu.Q6));
    FloatVector lo = EXACT.cast(FloatVector.broadcast(SPECIES, Gates.EXP_LO));
    FloatVector hi = EXACT.cast(FloatVector.broadcast(SPECIES, Gates.EXP_HI));
    FloatVector log2e = EXACT.cast(FloatVector.broadcast(SPECIES, Gates.LOG2E));
    FloatVector magic = EXACT.cast(FloatVector.broadcast(SPECIES, Gates.MAGIC));
    FloatVector ln2Hi = EXACT.cast(FloatVector.broadcast(SPECIES, -Gates.LN2_HI));
    FloatVector ln2Lo = EXACT.cast(FloatVector.broadcast(SPECIES, -Gates.LN2_LO));
    FloatVector p0 = EXACT.cast(FloatVector.broadcast(SPECIES, Gates.P0));
    FloatVector p1 = EXACT.cast(FloatVector.broadcast(SPECIES, Gates.P1));
    FloatVector p2 = EXACT.cast(FloatVector.broadcast(SPECIES, Gates.P2));
    FloatVector p3 = EXACT.cast(FloatVector.broadcast(SPECIES, Gates.P3));
    FloatVector p4 = EXACT.cast(FloatVector.broadcast(SPECIES, Gates.P4));
    FloatVector p5 = EXACT.cast(FloatVector.broadcast(SPECIES, Gates.P5));
    int row = xOff;
    int col = 0;
    for (int i = 0; i < m; i += L) {
      FloatVector xv = EXACT.cast(FloatVector.fromArray(SPECIES, x, row + col));
      FloatVector a = xv.mul(sqrtHalf);
      FloatVector t = a.abs();
      FloatVector s = a.mul(a);
      // erfc(t) = exp(q(t)), as Gates.exp
      FloatVector q = q0.fma(t, q1).fma(s, q2.fma(t, q3));
      q = (EXACT.cast(q)).fma(t, q4).fma(t, q5).fma(t, q6).fma(t, t.neg());
      FloatVector ex = q.max(lo).min(hi);
      FloatVector big = ex.fma(log2e, magic);
      FloatVector k = big.sub(magic); // round(e log2e)
      FloatVector r = k.fma(ln2Lo, k.fma(ln2Hi, ex)); // e - k ln2, in two parts
      FloatVector p = p0.fma(r, p1).fma(r, p2).fma(r, p3).fma(r, p4).fma(r, p5);
      IntVector bits = EXACT_INTS.cast(big.reinterpretAsInts());
      FloatVector scale = EXACT.cast(bits.add(Gates.BIAS)
          .lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats()); // 2^k
      FloatVector v = EXACT.cast(p.fma(r.mul(r), r).add(one).mul(scale));
      FloatVector w = EXACT.cast(v.blend(zero, t.lt(tail).not()));
      w.intoArray(e, i);
      col += L;
      if (col == width) {
        col = 0;
        row += ld;
      }
    }
  }

  /**
   * The small branch ({@code 1 + erf(a)}) and the blend with the tail's {@code e}, over the
   * elements {@link #erfc} read; {@code out} has the same layout from {@code outOff}.
   */
  private static void blend(float[] x, int xOff, int ld, int width, float[] e, float[] out,
      int outOff, int m) {
    FloatVector sqrtHalf = EXACT.cast(FloatVector.broadcast(SPECIES, Gelu.SQRT_HALF));
    FloatVector small = EXACT.cast(FloatVector.broadcast(SPECIES, Gelu.SMALL));
    FloatVector zero = EXACT.cast(FloatVector.zero(SPECIES));
    FloatVector half = EXACT.cast(FloatVector.broadcast(SPECIES, 0.5f));
    FloatVector one = EXACT.cast(FloatVector.broadcast(SPECIES, 1f));
    FloatVector two = EXACT.cast(FloatVector.broadcast(SPECIES, 2f));
    FloatVector s0 = EXACT.cast(FloatVector.broadcast(SPECIES, Gelu.S0));
    FloatVector s1 = EXACT.cast(FloatVector.broadcast(SPECIES, Gelu.S1));
    FloatVector s2 = EXACT.cast(FloatVector.broadcast(SPECIES, Gelu.S2));
    FloatVector s3 = EXACT.cast(FloatVector.broadcast(SPECIES, Gelu.S3));
    FloatVector s4 = EXACT.cast(FloatVector.broadcast(SPECIES, Gelu.S4));
    FloatVector s5 = EXACT.cast(FloatVector.broadcast(SPECIES, Gelu.S5));
    int row = 0;
    int col = 0;
    for (int i = 0; i < m; i += L) {
      FloatVector v = EXACT.cast(FloatVector.fromArray(SPECIES, x, xOff + row + col));
      FloatVector a = v.mul(sqrtHalf);
      FloatVector t = a.abs();
      FloatVector s = a.mul(a);
      // |a| <= SMALL: 1 + erf(a), erf(a) = a + a * s(a^2)
      FloatVector sp = s0.fma(s, s1).fma(s, s2).fma(s, s3).fma(s, s4).fma(s, s5);
      FloatVector inner = sp.fma(a, a).add(one);
      FloatVector erfc = EXACT.cast(FloatVector.fromArray(SPECIES, e, i));
      FloatVector outer = two.sub(erfc).blend(erfc, v.lt(zero));
      VectorMask<Float> isSmall = t.compare(VectorOperators.LE, small);
      FloatVector y = EXACT.cast(v.mul(half).mul(outer.blend(inner, isSmall)));
      y.intoArray(out, outOff + row + col);
      col += L;
      if (col == width) {
        col = 0;
        row += ld;
      }
    }
  }
}
