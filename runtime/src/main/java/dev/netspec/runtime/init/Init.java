package dev.netspec.runtime.init;

import dev.netspec.runtime.autograd.GradMode;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.DoubleSupplier;

/**
 * PyTorch's initializers ({@code torch.nn.init}) with the same names, defaults, fan and gain
 * rules. Each fills its tensor in place, in row-major order, and returns it; a random one
 * draws only from the {@link Generator} it is given, so a seed gives the same bytes on every
 * JDK and machine:
 *
 * <ul>
 *   <li>uniform: {@code (float) (low + (high - low) * gen.nextDouble())};
 *   <li>normal: {@code (float) (mean + std * gen.nextGaussian())}.
 * </ul>
 *
 * <pre>{@code
 * Init.normal_(linear.weight.data(), 0, 0.01, gen);   // nn.init.normal_(m.weight, 0, 0.01)
 * Init.zeros_(linear.bias.data());                    // nn.init.zeros_(m.bias)
 * }</pre>
 */
public final class Init {
  private static final String[] LINEAR_FNS = {"linear", "conv1d", "conv2d", "conv3d",
      "conv_transpose1d", "conv_transpose2d", "conv_transpose3d"};

  private Init() {}

  /** Fills {@code t} with zeros ({@code zeros_}). */
  public static Tensor zeros_(Tensor t) {
    return constant_(t, 0);
  }

  /** Fills {@code t} with ones ({@code ones_}). */
  public static Tensor ones_(Tensor t) {
    return constant_(t, 1);
  }

  /** Fills {@code t} with {@code value} ({@code constant_}). */
  public static Tensor constant_(Tensor t, double value) {
    try (GradMode.Scope scope = GradMode.noGrad()) { // as torch.nn.init: an edit, not an op
      return t.fill_((float) value);
    }
  }

  /** Draws from U(0, 1) ({@code uniform_(t)}). */
  public static Tensor uniform_(Tensor t, Generator gen) {
    return uniform_(t, 0, 1, gen);
  }

  /** Draws from U(low, high), never {@code high} itself ({@code uniform_(t, a, b)}). */
  public static Tensor uniform_(Tensor t, double low, double high, Generator gen) {
    if (!(low <= high)) {
      throw new IllegalArgumentException(
          "uniform_ expects low <= high, but found low=" + low + " > high=" + high);
    }
    return fill(t, () -> gen.nextFloat(low, high));
  }

  /** Draws from N(0, 1) ({@code normal_(t)}). */
  public static Tensor normal_(Tensor t, Generator gen) {
    return normal_(t, 0, 1, gen);
  }

  /** Draws from N(mean, std²) ({@code normal_(t, mean, std)}). */
  public static Tensor normal_(Tensor t, double mean, double std, Generator gen) {
    if (!(std >= 0)) {
      throw new IllegalArgumentException("normal_ expects std >= 0.0, but found std " + std);
    }
    return fill(t, () -> mean + std * gen.nextGaussian());
  }

  /** Glorot uniform with gain 1 ({@code xavier_uniform_(t)}). */
  public static Tensor xavierUniform_(Tensor t, Generator gen) {
    return xavierUniform_(t, 1, gen);
  }

  /**
   * Glorot uniform ({@code xavier_uniform_}): U(-a, a) with
   * {@code a = gain * sqrt(6 / (fan_in + fan_out))}.
   */
  public static Tensor xavierUniform_(Tensor t, double gain, Generator gen) {
    double bound = Math.sqrt(3.0) * xavierStd(t, gain);
    return uniform_(t, -bound, bound, gen);
  }

  /** Glorot normal with gain 1 ({@code xavier_normal_(t)}). */
  public static Tensor xavierNormal_(Tensor t, Generator gen) {
    return xavierNormal_(t, 1, gen);
  }

  /**
   * Glorot normal ({@code xavier_normal_}): N(0, std²) with
   * {@code std = gain * sqrt(2 / (fan_in + fan_out))}.
   */
  public static Tensor xavierNormal_(Tensor t, double gain, Generator gen) {
    return normal_(t, 0, xavierStd(t, gain), gen);
  }

  private static double xavierStd(Tensor t, double gain) {
    Fans f = fans(t.shape());
    return gain * Math.sqrt(2.0 / (f.fanIn() + f.fanOut()));
  }

  /** He uniform with PyTorch's defaults: {@code a = 0, "fan_in", "leaky_relu"}. */
  public static Tensor kaimingUniform_(Tensor t, Generator gen) {
    return kaimingUniform_(t, 0, "fan_in", "leaky_relu", gen);
  }

