package dev.netspec.runtime.autograd;

import dev.netspec.runtime.tensor.Tensor;

/**
 * The derivative of {@code torch.matmul(a, b)}, every case of its shape rule: 1-D operands
 * are promoted to matrices as the forward promotes them, the products run on the GEMM kernel
 * ({@link Tensor#matmul}) and broadcast batch dims are summed back ({@link Grads#sumTo}):
 *
 * <pre>
 * grad a = g @ b^T      grad b = a^T @ g
 * </pre>
 */
public final class MatMulGrad {
  private MatMulGrad() {}

  /** The gradients of {@code a} and {@code b}, shaped as they are. */
  public static BroadcastGrad.Pair backward(Tensor gradOutput, Tensor a, Tensor b) {
    Tensor a2 = a.dim() == 1 ? a.unsqueeze(0) : a; // (..., m, k)
    Tensor b2 = b.dim() == 1 ? b.unsqueeze(1) : b; // (..., k, n)
    Tensor g = gradOutput;
    if (b.dim() == 1) {
      g = g.unsqueeze(g.dim()); // the n = 1 the forward removed
    }
    if (a.dim() == 1) {
      g = g.unsqueeze(g.dim() - 1); // the m = 1 the forward removed
    }
    Tensor ga = Grads.sumTo(g.matmul(b2.transpose(-1, -2)), a2.shape()).reshape(a.shape());
    Tensor gb = Grads.sumTo(a2.transpose(-1, -2).matmul(g), b2.shape()).reshape(b.shape());
    return new BroadcastGrad.Pair(ga, gb);
  }

  /**
   * Records {@code out = a @ b} with PyTorch 1.13's node for the ranks: {@code MmBackward0}
   * (matrix, matrix), {@code MvBackward0} (matrix, vector), {@code DotBackward0} (vectors),
   * {@code SqueezeBackward3} (vector, matrix) and {@code UnsafeViewBackward0} for batched
   * products (which PyTorch folds into one product and views back). Returns {@code out}.
   */
  public static Tensor record(Tensor a, Tensor b, Tensor out) {
    if (!Autograd.isRecording(a, b)) {
      return out;
    }
    new MatMulBackward(a, b).record(out);
    return out;
  }

  static String name(int ra, int rb) {
    if (ra > 2 || rb > 2) {
      return "UnsafeViewBackward0";
    }
    if (ra == 2) {
      return rb == 2 ? "MmBackward0" : "MvBackward0";
    }
    return rb == 2 ? "SqueezeBackward3" : "DotBackward0";
  }

  private static final class MatMulBackward extends Node {
    private final SavedTensor a;
    private final SavedTensor b;

    MatMulBackward(Tensor a, Tensor b) {
      super(MatMulGrad.name(a.dim(), b.dim()), a, b);
      this.a = save(a);
      this.b = save(b);
    }

    @Override
    protected Tensor[] backward(Tensor[] gradOutputs) {
      BroadcastGrad.Pair p = MatMulGrad.backward(gradOutputs[0], a.get(), b.get());
      return new Tensor[] {needsInputGrad(0) ? p.a() : null, needsInputGrad(1) ? p.b() : null};
    }
  }
}
