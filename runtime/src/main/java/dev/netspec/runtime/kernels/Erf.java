package dev.netspec.runtime.kernels;

/**
 * The error function in double precision, for GELU's derivative (GELU itself is {@link Gelu},
 * in float arithmetic, vectorized).
 *
 * <p>{@code erf} uses two expansions, each accurate to about 1e-15 where it is used:
 * for {@code |x| < 3} the series {@code erf(x) = 2/sqrt(pi) * exp(-x^2) *
 * sum_n 2^n x^(2n+1) / (1*3*...*(2n+1))}, whose terms are all positive (no cancellation);
 * beyond, {@code erfc(x) = exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...))))}
 * evaluated by the modified Lentz method.
 */
public final class Erf {
  private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;
  private static final double ONE_OVER_SQRT_PI = 0.5641895835477563;

  private Erf() {}

  /** {@code erf(x)}, with an absolute error below 1e-15. */
  public static double erf(double x) {
    if (Double.isNaN(x)) {
      return x;
    }
    double a = Math.abs(x);
    double r;
    if (a < 3.0) {
      r = series(a);
    } else if (a < 6.0) {
      r = 1.0 - erfcContinuedFraction(a);
    } else {
      r = 1.0;
    }
    return x < 0 ? -r : r;
  }

  /** {@code erfc(x) = 1 - erf(x)}, without the cancellation for large {@code x}. */
  static double erfc(double x) {
    return x >= 3.0 && x < Double.POSITIVE_INFINITY ? erfcContinuedFraction(x) : 1.0 - erf(x);
  }

  private static double series(double a) {
    double a2 = a * a;
    double term = a;
    double sum = a;
    for (int n = 1; term > 1e-17 * sum; n++) {
      term *= 2.0 * a2 / (2 * n + 1);
      sum += term;
    }
    return TWO_OVER_SQRT_PI * Math.exp(-a2) * sum;
  }

  /** erfc(a) for a >= 3: the continued fraction a + (1/2)/(a + 1/(a + (3/2)/(a + ...))). */
  private static double erfcContinuedFraction(double a) {
    final double tiny = 1e-300;
    double f = a;
    double c = a;
    double d = 0;
    for (int n = 1; n < 200; n++) {
      double an = n * 0.5;
      d = a + an * d;
      d = d == 0 ? tiny : d;
      c = a + an / c;
      c = c == 0 ? tiny : c;
      d = 1.0 / d;
      double delta = c * d;
      f *= delta;
      if (Math.abs(delta - 1.0) < 1e-16) {
        break;
      }
    }
    return ONE_OVER_SQRT_PI * Math.exp(-a * a) / f;
  }
}
