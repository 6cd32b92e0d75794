package dev.netspec.runtime.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.util.function.ToDoubleFunction;

/**
 * Double-precision central differences: the independent oracle for every derivative. A
 * scalar function {@code L(x)} written in double in the test (usually {@code sum(y * g)} with
 * a reference forward) is probed at {@code x +- h e_i}.
 */
public final class FiniteDifferences {
  private static final double H = 1e-6;

  private FiniteDifferences() {}

  /** {@code d L / d x_i = (L(x + h e_i) - L(x - h e_i)) / 2h} for every i. */
  public static double[] gradient(ToDoubleFunction<double[]> loss, double[] x) {
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      double keep = x[i];
      x[i] = keep + H;
      double up = loss.applyAsDouble(x);
      x[i] = keep - H;
      double down = loss.applyAsDouble(x);
      x[i] = keep;
      out[i] = (up - down) / (2 * H);
    }
    return out;
  }

  /**
   * The numeric gradient of {@code sum(f(in) * g)} with respect to input {@code which} of a
   * reference forward {@code f} over several double arrays.
   */
  public static double[] numeric(java.util.function.Function<double[][], double[]> f,
      double[][] in, int which, double[] g) {
    return gradient(x -> {
      double[][] args = in.clone();
      args[which] = x;
      return dot(f.apply(args), g);
    }, in[which].clone());
  }

  /** {@code sum(y * g)} in double. */
  public static double dot(double[] y, double[] g) {
    double s = 0;
    for (int i = 0; i < y.length; i++) {
      s += y[i] * g[i];
    }
    return s;
  }

  /** A tensor's values widened to double. */
  public static double[] values(Tensor t) {
    float[] f = t.toFloatArray();
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }

  /** Seeded standard-normal values (float32, as the tensors hold them). */
  public static Tensor randn(long seed, int... shape) {
    return Tensor.randn(new Generator(seed), shape);
  }

  /**
   * Asserts our float gradient equals the numeric one within {@code 1e-4 * (1 + |numeric|)}
   * (float rounding of the analytic result against the difference's truncation error).
   */
  public static void assertMatches(double[] numeric, Tensor analytic, String what) {
    float[] a = analytic.toFloatArray();
    assertEquals(numeric.length, a.length, what + ": size");
    for (int i = 0; i < a.length; i++) {
      double tol = 1e-4 * (1 + Math.abs(numeric[i]));
      assertEquals(numeric[i], a[i], tol, what + ": [" + i + "] (tolerance " + tol + ")");
    }
  }
}
