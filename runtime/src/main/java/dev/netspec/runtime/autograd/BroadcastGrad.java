package dev.netspec.runtime.autograd;

import dev.netspec.runtime.tensor.Tensor;

/**
 * The derivatives of the broadcasting binary ops {@code a + b}, {@code a - b}, {@code a * b}
 * and {@code a / b}: each operand's gradient is the elementwise rule summed back to the
 * operand's shape ({@link Grads#sumTo}). A scalar operand ({@code x * 2.0}) is the rule with
 * a constant: {@code g * 2.0}.
 */
public final class BroadcastGrad {
  private BroadcastGrad() {}

  /** The gradients of {@code a} and {@code b} in one binary op. */
  public record Pair(Tensor a, Tensor b) {}

  /** {@code a + b}: {@code (sumTo(g, a), sumTo(g, b))}. */
  public static Pair add(Tensor gradOutput, int[] aShape, int[] bShape) {
    return new Pair(Grads.sumTo(gradOutput, aShape), Grads.sumTo(gradOutput, bShape));
  }

  /** {@code a - b}: {@code (sumTo(g, a), -sumTo(g, b))}. */
  public static Pair sub(Tensor gradOutput, int[] aShape, int[] bShape) {
    return new Pair(Grads.sumTo(gradOutput, aShape), Grads.sumTo(gradOutput, bShape).neg());
  }

  /** {@code a * b}: {@code (sumTo(g * b, a), sumTo(g * a, b))}. */
  public static Pair mul(Tensor gradOutput, Tensor a, Tensor b) {
    return new Pair(Grads.sumTo(gradOutput.mul(b), a.shape()),
        Grads.sumTo(gradOutput.mul(a), b.shape()));
  }

  /** {@code a / b}: {@code (sumTo(g / b, a), sumTo(-g * a / b^2, b))}. */
  public static Pair div(Tensor gradOutput, Tensor a, Tensor b) {
    Tensor ga = gradOutput.div(b);
    return new Pair(Grads.sumTo(ga, a.shape()), Grads.sumTo(ga.mul(a).div(b).neg(), b.shape()));
  }
}
