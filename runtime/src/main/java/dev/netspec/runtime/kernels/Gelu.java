package dev.netspec.runtime.kernels;

/**
 * GELU, {@code x * 0.5 * (1 + erf(x / sqrt(2)))}, in float arithmetic: the scalar twin of
 * {@link VectorGelu} (the same operations in the same order, {@code Math.fma} where the
 * vectors fuse, so both give the same floats) and the scalar backend's kernel.
 *
 * <p>{@code erf(a)} is one rational function, {@code a p(a^2) / q(a^2)} with {@code p} of
 * degree 4 and {@code q} of degree 6 (the interpolant Eigen and XLA use for float erf), on
 * {@code a} clamped to {@code [-C, C]}, {@code C = 3.8325}, where it is exactly {@code +-1}:
 * no branch and no {@code exp}, about half the operations of an {@code exp}-based erfc tail
 * and a polynomial for small {@code |a|} evaluated side by side. Its absolute error is below
 * {@code 3.3e-7} everywhere (largest just inside the clamp), so GELU's is below {@code 2.2e-7
 * |x|} plus rounding: the accuracy class of PyTorch's own float32 kernel, whose vectorized erf
 * is Abramowitz-Stegun 7.1.26 (absolute error 1.5e-7). For negative {@code x} the small outputs
 * are {@code x/2 (1 + erf(a))} with that absolute error, not a relative one (as PyTorch's);
 * past the clamp {@code 1 + erf(a)} is exactly 0, so {@code gelu(-20)} is {@code -0.0} and
 * {@code gelu(-inf)} is NaN as in PyTorch.
 */
final class Gelu {
  private Gelu() {}

  static final float SQRT_HALF = 0.70710678118654752f;
  /** Where erf is clamped: the rational below is exactly 1 there. */
  static final float CLAMP = 3.832506856900711f;
  // erf(a) = a p(a^2) / q(a^2)
  static final float P0 = 2.2905065861350646e-4f;
  static final float P1 = 3.4082910107109506e-3f;
  static final float P2 = 5.0955695062380861e-2f;
  static final float P3 = 1.8520832239976145e-1f;
  static final float P4 = 1.128379143519084f;
  static final float Q0 = -1.1791602954361697e-7f;
  static final float Q1 = 2.3547966471313185e-5f;
  static final float Q2 = 1.0179625278914885e-3f;
  static final float Q3 = 1.4070470171167667e-2f;
  static final float Q4 = 1.1098505178285362e-1f;
  static final float Q5 = 4.9746925110067538e-1f;

  /** GELU of one float; see the class comment. */
  static float gelu(float x) {
    return x * 0.5f * (1f + erf(x * SQRT_HALF));
  }

  /** {@code erf(a)} as GELU computes it: within 3.3e-7 of exact. */
  static float erf(float a) {
    float t = Math.min(Math.max(a, -CLAMP), CLAMP);
    float s = t * t;
    float p = Math.fma(Math.fma(Math.fma(Math.fma(P0, s, P1), s, P2), s, P3), s, P4) * t;
    float q = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Q0, s, Q1), s, Q2), s, Q3),
        s, Q4), s, Q5), s, 1f);
    return p / q;
  }

  /** {@code out[i] = gelu(x[i])}; {@code out} may be {@code x}. */
  static void gelu(float[] x, int xOff, float[] out, int outOff, int n) {
    for (int i = 0; i < n; i++) {
      out[outOff + i] = gelu(x[xOff + i]);
    }
  }
}
