package dev.netspec.runtime.kernels;

/**
 * GELU, {@code x * 0.5 * (1 + erf(x / sqrt(2)))}, in float arithmetic: the scalar twin of
 * {@link VectorGelu} (the same operations in the same order, {@code Math.fma} where the
 * vectors fuse, so both give the same floats) and the scalar backend's kernel.
 *
 * <p>{@code erf} is Norbert Juffa's {@code erff}: for {@code |a| <= 0.9277} an odd polynomial,
 * {@code a + a p(a^2)}; beyond, {@code erfc(|a|) = exp(q(|a|))} with a polynomial {@code q}
 * and {@link Gates#exp}. Each is within one ulp of erf. For negative {@code x} the tail uses
 * {@code 1 + erf(a) = erfc(|a|)} directly, so GELU's small negative values do not come from
 * a difference of nearly equal floats; past {@code |a| = 9} erfc is below the smallest normal
 * float and counts as 0, so {@code gelu(-inf)} is NaN as in PyTorch. Against the exact GELU
 * (in double) the result is within {@code 2 ulp + 3e-8 |x|}: closer than PyTorch's own float32
 * kernel, whose vectorized erf is Abramowitz-Stegun 7.1.26 (absolute error 1.5e-7).
 */
final class Gelu {
  private Gelu() {}

  static final float SQRT_HALF = 0.70710678118654752f;
  /** Where the erf polynomial hands over to the erfc one: 475/512. */
  static final float SMALL = 0.927734375f;
  /** Past this |a|, erfc(|a|) < 4e-37: counted as 0. */
  static final float TAIL = 9f;
  // erf(a) = a + a * s(a^2) for |a| <= SMALL
  static final float S0 = -5.96761703e-4f;
  static final float S1 = 4.99119423e-3f;
  static final float S2 = -2.67681349e-2f;
  static final float S3 = 1.12819925e-1f;
  static final float S4 = -3.76125336e-1f;
  static final float S5 = 1.28379166e-1f;
  // erfc(t) = exp(q(t)) for t = |a| > SMALL
  static final float Q0 = -1.72853470e-5f;
  static final float Q1 = 3.83197126e-4f;
  static final float Q2 = -3.88396438e-3f;
  static final float Q3 = 2.42546219e-2f;
  static final float Q4 = -1.06777877e-1f;
  static final float Q5 = -6.34846687e-1f;
  static final float Q6 = -1.28717512e-1f;

  /** GELU of one float; see the class comment. */
  static float gelu(float x) {
    float a = x * SQRT_HALF;
    float t = Math.abs(a);
    float s = a * a;
    float onePlusErf;
    if (t <= SMALL) {
      float p = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(S0, s, S1), s, S2), s, S3), s, S4),
          s, S5);
      onePlusErf = 1f + Math.fma(p, a, a);
    } else {
      float q = Math.fma(Math.fma(Q0, t, Q1), s, Math.fma(Q2, t, Q3));
      q = Math.fma(Math.fma(Math.fma(Math.fma(q, t, Q4), t, Q5), t, Q6), t, -t);
      float erfc = t < TAIL ? Gates.exp(q) : 0f;
      onePlusErf = x < 0f ? erfc : 2f - erfc;
    }
    return x * 0.5f * onePlusErf;
  }

  /** {@code out[i] = gelu(x[i])}; {@code out} may be {@code x}. */
  static void gelu(float[] x, int xOff, float[] out, int outOff, int n) {
    for (int i = 0; i < n; i++) {
      out[outOff + i] = gelu(x[xOff + i]);
    }
  }
}
