package dev.netspec.runtime.autograd;

import dev.netspec.runtime.tensor.Tensor;

/**
 * The derivatives of the elementwise math ops and of a tensor scaled by a constant, PyTorch's
 * formulas, each reading what PyTorch saves: {@code exp} and {@code sqrt} their output
 * {@code y}, the others their input {@code x}. The activations are in {@link
 * ActivationGrad}.
 */
public final class UnaryGrad {
  private UnaryGrad() {}

  /** {@code d exp / d x = y}: {@code g * y}. */
  public static Tensor exp(Tensor gradOutput, Tensor y) {
    return gradOutput.mul(y);
  }

  /** {@code d log / d x = 1 / x}: {@code g / x}. */
  public static Tensor log(Tensor gradOutput, Tensor x) {
    return gradOutput.div(x);
  }

  /** {@code d |x| / d x = sgn(x)}: 0 at 0 (and at NaN, as PyTorch's {@code sgn}). */
  public static Tensor abs(Tensor gradOutput, Tensor x) {
    return gradOutput.zip(x, (g, v) -> v > 0 ? g : v < 0 ? -g : 0);
  }

  /** {@code d (-x) / d x = -1}. */
  public static Tensor neg(Tensor gradOutput) {
    return gradOutput.neg();
  }

  /** {@code d sqrt / d x = 1 / (2 y)}: {@code g / (2 y)}. */
  public static Tensor sqrt(Tensor gradOutput, Tensor y) {
    return gradOutput.div(y.mul(2f));
  }

  /**
   * {@code d x^e / d x = e x^(e - 1)}, in double per element; 0 for {@code e = 0} (as
   * PyTorch, even where {@code x^-1} is infinite).
   */
  public static Tensor pow(Tensor gradOutput, Tensor x, double exponent) {
    if (exponent == 0) {
      return Tensor.zeros(gradOutput.shape());
    }
    return gradOutput.zip(x, (g, v) -> g * exponent * Math.pow(v, exponent - 1));
  }

  /** {@code x * s} and {@code s * x} for a constant {@code s}: {@code g * s}. */
  public static Tensor mulScalar(Tensor gradOutput, float s) {
    return gradOutput.mul(s);
  }

  /** {@code x / s} for a constant {@code s}: {@code g / s}. */
  public static Tensor divScalar(Tensor gradOutput, float s) {
    return gradOutput.div(s);
  }
}
