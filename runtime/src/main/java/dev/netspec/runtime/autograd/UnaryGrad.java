package dev.netspec.runtime.autograd;

import dev.netspec.runtime.kernels.UnaryOp;
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

  /**
   * Records {@code y = op(x)} with PyTorch's node ({@code ExpBackward0}, {@code
   * ReluBackward0}, ...), saving what its derivative reads: the output for exp, sqrt, relu,
   * sigmoid and tanh, the input for the others. Returns {@code y}.
   */
  public static Tensor record(UnaryOp op, Tensor x, Tensor y) {
    if (!Autograd.isRecording(x)) {
      return y;
    }
    Tensor[] in = {x};
    String name = switch (op) {
      case NEG -> "NegBackward0";
      case ABS -> "AbsBackward0";
      case RELU -> "ReluBackward0";
      case SQRT -> "SqrtBackward0";
      case EXP -> "ExpBackward0";
      case LOG -> "LogBackward0";
      case SIGMOID -> "SigmoidBackward0";
      case TANH -> "TanhBackward0";
      case GELU -> "GeluBackward0";
    };
    boolean savesOutput = switch (op) {
      case SQRT, EXP, RELU, SIGMOID, TANH -> true;
      default -> false;
    };
    return Autograd.record(name, y, in, new Tensor[] {savesOutput ? y : x},
        (g, s) -> new Tensor[] {switch (op) {
          case NEG -> neg(g);
          case ABS -> abs(g, s[0]);
          case RELU -> ActivationGrad.relu(g, s[0]);
          case SQRT -> sqrt(g, s[0]);
          case EXP -> exp(g, s[0]);
          case LOG -> log(g, s[0]);
          case SIGMOID -> ActivationGrad.sigmoid(g, s[0]);
          case TANH -> ActivationGrad.tanh(g, s[0]);
          case GELU -> ActivationGrad.gelu(g, s[0]);
        }});
  }

  /** Records {@code y = gelu(x, approximate='tanh')} ({@code GeluBackward0}); returns {@code y}. */
  public static Tensor recordGeluTanh(Tensor x, Tensor y) {
    return Autograd.record("GeluBackward0", y, new Tensor[] {x}, new Tensor[] {x},
        (g, s) -> new Tensor[] {ActivationGrad.geluTanh(g, s[0])});
  }

  /** Records {@code y = x ** exponent} ({@code PowBackward0}); returns {@code y}. */
  public static Tensor recordPow(Tensor x, float exponent, Tensor y) {
    return Autograd.record("PowBackward0", y, new Tensor[] {x}, new Tensor[] {x},
        (g, s) -> new Tensor[] {pow(g, s[0], exponent)});
  }

  /**
   * Records {@code y = x ** e} for a tensor {@code e} ({@code PowBackward1}): {@code grad x =
   * g e x^(e-1)}, {@code grad e = g y log x} (0 where {@code x = 0} and {@code e >= 0}, as
   * PyTorch), each summed back to its operand's shape. Returns {@code y}.
   */
  public static Tensor recordPow(Tensor x, Tensor e, Tensor y) {
    Tensor[] in = {x, e};
    return Autograd.record("PowBackward1", y, in, new Tensor[] {x, e, y}, (g, s) -> {
      int[] shape = g.shape();
      Tensor xe = s[0].expand(shape);
      Tensor ee = s[1].expand(shape);
      Tensor gx = g.mul(ee.zip(xe, (p, v) -> p == 0 ? 0 : p * Math.pow(v, p - 1)));
      Tensor ge = g.mul(s[2].zip(xe, (out, v) -> v == 0 ? 0 : out * Math.log(v)));
      return new Tensor[] {Grads.sumTo(gx, s[0].shape()), Grads.sumTo(ge, s[1].shape())};
    });
  }
}
