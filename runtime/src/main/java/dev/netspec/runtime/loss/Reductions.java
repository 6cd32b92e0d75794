package dev.netspec.runtime.loss;

import dev.netspec.runtime.tensor.Tensor;
import java.util.Arrays;

/** Checks shared by the losses: the upstream gradient's shape and PyTorch's size text. */
final class Reductions {
  private Reductions() {}

  /**
   * The upstream gradient's values: one for {@code mean} and {@code sum}, one per element of
   * {@code shape} for {@code none}.
   */
  static float[] upstream(Tensor gradOutput, Reduction reduction, int[] shape, String name) {
    gradOutput.requireFloat(name + " gradOutput");
    boolean ok = reduction == Reduction.NONE ? Arrays.equals(gradOutput.shape(), shape)
        : gradOutput.numel() == 1;
    if (!ok) {
      throw new IllegalArgumentException(name + " backward: gradOutput of size "
          + size(gradOutput) + " does not match reduction '" + reduction.pyName() + "' ("
          + (reduction == Reduction.NONE ? "expected size " + size(shape) : "expected a scalar")
          + ")");
    }
    return gradOutput.toFloatArray();
  }

  static String size(Tensor t) {
    return size(t.shape());
  }

  /** {@code torch.Size([2, 3])}. */
  static String size(int[] shape) {
    StringBuilder sb = new StringBuilder("torch.Size([");
    for (int i = 0; i < shape.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(shape[i]);
    }
    return sb.append("])").toString();
  }
}
