package dev.netspec.runtime.kernels;

/**
 * Elementwise unary operations. {@code NEG}, {@code ABS}, {@code RELU} and {@code SQRT} have
 * vector kernels, and so has {@code GELU} (float arithmetic, {@link Gelu}, the same floats on
 * every backend); the other transcendental ones run as scalar loops in double precision on
 * every backend (each result is rounded to float once, so they are at least as accurate as
 * PyTorch's float32 kernels).
 */
public enum UnaryOp {
  NEG,
  ABS,
  /** {@code x < 0 ? 0 : x}: NaN and {@code -0.0} pass through unchanged, as in PyTorch. */
  RELU,
  SQRT,
  EXP,
  LOG,
  SIGMOID,
  TANH,
  /**
   * GELU, {@code x * 0.5 * (1 + erf(x / sqrt(2)))}, PyTorch's default (with PyTorch's
   * float accuracy, {@link Gelu}).
   */
  GELU;

  /** PyTorch's ReLU on one value: {@code x < 0 ? 0 : x} ({@code relu(-0.0)} is {@code -0.0}). */
  static float relu(float x) {
    return x < 0f ? 0f : x;
  }

  /** The scalar definition, shared by every backend. */
  float apply(float x) {
    switch (this) {
      case NEG:
        return -x;
      case ABS:
        return Math.abs(x);
      case RELU:
        return relu(x);
      case SQRT:
        return (float) Math.sqrt(x);
      case EXP:
        return (float) Math.exp(x);
      case LOG:
        return (float) Math.log(x);
      case SIGMOID:
        return (float) (1.0 / (1.0 + Math.exp(-(double) x)));
      case TANH:
        return (float) Math.tanh(x);
      default:
        return Gelu.gelu(x);
    }
  }
}