  /**
   * He uniform ({@code kaiming_uniform_}): U(-b, b) with
   * {@code b = sqrt(3) * gain / sqrt(fan)}, {@code gain = calculateGain(nonlinearity, a)} and
   * {@code fan} the fan-in or fan-out per {@code mode}. A tensor without elements is left
   * as it is.
   *
   * @param a the negative slope of the rectifier after this layer (for "leaky_relu")
   * @param mode "fan_in" (preserves the forward variance) or "fan_out" (the backward's)
   */
  public static Tensor kaimingUniform_(Tensor t, double a, String mode, String nonlinearity,
      Generator gen) {
    if (t.numel() == 0) {
      return t;
    }
    double bound = Math.sqrt(3.0) * kaimingStd(t, a, mode, nonlinearity);
    return uniform_(t, -bound, bound, gen);
  }

  /** He normal with PyTorch's defaults: {@code a = 0, "fan_in", "leaky_relu"}. */
  public static Tensor kaimingNormal_(Tensor t, Generator gen) {
    return kaimingNormal_(t, 0, "fan_in", "leaky_relu", gen);
  }

  /**
   * He normal ({@code kaiming_normal_}): N(0, std²) with
   * {@code std = gain / sqrt(fan)}; arguments as in
   * {@link #kaimingUniform_(Tensor, double, String, String, Generator)}.
   */
  public static Tensor kaimingNormal_(Tensor t, double a, String mode, String nonlinearity,
      Generator gen) {
    if (t.numel() == 0) {
      return t;
    }
    return normal_(t, 0, kaimingStd(t, a, mode, nonlinearity), gen);
  }

  private static double kaimingStd(Tensor t, double a, String mode, String nonlinearity) {
    String m = mode.toLowerCase(Locale.ROOT);
    Fans f = fans(t.shape());
    int fan;
    if (m.equals("fan_in")) {
      fan = f.fanIn();
    } else if (m.equals("fan_out")) {
      fan = f.fanOut();
    } else {
      throw new IllegalArgumentException(
          "Mode " + m + " not supported, please use one of ['fan_in', 'fan_out']");
    }
    return calculateGain(nonlinearity, a) / Math.sqrt(fan);
  }

  /** {@link #calculateGain(String, double)} with PyTorch's default slope (0.01). */
  public static double calculateGain(String nonlinearity) {
    return calculateGain(nonlinearity, 0.01);
  }

  /**
   * The recommended gain for a nonlinearity ({@code calculate_gain}): 1 for linear, conv
   * and sigmoid, 5/3 for tanh, √2 for relu, {@code sqrt(2 / (1 + slope²))} for leaky_relu
   * and 3/4 for selu. {@code param} is the leaky_relu negative slope, ignored otherwise.
   *
   * @throws IllegalArgumentException for any other name
   */
  public static double calculateGain(String nonlinearity, double param) {
    if (Arrays.asList(LINEAR_FNS).contains(nonlinearity) || "sigmoid".equals(nonlinearity)) {
      return 1;
    }
    switch (String.valueOf(nonlinearity)) {
      case "tanh":
        return 5.0 / 3;
      case "relu":
        return Math.sqrt(2.0);
      case "leaky_relu":
        if (!Double.isFinite(param)) {
          throw new IllegalArgumentException("negative_slope " + param + " not a valid number");
        }
        return Math.sqrt(2.0 / (1 + param * param));
      case "selu":
        return 3.0 / 4;
      default:
        throw new IllegalArgumentException("Unsupported nonlinearity " + nonlinearity);
    }
  }

  /**
   * The fans of a weight of this shape ({@code _calculate_fan_in_and_fan_out}):
   * {@code fan_in = shape[1] * r}, {@code fan_out = shape[0] * r}, with {@code r} the
   * product of the dims after the second (the receptive field of a conv kernel).
   *
   * @throws IllegalArgumentException for fewer than 2 dims
   */
  public static Fans fans(int... shape) {
    if (shape.length < 2) {
      throw new IllegalArgumentException("Fan in and fan out can not be computed for tensor "
          + "with fewer than 2 dimensions");
    }
    long receptive = 1;
    for (int i = 2; i < shape.length; i++) {
      receptive *= shape[i];
    }
    return new Fans(Math.toIntExact(shape[1] * receptive),
        Math.toIntExact(shape[0] * receptive));
  }

  /** The fan-in and fan-out of a weight tensor. */
  public record Fans(int fanIn, int fanOut) {}

  /** Fills {@code t} in row-major order with draws from {@code next}. */
  private static Tensor fill(Tensor t, DoubleSupplier next) {
    // torch.nn.init runs under no_grad: initializing a leaf that requires grad is allowed
    try (GradMode.Scope scope = GradMode.noGrad()) {
      // mapInPlace visits elements in row-major order and rounds each double to float once
      return t.mapInPlace(ignored -> next.getAsDouble());
    }
  }
}
