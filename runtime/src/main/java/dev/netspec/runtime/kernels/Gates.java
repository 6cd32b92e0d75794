package dev.netspec.runtime.kernels;

/**
 * The recurrent cells' gate nonlinearities, in plain loops: the scalar twin of
 * {@link VectorGates} (the same operations in the same order, {@code Math.fma} where the
 * vectors fuse, so both give the same floats) and the scalar backend's kernels.
 *
 * <p>{@link #exp} is Cephes' {@code expf} (a degree-5 polynomial on {@code [-ln2/2, ln2/2]}
 * after {@code x = n ln2 + r}, then a scale by {@code 2^n} made from exponent bits), with its
 * argument clamped to {@code [-87, 88]} so every scale is a normal float; within 3e-7
 * relative of the exact value. The softmax and GELU use it.
 *
 * <p>The gates take a cheaper exponential, {@link #exp2} of {@code a = -s x log2(e)} (one
 * multiply): {@code 2^a = 2^k 2^f} with {@code k = round(a)}, {@code f = a - k} (exact) in
 * {@code [-1/2, 1/2]} and {@code 2^f} a degree-5 polynomial (within 2.2e-7 relative, in
 * float), {@code a} clamped to {@code [-126, 126]}: 14 operations from the gate's input
 * where {@code expf} took 18, and a shorter chain. Rounding {@code a} adds {@code |a| 2^-24
 * ln2} to the relative error of {@code 2^a}, which only grows where the gate has saturated. {@code sigmoid(x) = 1
 * / (1 + e)} with {@code e = 2^(-x log2 e)} and {@code tanh(x) = (1 - e) / (1 + e)} with
 * {@code e = 2^(-2x log2 e)}: one formula ({@link #gate}), within 3e-7 of the exact values
 * (absolute; GatesTest checks them against {@code Math.exp} over {@code [-86, 86]}), against
 * PyTorch's float32 loops which are within about 1e-7: far inside the 1e-5 the layers are
 * tested to.
 */
final class Gates {
  private Gates() {}

