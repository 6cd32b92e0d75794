package dev.netspec.runtime.kernels;

import static dev.netspec.runtime.kernels.VectorBackend.SPECIES;
import static dev.netspec.runtime.kernels.Vectors.EXACT;
import static dev.netspec.runtime.kernels.Vectors.EXACT_INTS;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The recurrent cells' kernels with the Vector API: {@link Gates}' steps, lane-wise, in the
 * same order (so both give the same floats), with {@link Gates}' formulas for the tails.
 *
 * <p>Every nonlinearity goes through one loop, {@link #act}, whose body is {@link Gates#exp2}
 * and {@link Gates#gate} written out with Vector API calls only: no method of ours takes or
 * returns a vector. C2 force-inlines the Vector API's own methods, but inlines ours only until
 * a compilation reaches its node limit; a vector passed to a call left standing is boxed. With
 * {@code exp} as a method, a cell with two of them allocated 6 KB and took 19 us a call at
 * hidden size 64 on JDK 25 (7.7 KB on 17), instead of 0 bytes and under 1.5 us. A call of
 * {@link #act} left standing costs a call, nothing more. Loaded only through
 * {@link VectorBackend}.
 */
final class VectorGates {
  private VectorGates() {}

  private static final int L = SPECIES.length();

  /** {@link Gates#lstmCell}, vectorized. */
  static void lstmCell(int n, float[] gates, int gOff, float[] hg, int hgOff, float[] c,
      int cOff, float[] h, int hOff) {
    act(2 * n, 1f, 0f, gates, gOff, hg, hgOff, gates, gOff); // i, f
    act(n, 2f, 1f, gates, gOff + 2 * n, hg, hgOff + 2 * n, gates, gOff + 2 * n); // g
    act(n, 1f, 0f, gates, gOff + 3 * n, hg, hgOff + 3 * n, gates, gOff + 3 * n); // o
    int bound = SPECIES.loopBound(n);
    int j = 0;
    for (; j < bound; j += L) { // c = f * c + i * g
      FloatVector i = EXACT.cast(FloatVector.fromArray(SPECIES, gates, gOff + j));
      FloatVector f = EXACT.cast(FloatVector.fromArray(SPECIES, gates, gOff + n + j));
      FloatVector g = EXACT.cast(FloatVector.fromArray(SPECIES, gates, gOff + 2 * n + j));
      FloatVector cv = EXACT.cast(FloatVector.fromArray(SPECIES, c, cOff + j));
      EXACT.cast(f.fma(cv, i.mul(g))).intoArray(c, cOff + j);
    }
    for (; j < n; j++) {
      c[cOff + j] = Math.fma(gates[gOff + n + j], c[cOff + j], gates[gOff + j] * gates[gOff + 2 * n + j]);
    }
    act(n, 1f, 1f, c, cOff, c, cOff, h, hOff); // tanh(c), as act(c + c) with s = 1
    for (j = 0; j < bound; j += L) { // o * tanh(c)
      FloatVector o = EXACT.cast(FloatVector.fromArray(SPECIES, gates, gOff + 3 * n + j));
      FloatVector t = EXACT.cast(FloatVector.fromArray(SPECIES, h, hOff + j));
      EXACT.cast(t.mul(o)).intoArray(h, hOff + j);
    }
    for (; j < n; j++) {
      h[hOff + j] *= gates[gOff + 3 * n + j];
    }
  }

  /** {@link Gates#gruCell}, vectorized. */
  static void gruCell(int n, float[] gates, int gOff, float[] hg, int hgOff, float[] hPrev,
      int hpOff, float[] h, int hOff) {
    act(2 * n, 1f, 0f, gates, gOff, hg, hgOff, gates, gOff); // r, z
    int nOff = gOff + 2 * n;
    int bound = SPECIES.loopBound(n);
    int j = 0;
    for (; j < bound; j += L) { // x_n + r * hg_n
      FloatVector r = EXACT.cast(FloatVector.fromArray(SPECIES, gates, gOff + j));
      FloatVector hn = EXACT.cast(FloatVector.fromArray(SPECIES, hg, hgOff + 2 * n + j));
      FloatVector xn = EXACT.cast(FloatVector.fromArray(SPECIES, gates, nOff + j));
      EXACT.cast(r.fma(hn, xn)).intoArray(gates, nOff + j);
    }
    for (; j < n; j++) {
      gates[nOff + j] = Math.fma(gates[gOff + j], hg[hgOff + 2 * n + j], gates[nOff + j]);
    }
    act(n, 1f, 1f, gates, nOff, gates, nOff, gates, nOff); // tanh, as act(v + v) with s = 1
    for (j = 0; j < bound; j += L) { // h = n + z * (hPrev - n)
      FloatVector z = EXACT.cast(FloatVector.fromArray(SPECIES, gates, gOff + n + j));
      FloatVector nt = EXACT.cast(FloatVector.fromArray(SPECIES, gates, nOff + j));
      FloatVector hp = EXACT.cast(FloatVector.fromArray(SPECIES, hPrev, hpOff + j));
      EXACT.cast(z.fma(hp.sub(nt), nt)).intoArray(h, hOff + j);
    }
    for (; j < n; j++) {
      float nt = gates[nOff + j];
      h[hOff + j] = Math.fma(gates[gOff + n + j], hPrev[hpOff + j] - nt, nt);
    }
  }

  /** {@link Gates#act}: {@code out[j] = gate(x[j] + y[j], s, t)}; {@code out} may be {@code x}. */
  static void act(int n, float s, float t, float[] x, int xOff, float[] y, int yOff,
      float[] out, int outOff) {
    FloatVector lo = EXACT.cast(FloatVector.broadcast(SPECIES, Gates.EXP2_LO));
    FloatVector hi = EXACT.cast(FloatVector.broadcast(SPECIES, Gates.EXP2_HI));
    FloatVector magic = EXACT.cast(FloatVector.broadcast(SPECIES, Gates.MAGIC));
    FloatVector q0 = EXACT.cast(FloatVector.broadcast(SPECIES, Gates.Q0));
    FloatVector q1 = EXACT.cast(FloatVector.broadcast(SPECIES, Gates.Q1));
    FloatVector q2 = EXACT.cast(FloatVector.broadcast(SPECIES, Gates.Q2));
    FloatVector q3 = EXACT.cast(FloatVector.broadcast(SPECIES, Gates.Q3));
    FloatVector q4 = EXACT.cast(FloatVector.broadcast(SPECIES, Gates.Q4));
    FloatVector q5 = EXACT.cast(FloatVector.broadcast(SPECIES, Gates.Q5));
    FloatVector one = EXACT.cast(FloatVector.broadcast(SPECIES, 1f));
    FloatVector toExp2 = EXACT.cast(FloatVector.broadcast(SPECIES, -s * Gates.LOG2E));
    FloatVector minusT = EXACT.cast(FloatVector.broadcast(SPECIES, -t));
    int bound = SPECIES.loopBound(n);
    int j = 0;
    for (; j < bound; j += L) {
      FloatVector v = EXACT.cast(FloatVector.fromArray(SPECIES, x, xOff + j))
          .add(EXACT.cast(FloatVector.fromArray(SPECIES, y, yOff + j)));
      // e = exp(-s v) = 2^(v (-s log2 e)), as Gates.exp2
      FloatVector a = v.mul(toExp2).max(lo).min(hi);
      FloatVector big = a.add(magic);
      FloatVector f = a.sub(big.sub(magic)); // a - round(a), exact
      FloatVector p = q5.fma(f, q4).fma(f, q3).fma(f, q2).fma(f, q1).fma(f, q0);
      FloatVector scale = EXACT.cast(EXACT_INTS.cast(big.reinterpretAsInts()).add(Gates.BIAS)
          .lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats()); // 2^round(a)
      FloatVector e = p.mul(scale);
      // (1 - t e) / (1 + e), as Gates.gate
      EXACT.cast(e.fma(minusT, one).div(e.add(one))).intoArray(out, outOff + j);
    }
    for (; j < n; j++) {
      out[outOff + j] = Gates.gate(x[xOff + j] + y[yOff + j], s, t);
    }
  }
}
