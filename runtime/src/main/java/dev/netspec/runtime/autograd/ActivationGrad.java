package dev.netspec.runtime.autograd;

import dev.netspec.runtime.kernels.Erf;
import dev.netspec.runtime.kernels.Kernels;
import dev.netspec.runtime.tensor.Tensor;
import java.util.Arrays;

/**
 * The derivatives of the elementwise activations, PyTorch's formulas ({@code
 * threshold_backward}, {@code tanh_backward}, {@code sigmoid_backward}, {@code
 * gelu_backward}, {@code silu_backward}, {@code leaky_relu_backward}, {@code clamp_backward});
 * each reads what PyTorch saves: relu, tanh and sigmoid their output {@code y}, gelu, silu,
 * leaky_relu and clamp their input {@code x}. Each result is computed in double and rounded once.
 */
public final class ActivationGrad {
  private static final double SQRT_HALF = Math.sqrt(0.5);
  /** {@code 1 / sqrt(2 pi)}: the standard normal density's factor. */
  private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
  private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
  private static final double KAPPA = 0.044715;

  private ActivationGrad() {}

  /** {@code d relu / d x}: {@code y <= 0 ? 0 : g} (0 at 0; NaN passes the gradient). */
  public static Tensor relu(Tensor gradOutput, Tensor y) {
    return reluInto(gradOutput, y, like(gradOutput));
  }

  /** {@link #relu} written into {@code out}; returns {@code out}. */
  public static Tensor reluInto(Tensor gradOutput, Tensor y, Tensor out) {
    check(gradOutput, y, out);
    Tensor g = gradOutput.contiguous();
    Tensor s = y.contiguous();
    // The vector kernel's compare and blend: a scalar branch here mispredicted on every
    // other element (a CNN's ReLUs on the tape).
    Kernels.reluBackward(g.array(), g.arrayOffset(), s.array(), s.arrayOffset(), out.array(),
        out.arrayOffset(), Math.toIntExact(out.numel()));
    out.bumpVersion();
    return out;
  }

  /** {@code d tanh / d x}: {@code g * (1 - y^2)}. */
  public static Tensor tanh(Tensor gradOutput, Tensor y) {
    return tanhInto(gradOutput, y, like(gradOutput));
  }

  /** {@link #tanh} written into {@code out}; returns {@code out}. */
  public static Tensor tanhInto(Tensor gradOutput, Tensor y, Tensor out) {
    return map(gradOutput, y, out, (g, v) -> g * (1 - v * v));
  }

  /** {@code d sigmoid / d x}: {@code g * (1 - y) * y}. */
  public static Tensor sigmoid(Tensor gradOutput, Tensor y) {
    return sigmoidInto(gradOutput, y, like(gradOutput));
  }

  /** {@link #sigmoid} written into {@code out}; returns {@code out}. */
  public static Tensor sigmoidInto(Tensor gradOutput, Tensor y, Tensor out) {
    return map(gradOutput, y, out, (g, v) -> g * (1 - v) * v);
  }

  /** {@code d gelu / d x}, exact GELU: {@code g * (Phi(x) + x * phi(x))}. */
  public static Tensor gelu(Tensor gradOutput, Tensor x) {
    return geluInto(gradOutput, x, like(gradOutput));
  }

  /** {@link #gelu} written into {@code out}; returns {@code out}. */
  public static Tensor geluInto(Tensor gradOutput, Tensor x, Tensor out) {
    return map(gradOutput, x, out, (g, v) -> {
      double cdf = 0.5 * (1 + Erf.erf(v * SQRT_HALF));
      double pdf = INV_SQRT_2PI * Math.exp(-0.5 * v * v);
      return g * (cdf + v * pdf);
    });
  }

  /**
   * {@code d gelu / d x} for {@code approximate='tanh'}: with {@code u = sqrt(2/pi) (x +
   * 0.044715 x^3)}, {@code g * (0.5 (1 + tanh u) + 0.5 x (1 - tanh^2 u) sqrt(2/pi) (1 + 3 *
   * 0.044715 x^2))}.
   */
  public static Tensor geluTanh(Tensor gradOutput, Tensor x) {
    return geluTanhInto(gradOutput, x, like(gradOutput));
  }