  static final float EXP_LO = -87f;
  static final float EXP_HI = 88f;
  static final float LOG2E = 1.44269504088896341f;
  /** 1.5 * 2^23: {@code fma(x, log2e, MAGIC)} rounds {@code x log2e} to an integer in its low bits. */
  static final float MAGIC = 12582912f;
  /** Adds the exponent bias to those bits: {@code bits(MAGIC + n) + BIAS = n + 127}. */
  static final int BIAS = 127 - 0x4B400000;
  static final float LN2_HI = 0.693359375f;
  static final float LN2_LO = -2.12194440e-4f;
  static final float P0 = 1.9875691500e-4f;
  static final float P1 = 1.3981999507e-3f;
  static final float P2 = 8.3334519073e-3f;
  static final float P3 = 4.1665795894e-2f;
  static final float P4 = 1.6666665459e-1f;
  static final float P5 = 5.0000001201e-1f;
  /** {@code e^x}, see the class comment. */
  static float exp(float x) {
    x = Math.min(Math.max(x, EXP_LO), EXP_HI);
    float t = Math.fma(x, LOG2E, MAGIC);
    float n = t - MAGIC; // round(x log2e)
    float r = Math.fma(n, -LN2_HI, x);
    r = Math.fma(n, -LN2_LO, r); // x - n ln2, in two parts
    float p = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(P0, r, P1), r, P2), r, P3), r, P4),
        r, P5);
    float y = Math.fma(p, r * r, r) + 1f;
    return y * Float.intBitsToFloat((Float.floatToRawIntBits(t) + BIAS) << 23);
  }

  /** {@link #exp2}'s bounds: {@code 2^-126} and {@code 2^126} are normal floats. */
  static final float EXP2_LO = -126f;
  static final float EXP2_HI = 126f;
  /** {@code 2^f} on {@code [-1/2, 1/2]}: {@code Q0 + Q1 f + ... + Q5 f^5} (relative-error fit). */
  static final float Q0 = 1.0000001192092896f;
  static final float Q1 = 0.6931469440460205f;
  static final float Q2 = 0.24022120237350464f;
  static final float Q3 = 0.05550713464617729f;
  static final float Q4 = 0.009675541892647743f;
  static final float Q5 = 0.00132764654699713f;

  /** {@code 2^a}, see the class comment. */
  static float exp2(float a) {
    a = Math.min(Math.max(a, EXP2_LO), EXP2_HI);
    float t = a + MAGIC;
    float f = a - (t - MAGIC); // a - round(a), exact
    float p = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Q5, f, Q4), f, Q3), f, Q2), f, Q1),
        f, Q0);
    return p * Float.intBitsToFloat((Float.floatToRawIntBits(t) + BIAS) << 23);
  }

  /**
   * {@code sigmoid(x)} for {@code (s, t) = (1, 0)} and {@code tanh(x)} for {@code (2, 1)}:
   * {@code (1 - t e) / (1 + e)} with {@code e = exp(-s x) = 2^(x (-s log2 e))} ({@link
   * #exp2}). One formula, so a cell's four gates are one loop with one exponential.
   */
  static float gate(float x, float s, float t) {
    float e = exp2(x * (-s * LOG2E));
    return Math.fma(-t, e, 1f) / (1f + e);
  }

  static float sigmoid(float x) {
    return gate(x, 1f, 0f);
  }

  static float tanh(float x) {
    return gate(x, 2f, 1f);
  }

  /**
   * One LSTM step for one row ({@link Kernels#lstmCell}): {@code gates} holds {@code x W_ih^T
   * + b_ih} (i, f, g, o; {@code 4n} values) and is overwritten with the activated gates,
   * {@code hg} holds {@code h W_hh^T + b_hh}; {@code c} ({@code n}) goes from {@code c_{t-1}}
   * to {@code c_t} in place; {@code h} ({@code n}) gets {@code o * tanh(c_t)}.
   */
  static void lstmCell(int n, float[] gates, int gOff, float[] hg, int hgOff, float[] c,
      int cOff, float[] h, int hOff) {
    act(2 * n, 1f, 0f, gates, gOff, hg, hgOff, gates, gOff); // i, f
    act(n, 2f, 1f, gates, gOff + 2 * n, hg, hgOff + 2 * n, gates, gOff + 2 * n); // g
    act(n, 1f, 0f, gates, gOff + 3 * n, hg, hgOff + 3 * n, gates, gOff + 3 * n); // o
    for (int j = 0; j < n; j++) { // c = f * c + i * g
      c[cOff + j] = Math.fma(gates[gOff + n + j], c[cOff + j], gates[gOff + j] * gates[gOff + 2 * n + j]);
    }
    act(n, 1f, 1f, c, cOff, c, cOff, h, hOff); // tanh(c), as act(c + c) with s = 1
    for (int j = 0; j < n; j++) {
      h[hOff + j] *= gates[gOff + 3 * n + j]; // o * tanh(c)
    }
  }

  /**
   * One GRU step for one row ({@link Kernels#gruCell}): {@code gates} holds {@code x W_ih^T +
   * b_ih} (r, z, n; {@code 3n} values) and is overwritten with r, z and the new gate n;
   * {@code hg} holds {@code h W_hh^T + b_hh}; {@code h = n + z * (hPrev - n)} with {@code n =
   * tanh(x_n + r * hg_n)}, the reset applied to the hidden term and its bias.
   */
  static void gruCell(int n, float[] gates, int gOff, float[] hg, int hgOff, float[] hPrev,
      int hpOff, float[] h, int hOff) {
    act(2 * n, 1f, 0f, gates, gOff, hg, hgOff, gates, gOff); // r, z
    int nOff = gOff + 2 * n;
    for (int j = 0; j < n; j++) { // x_n + r * hg_n
      gates[nOff + j] = Math.fma(gates[gOff + j], hg[hgOff + 2 * n + j], gates[nOff + j]);
    }
    act(n, 1f, 1f, gates, nOff, gates, nOff, gates, nOff); // tanh, as act(v + v) with s = 1
    for (int j = 0; j < n; j++) {
      float nt = gates[nOff + j];
      h[hOff + j] = Math.fma(gates[gOff + n + j], hPrev[hpOff + j] - nt, nt);
    }
  }

  /**
   * {@code out[j] = gate(x[j] + y[j], s, t)} for {@code j < n} ({@link #gate}): the one loop
   * with an {@code exp}; {@code out} may be {@code x}.
   */
  static void act(int n, float s, float t, float[] x, int xOff, float[] y, int yOff,
      float[] out, int outOff) {
    for (int j = 0; j < n; j++) {
      out[outOff + j] = gate(x[xOff + j] + y[yOff + j], s, t);
    }
  }
}
