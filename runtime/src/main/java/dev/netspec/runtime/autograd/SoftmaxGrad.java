package dev.netspec.runtime.autograd;

import dev.netspec.runtime.tensor.Tensor;
import java.util.Arrays;

/**
 * The derivatives of {@code softmax(x, dim)} and {@code log_softmax(x, dim)}, from their
 * outputs as PyTorch saves them:
 *
 * <pre>
 * softmax:     grad x = y * (g - sum_dim(g * y))
 * log_softmax: grad x = g - exp(y) * sum_dim(g)
 * </pre>
 *
 * Each sum along {@code dim} is taken in double.
 */
public final class SoftmaxGrad {
  private SoftmaxGrad() {}

  /**
   * Records {@code y = softmax(x, dim)} ({@code SoftmaxBackward0}) or {@code log_softmax}
   * ({@code LogSoftmaxBackward0}), saving the output; returns {@code y}.
   */
  public static Tensor record(boolean log, Tensor x, int dim, Tensor y) {
    return Autograd.record(log ? "LogSoftmaxBackward0" : "SoftmaxBackward0", y,
        new Tensor[] {x}, new Tensor[] {y}, (g, s) -> new Tensor[] {run(g, s[0], dim, log)});
  }

  /** {@code d softmax / d x} along {@code dim} given the output {@code y}. */
  public static Tensor softmax(Tensor gradOutput, Tensor y, int dim) {
    return run(gradOutput, y, dim, false);
  }

  /** {@code d log_softmax / d x} along {@code dim} given the output {@code y}. */
  public static Tensor logSoftmax(Tensor gradOutput, Tensor y, int dim) {
    return run(gradOutput, y, dim, true);
  }

  private static Tensor run(Tensor gradOutput, Tensor y, int dim, boolean log) {
    if (!Arrays.equals(gradOutput.shape(), y.shape())) {
      throw new IllegalArgumentException((log ? "log_softmax" : "softmax") + " backward: "
          + "gradOutput " + Arrays.toString(gradOutput.shape()) + " and output "
          + Arrays.toString(y.shape()) + " differ");
    }
    int[] shape = y.shape();
    int rank = Math.max(shape.length, 1);
    int d = dim < 0 ? dim + rank : dim;
    if (d < 0 || d >= rank) {
      throw new IllegalArgumentException("dim " + dim + " is out of range for rank "
          + shape.length);
    }
    int n = shape.length == 0 ? 1 : shape[d];
    int inner = 1;
    for (int i = d + 1; i < shape.length; i++) {
      inner *= shape[i];
    }
    int outer = Math.toIntExact(y.numel() / Math.max(1L, (long) n * inner));
    float[] g = gradOutput.toFloatArray();
    float[] v = y.toFloatArray();
    float[] out = new float[g.length];
    for (int o = 0; o < outer; o++) {
      for (int in = 0; in < inner; in++) {
        int base = o * n * inner + in;
        double sum = 0;
        for (int j = 0; j < n; j++) {
          int at = base + j * inner;
          sum += log ? g[at] : (double) g[at] * v[at];
        }
        for (int j = 0; j < n; j++) {
          int at = base + j * inner;
          out[at] = (float) (log ? g[at] - Math.exp(v[at]) * sum : v[at] * (g[at] - sum));
        }
      }
    }
    return Tensor.fromArray(out, shape);
  }
}
