package dev.netspec.runtime.train;

import dev.netspec.runtime.kernels.BinaryOp;
import dev.netspec.runtime.kernels.Kernels;
import dev.netspec.runtime.kernels.UnaryOp;

/**
 * The small passes of a {@link TrainStep}'s backward, on arrays: the ReLU mask, a transpose,
 * and column sums.
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

  /** {@code dst (cols x rows) = src (rows x cols)^T}, both dense, in 16 x 16 blocks. */
  static void transpose(float[] src, int so, int rows, int cols, float[] dst) {
    transpose(src, so, rows, cols, dst, 0);
  }

  /** {@link #transpose(float[], int, int, int, float[])} into {@code dst} from {@code dOff}. */
  private static void transpose(float[] src, int so, int rows, int cols, float[] dst,
      int dOff) {
    for (int r0 = 0; r0 < rows; r0 += 16) {
      int r1 = Math.min(rows, r0 + 16);
      for (int c0 = 0; c0 < cols; c0 += 16) {
        int c1 = Math.min(cols, c0 + 16);
        for (int r = r0; r < r1; r++) {
          int row = so + r * cols;
          for (int c = c0; c < c1; c++) {
            dst[dOff + c * rows + r] = src[row + c];
          }
        }
      }
    }
  }

  /**
   * {@code out (rows x cols) = act(src^T + bias)}, {@code src} dense {@code (cols x rows)}, the
   * bias (null: none) added to each row of {@code out}, act a ReLU or nothing: the epilogue of
   * a forward computed transposed. The same float operations as the GEMM's own epilogue (one
   * add, then {@code v < 0 ? 0 : v}), as a transpose and then vector passes along the rows: a
   * scalar ReLU here mispredicted its branch on every other element (7% of the MLP's step).
   */
  static void transposeBiasAct(float[] src, int cols, int rows, float[] bias, int biasOff,
      boolean relu, float[] out, int oo) {
    transpose(src, 0, cols, rows, out, oo);
    if (bias != null) {
      for (int r = 0; r < rows; r++) {
        int row = oo + r * cols;
        Kernels.binary(BinaryOp.ADD, out, row, bias, biasOff, out, row, cols);
      }
    }
    if (relu) {
      Kernels.unary(UnaryOp.RELU, out, oo, out, oo, rows * cols);
    }
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
