package dev.netspec.runtime.train;

import dev.netspec.runtime.tensor.DType;
import dev.netspec.runtime.tensor.Tensor;
import java.util.Arrays;

/**
 * Inputs and targets of one split ({@code torch.utils.data.TensorDataset(x, target)}): row
 * {@code i} of {@code x} is a sample, row {@code i} of {@code target} its label (int64 class
 * indices for a classifier, float values for a regression). Both are kept contiguous.
 */
public final class TensorDataset {
  private final Tensor x;
  private final Tensor target;

  /**
   * @throws IllegalArgumentException if the two differ in their number of rows, or have none
   */
  public TensorDataset(Tensor x, Tensor target) {
    if (x.dim() == 0 || target.dim() == 0) {
      throw new IllegalArgumentException("x and target must have a first (sample) dim, got "
          + Arrays.toString(x.shape()) + " and " + Arrays.toString(target.shape()));
    }
    if (x.size(0) != target.size(0)) {
      throw new IllegalArgumentException("x has " + x.size(0) + " samples but target has "
          + target.size(0) + " (the first dims must agree)");
    }
    if (x.size(0) == 0) {
      throw new IllegalArgumentException("the data set is empty (0 samples)");
    }
    this.x = x.contiguous();
    this.target = target.contiguous();
  }

  /** The number of samples. */
  public int size() {
    return x.size(0);
  }

  public Tensor x() {
    return x;
  }

  public Tensor target() {
    return target;
  }

  /** Whether the targets are class indices (int64): accuracy is then measured. */
  public boolean classification() {
    return target.dtype() == DType.INT64;
  }

  /** The inputs of samples {@code order[from .. to)}, stacked in that order. */
  public Tensor x(int[] order, int from, int to) {
    return rows(x, order, from, to);
  }

  /** The targets of samples {@code order[from .. to)}, stacked in that order. */
  public Tensor target(int[] order, int from, int to) {
    return rows(target, order, from, to);
  }

  private static Tensor rows(Tensor t, int[] order, int from, int to) {
    int[] shape = t.shape();
    int row = Math.toIntExact(t.numel() / shape[0]);
    shape[0] = to - from;
    if (t.dtype() == DType.INT64) {
      long[] src = t.longArray();
      long[] out = new long[shape[0] * row];
      for (int i = from; i < to; i++) {
        System.arraycopy(src, t.arrayOffset() + order[i] * row, out, (i - from) * row, row);
      }
      return Tensor.ofLongs(out, shape);
    }
    float[] src = t.array();
    float[] out = new float[shape[0] * row];
    for (int i = from; i < to; i++) {
      System.arraycopy(src, t.arrayOffset() + order[i] * row, out, (i - from) * row, row);
    }
    return Tensor.fromArray(out, shape);
  }
}
