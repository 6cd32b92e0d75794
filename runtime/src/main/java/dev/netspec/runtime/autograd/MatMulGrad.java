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
}
