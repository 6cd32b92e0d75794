package dev.netspec.runtime.tensor;

import dev.netspec.runtime.kernels.Activation;
import dev.netspec.runtime.kernels.Kernels;
import java.util.Arrays;

/** {@code torch.matmul} on the GEMM kernel: shape rules, batching and operand layouts. */
final class MatMul {
  private MatMul() {}

  static Tensor matmul(Tensor x, Tensor y) {
    x.requireFloat("matmul");
    y.requireFloat("matmul");
    if (x.dim() == 0 || y.dim() == 0) {
      throw new IllegalArgumentException("matmul: both arguments need at least 1 dimension");
    }
    boolean xVector = x.dim() == 1;
    boolean yVector = y.dim() == 1;
    Tensor a = xVector ? x.unsqueeze(0) : x; // (..., m, k)
    Tensor b = yVector ? y.unsqueeze(1) : y; // (..., k, n)
    int m = a.size(-2);
    int k = a.size(-1);
    int n = b.size(-1);
    if (k != b.size(-2)) {
      throw new IllegalArgumentException("matmul: shapes " + Arrays.toString(x.shape) + " and "
          + Arrays.toString(y.shape) + " cannot be multiplied (" + k + " != " + b.size(-2) + ")");
    }
    // The kernel reads A row-major (unit column stride) and B row-major or transposed.
    if (a.stride[a.dim() - 1] != 1 && k > 1) {
      a = a.clone();
    }
    boolean transB = false;
    int rb = b.dim();
    if (b.stride[rb - 1] != 1 && n > 1) {
      if (b.stride[rb - 2] == 1 || k <= 1) {
        transB = true;
      } else {
        b = b.clone();
      }
    }
    int[] batch = Tensor.broadcastShapes(Arrays.copyOf(a.shape, a.dim() - 2),
        Arrays.copyOf(b.shape, b.dim() - 2));
    Tensor ae = a.expand(withMatrix(batch, m, k));
    Tensor be = b.expand(withMatrix(batch, k, n));
    Tensor out = Tensor.zeros(withMatrix(batch, m, n));
    int r = batch.length;
    int lda = ae.stride[r];
    int ldb = transB ? be.stride[r + 1] : be.stride[r];
    int[] idx = new int[r];
    int batches = Math.toIntExact(Layout.numel(batch));
    for (int bi = 0; bi < batches; bi++) {
      int ao = ae.offset;
      int bo = be.offset;
      for (int d = 0; d < r; d++) {
        ao += idx[d] * ae.stride[d];
        bo += idx[d] * be.stride[d];
      }
      Kernels.gemm(m, n, k, ae.storage, ao, lda, be.storage, bo, ldb, transB, out.storage,
          bi * m * n, n, null, 0, Activation.NONE);
      Layout.increment(idx, batch);
    }
    if (xVector) {
      out = out.squeeze(-2);
    }
    if (yVector) {
      out = out.squeeze(-1);
    }
    return out;
  }

  private static int[] withMatrix(int[] batch, int rows, int cols) {
    int[] s = Arrays.copyOf(batch, batch.length + 2);
    s[batch.length] = rows;
    s[batch.length + 1] = cols;
    return s;
  }
}