  /** {@link #geluTanh} written into {@code out}; returns {@code out}. */
  public static Tensor geluTanhInto(Tensor gradOutput, Tensor x, Tensor out) {
    return map(gradOutput, x, out, (g, v) -> {
      double t = Math.tanh(SQRT_2_OVER_PI * (v + KAPPA * v * v * v));
      double left = 0.5 * (1 + t);
      double right = 0.5 * v * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * KAPPA * v * v);
      return g * (left + right);
    });
  }

  /** {@code d silu / d x}: with {@code s = sigmoid(x)}, {@code g * s * (1 + x * (1 - s))}. */
  public static Tensor silu(Tensor gradOutput, Tensor x) {
    return map(gradOutput, x, like(gradOutput), (g, v) -> {
      double s = 1 / (1 + Math.exp(-v));
      return g * s * (1 + v * (1 - s));
    });
  }

  /** {@code d leaky_relu / d x}: {@code x > 0 ? g : g * slope} ({@code slope} at 0 and at NaN, as PyTorch). */
  public static Tensor leakyRelu(Tensor gradOutput, Tensor x, double slope) {
    return map(gradOutput, x, like(gradOutput), (g, v) -> v > 0 ? g : g * slope);
  }

  /**
   * {@code d clamp / d x}: {@code g} where {@code min <= x <= max} (the bounds included), 0
   * elsewhere and at NaN, as PyTorch's {@code clamp_backward}; an absent bound is infinite.
   */
  public static Tensor clamp(Tensor gradOutput, Tensor x, double min, double max) {
    return map(gradOutput, x, like(gradOutput), (g, v) -> v >= min && v <= max ? g : 0);
  }

  /** Records {@code y = silu(x)} ({@code SiluBackward0}, saving {@code x}); returns {@code y}. */
  public static Tensor recordSilu(Tensor x, Tensor y) {
    return Autograd.record("SiluBackward0", y, new Tensor[] {x}, new Tensor[] {x},
        (g, s) -> new Tensor[] {silu(g, s[0])});
  }

  /** Records {@code y = leaky_relu(x, slope)} ({@code LeakyReluBackward0}, saving {@code x}); returns {@code y}. */
  public static Tensor recordLeakyRelu(Tensor x, double slope, Tensor y) {
    return Autograd.record("LeakyReluBackward0", y, new Tensor[] {x}, new Tensor[] {x},
        (g, s) -> new Tensor[] {leakyRelu(g, s[0], slope)});
  }

  /** Records {@code y = clamp(x, min, max)} ({@code ClampBackward1}, saving {@code x}); returns {@code y}. */
  public static Tensor recordClamp(Tensor x, double min, double max, Tensor y) {
    return Autograd.record("ClampBackward1", y, new Tensor[] {x}, new Tensor[] {x},
        (g, s) -> new Tensor[] {clamp(g, s[0], min, max)});
  }

  private interface Rule {
    double apply(double g, double v);
  }

  private static Tensor map(Tensor gradOutput, Tensor saved, Tensor out, Rule rule) {
    check(gradOutput, saved, out);
    Tensor g = gradOutput.contiguous();
    Tensor s = saved.contiguous();
    float[] ga = g.array();
    float[] sa = s.array();
    float[] oa = out.array();
    int go = g.arrayOffset();
    int so = s.arrayOffset();
    int oo = out.arrayOffset();
    int n = Math.toIntExact(out.numel());
    for (int i = 0; i < n; i++) {
      oa[oo + i] = (float) rule.apply(ga[go + i], sa[so + i]);
    }
    out.bumpVersion();
    return out;
  }

  private static void check(Tensor gradOutput, Tensor saved, Tensor out) {
    if (!Arrays.equals(gradOutput.shape(), saved.shape())
        || !Arrays.equals(gradOutput.shape(), out.shape()) || !out.isContiguous()) {
      throw new IllegalArgumentException("activation backward: gradOutput "
          + Arrays.toString(gradOutput.shape()) + ", saved " + Arrays.toString(saved.shape())
          + " and output " + Arrays.toString(out.shape()) + " must have one shape (the output"
          + " contiguous)");
    }
  }

  static Tensor like(Tensor t) {
    return Tensor.zeros(t.shape());
  }
}
