package dev.netspec.runtime.kernels;

import static dev.netspec.runtime.kernels.VectorBackend.SPECIES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The recurrent cells' gate nonlinearities with the Vector API: {@link Gates}' operations,
 * lane-wise, in the same order (so both give the same floats), and {@link Gates}' own loop for
 * the tail. Each loop applies one nonlinearity, so every method stays small enough for C2 to
 * inline all its Vector API calls (see docs/performance.md). Loaded only through
 * {@link VectorBackend}.
 */
final class VectorGates {
  private VectorGates() {}

  private static final int L = SPECIES.length();

  /** {@code v} in every lane. */
  private static FloatVector all(float v) {
    return FloatVector.broadcast(SPECIES, v);
  }

  static FloatVector exp(FloatVector x) {
    x = x.max(Gates.EXP_LO).min(Gates.EXP_HI);
    FloatVector t = x.fma(all(Gates.LOG2E), all(Gates.MAGIC));
    FloatVector n = t.sub(Gates.MAGIC); // round(x log2e)
    FloatVector r = n.fma(all(-Gates.LN2_HI), x);
    r = n.fma(all(-Gates.LN2_LO), r); // x - n ln2, in two parts
    FloatVector p = all(Gates.P0).fma(r, all(Gates.P1)).fma(r, all(Gates.P2))
        .fma(r, all(Gates.P3)).fma(r, all(Gates.P4)).fma(r, all(Gates.P5));
    FloatVector y = p.fma(r.mul(r), r).add(1f);
    FloatVector scale = t.reinterpretAsInts().add(Gates.BIAS).lanewise(VectorOperators.LSHL, 23)
        .reinterpretAsFloats();
    return y.mul(scale);
  }

  static FloatVector sigmoid(FloatVector x) {
    FloatVector one = all(1f);
    return one.div(one.add(exp(x.neg())));
  }

  static FloatVector tanh(FloatVector x) {
    FloatVector a = x.abs();
    FloatVector e = exp(a.mul(-2f));
    FloatVector big = e.neg().add(1f).div(e.add(1f));
    big = big.blend(big.neg(), x.lt(0f));
    FloatVector z = x.mul(x);
    FloatVector p = all(Gates.T0).fma(z, all(Gates.T1)).fma(z, all(Gates.T2))
        .fma(z, all(Gates.T3)).fma(z, all(Gates.T4));
    FloatVector small = p.mul(z).fma(x, x);
    return big.blend(small, a.lt(Gates.TANH_SMALL));
  }

  /** {@link Gates#lstmCell}, vectorized. */
  static void lstmCell(int n, float[] gates, int gOff, float[] hg, int hgOff, float[] c,
      int cOff, float[] h, int hOff) {
    sigmoidOfSum(2 * n, gates, gOff, hg, hgOff); // i, f
    tanhOfSum(n, gates, gOff + 2 * n, hg, hgOff + 2 * n); // g
    sigmoidOfSum(n, gates, gOff + 3 * n, hg, hgOff + 3 * n); // o
    int bound = SPECIES.loopBound(n);
    int j = 0;
    for (; j < bound; j += L) {
      FloatVector i = FloatVector.fromArray(SPECIES, gates, gOff + j);
      FloatVector f = FloatVector.fromArray(SPECIES, gates, gOff + n + j);
      FloatVector g = FloatVector.fromArray(SPECIES, gates, gOff + 2 * n + j);
      FloatVector o = FloatVector.fromArray(SPECIES, gates, gOff + 3 * n + j);
      FloatVector ct = f.fma(FloatVector.fromArray(SPECIES, c, cOff + j), i.mul(g));
      ct.intoArray(c, cOff + j);
      o.mul(tanh(ct)).intoArray(h, hOff + j);
    }
    for (; j < n; j++) {
      float ct = Math.fma(gates[gOff + n + j], c[cOff + j], gates[gOff + j] * gates[gOff + 2 * n + j]);
      c[cOff + j] = ct;
      h[hOff + j] = gates[gOff + 3 * n + j] * Gates.tanh(ct);
    }
  }

  /** {@link Gates#gruCell}, vectorized. */
  static void gruCell(int n, float[] gates, int gOff, float[] hg, int hgOff, float[] hPrev,
      int hpOff, float[] h, int hOff) {
    sigmoidOfSum(2 * n, gates, gOff, hg, hgOff); // r, z
    int bound = SPECIES.loopBound(n);
    int j = 0;
    for (; j < bound; j += L) {
      FloatVector r = FloatVector.fromArray(SPECIES, gates, gOff + j);
      FloatVector z = FloatVector.fromArray(SPECIES, gates, gOff + n + j);
      FloatVector hn = FloatVector.fromArray(SPECIES, hg, hgOff + 2 * n + j);
      FloatVector nt = tanh(r.fma(hn, FloatVector.fromArray(SPECIES, gates, gOff + 2 * n + j)));
      nt.intoArray(gates, gOff + 2 * n + j);
      FloatVector hp = FloatVector.fromArray(SPECIES, hPrev, hpOff + j);
      z.fma(hp.sub(nt), nt).intoArray(h, hOff + j);
    }
    for (; j < n; j++) {
      float nt = Gates.tanh(Math.fma(gates[gOff + j], hg[hgOff + 2 * n + j], gates[gOff + 2 * n + j]));
      gates[gOff + 2 * n + j] = nt;
      h[hOff + j] = Math.fma(gates[gOff + n + j], hPrev[hpOff + j] - nt, nt);
    }
  }

  /** {@code x[j] = sigmoid(x[j] + y[j])} for {@code j < n}. */
  private static void sigmoidOfSum(int n, float[] x, int xOff, float[] y, int yOff) {
    int bound = SPECIES.loopBound(n);
    int j = 0;
    for (; j < bound; j += L) {
      FloatVector s = FloatVector.fromArray(SPECIES, x, xOff + j)
          .add(FloatVector.fromArray(SPECIES, y, yOff + j));
      sigmoid(s).intoArray(x, xOff + j);
    }
    for (; j < n; j++) {
      x[xOff + j] = Gates.sigmoid(x[xOff + j] + y[yOff + j]);
    }
  }

  /** {@code x[j] = tanh(x[j] + y[j])} for {@code j < n}. */
  private static void tanhOfSum(int n, float[] x, int xOff, float[] y, int yOff) {
    int bound = SPECIES.loopBound(n);
    int j = 0;
    for (; j < bound; j += L) {
      FloatVector s = FloatVector.fromArray(SPECIES, x, xOff + j)
          .add(FloatVector.fromArray(SPECIES, y, yOff + j));
      tanh(s).intoArray(x, xOff + j);
    }
    for (; j < n; j++) {
      x[xOff + j] = Gates.tanh(x[xOff + j] + y[yOff + j]);
    }
  }
}
