package dev.netspec.runtime.train;

import dev.netspec.runtime.kernels.BinaryOp;
import dev.netspec.runtime.kernels.Kernels;
import dev.netspec.runtime.kernels.UnaryOp;

/**
 * The small passes of a {@link TrainStep}, on arrays: the ReLU mask, the forward's transposed
 * epilogue, and column sums.
 */
final class Backward {
  private Backward() {}

  /**
   * {@code out = y <= 0 ? 0 : g} (PyTorch's {@code threshold_backward} on the saved output:
   * NaN passes the gradient); {@code out} may be {@code g}.
   */
  static void relu(float[] g, int go, float[] y, int yo, float[] out, int oo, int n) {
    Kernels.reluBackward(g, go, y, yo, out, oo, n);
  }

  /**
   * {@code src = act(src + bias)} on {@code src} dense {@code (cols x rows)}, {@code bias[c]}
   * (null: none) added to every element of its row {@code c}, act a ReLU or nothing; then
   * {@code out (rows x cols) = src^T}: the epilogue of a forward computed transposed, {@code
   * src} left holding the output transposed. The same float operations as the GEMM's own
   * epilogue (one add, then {@code v < 0 ? 0 : v}), as vector passes along the rows and a
   * transpose: a scalar ReLU here mispredicted its branch on every other element (7% of the
   * MLP's step).
   */
  static void biasActTranspose(float[] src, int cols, int rows, float[] bias, int biasOff,
      boolean relu, float[] out, int oo) {
    if (bias != null) {
      for (int c = 0; c < cols; c++) {
        Kernels.binaryScalar(BinaryOp.ADD, src, c * rows, bias[biasOff + c], src, c * rows,
            rows);
      }
    }
    if (relu) {
      Kernels.unary(UnaryOp.RELU, src, 0, src, 0, rows * cols);
    }
    Kernels.transpose(src, 0, cols, rows, out, oo);
  }

  /**
   * {@code out[j] = sum over rows of g[r][j]}, summed row after row from 0 as the tape's bias
   * gradient sums ({@code LinearGrad.bias}).
   */
  static void columnSums(float[] g, int go, int rows, int cols, float[] out) {
    java.util.Arrays.fill(out, 0, cols, 0f);
    for (int r = 0; r < rows; r++) {
      Kernels.axpy(1f, g, go + r * cols, out, 0, cols);
    }
  }
}
