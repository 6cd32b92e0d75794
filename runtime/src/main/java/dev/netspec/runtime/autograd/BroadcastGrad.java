package dev.netspec.runtime.autograd;

import dev.netspec.runtime.kernels.BinaryOp;
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

  /**
   * Records {@code out = a op b} (broadcast): {@code AddBackward0}, {@code SubBackward0},
   * {@code MulBackward0}, {@code DivBackward0}, {@code MaximumBackward0}, {@code
   * MinimumBackward0}. Returns {@code out}.
   */
  public static Tensor record(BinaryOp op, Tensor a, Tensor b, Tensor out) {
    if (!Autograd.isRecording(a, b)) {
      return out;
    }
    int[] as = a.shape();
    int[] bs = b.shape();
    Tensor[] in = {a, b};
    return switch (op) {
      case ADD -> Autograd.record("AddBackward0", out, in, new Tensor[0],
          (g, s) -> pair(add(g, as, bs)));
      case SUB -> Autograd.record("SubBackward0", out, in, new Tensor[0],
          (g, s) -> pair(sub(g, as, bs)));
      case MUL -> Autograd.record("MulBackward0", out, in, in,
          (g, s) -> pair(mul(g, s[0], s[1])));
      case DIV -> Autograd.record("DivBackward0", out, in, in,
          (g, s) -> pair(div(g, s[0], s[1])));
      case MAX, MIN -> Autograd.record(op == BinaryOp.MAX ? "MaximumBackward0"
          : "MinimumBackward0", out, in, in, (g, s) -> pair(extremum(g, s[0], s[1], op == BinaryOp.MAX)));
    };
  }

  /**
   * Records {@code out = a op s} for a number {@code s}, which PyTorch wraps as a tensor: the
   * same names as {@link #record(BinaryOp, Tensor, Tensor, Tensor)}.
   */
  public static Tensor recordScalar(BinaryOp op, Tensor a, float s, Tensor out) {
    return Autograd.recordUnary(switch (op) {
      case ADD -> "AddBackward0";
      case SUB -> "SubBackward0";
      case MUL -> "MulBackward0";
      case DIV -> "DivBackward0";
      default -> throw new IllegalArgumentException("no scalar form of " + op);
    }, a, out, g -> switch (op) {
      case MUL -> UnaryGrad.mulScalar(g, s);
      case DIV -> UnaryGrad.divScalar(g, s);
      default -> g;
    });
  }

  /**
   * {@code maximum(a, b)} ({@code max}) or {@code minimum(a, b)} given the output's gradient:
   * it goes to the operand chosen, half to each where they tie (PyTorch's rule).
   */
  static Pair extremum(Tensor gradOutput, Tensor a, Tensor b, boolean max) {
    int[] shape = gradOutput.shape();
    Tensor ae = a.expand(shape);
    Tensor be = b.expand(shape);
    Tensor toA = ae.zip(be, (x, y) -> x == y ? 0.5 : (max ? x > y : x < y) ? 1 : 0);
    Tensor toB = ae.zip(be, (x, y) -> x == y ? 0.5 : (max ? x < y : x > y) ? 1 : 0);
    return new Pair(Grads.sumTo(gradOutput.mul(toA), a.shape()),
        Grads.sumTo(gradOutput.mul(toB), b.shape()));
  }

  private static Tensor[] pair(Pair p) {
    return new Tensor[] {p.a(), p.b()};
  }
}
