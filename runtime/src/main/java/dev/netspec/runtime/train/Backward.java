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

  /**
   * {@code dst (cols x rows, from dOff) = src (rows x cols, from so)^T}, both dense, eight
   * rows of {@code src} at a time: eight sequential reads, and each column of them written as
   * eight adjacent floats of a row of {@code dst}. A loop over 16 x 16 blocks writing one float
   * per row of {@code dst} took 3.0 ns an element for the MLP's 1024 x 64 (5% of its training
   * step), this one 0.56 (Zen 4, one JVM, CPU time).
   */
  private static void transpose(float[] src, int so, int rows, int cols, float[] dst,
      int dOff) {
    int r = 0;
    for (; r + 8 <= rows; r += 8) {
      int s0 = so + r * cols;
      int s1 = s0 + cols;
      int s2 = s1 + cols;
      int s3 = s2 + cols;
      int s4 = s3 + cols;
      int s5 = s4 + cols;
      int s6 = s5 + cols;
      int s7 = s6 + cols;
      for (int c = 0, d = dOff + r; c < cols; c++, d += rows) {
        dst[d] = src[s0 + c];
        dst[d + 1] = src[s1 + c];
        dst[d + 2] = src[s2 + c];
        dst[d + 3] = src[s3 + c];
        dst[d + 4] = src[s4 + c];
        dst[d + 5] = src[s5 + c];
        dst[d + 6] = src[s6 + c];
        dst[d + 7] = src[s7 + c];
      }
    }
    for (; r < rows; r++) {
      int row = so + r * cols;
      for (int c = 0; c < cols; c++) {
        dst[dOff + c * rows + r] = src[row + c];
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
