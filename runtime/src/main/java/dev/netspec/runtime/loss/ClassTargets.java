package dev.netspec.runtime.loss;

import dev.netspec.runtime.tensor.DType;
import dev.netspec.runtime.tensor.Tensor;

/**
 * The class-index targets of {@link CrossEntropyLoss} and {@link NLLLoss}, checked: input
 * {@code (N, C)} with target {@code (N)}, or input {@code (C)} with a scalar target; int64
 * indices in {@code [0, C)} or equal to {@code ignore_index}.
 */
record ClassTargets(int rows, int classes, long[] targets, int counted) {

  static ClassTargets of(String name, Tensor input, Tensor target, long ignoreIndex) {
    input.requireFloat(name + " input");
    if (target.dtype() != DType.INT64) {
      throw new IllegalArgumentException(name + ": target must hold class indices as int64,"
          + " got " + target.dtype() + " (class probabilities are not supported yet)");
    }
    boolean batched = input.dim() == 2;
    if (!(batched || input.dim() == 1)) {
      throw new IllegalArgumentException(name + ": input must be (N, C) or (C), got size "
          + Reductions.size(input) + " (extra spatial dims are not supported yet)");
    }
    int rows = batched ? input.size(0) : 1;
    int classes = input.size(-1);
    boolean fits = batched ? target.dim() == 1 && target.size(0) == rows : target.dim() == 0;
    if (!fits) {
      throw new IllegalArgumentException(name + ": expected target size "
          + (batched ? "torch.Size([" + rows + "])" : "torch.Size([])") + ", got "
          + Reductions.size(target));
    }
    if (rows == 0) {
      throw new IllegalArgumentException(name + ": empty batch (input size "
          + Reductions.size(input) + "); a loss needs at least one element");
    }
    long[] t = target.toLongArray();
    int counted = 0;
    for (long v : t) {
      if (v == ignoreIndex) {
        continue;
      }
      if (v < 0 || v >= classes) {
        throw new IllegalArgumentException(name + ": Target " + v + " is out of bounds.");
      }
      counted++;
    }
    return new ClassTargets(rows, classes, t, counted);
  }

  boolean ignored(int row, long ignoreIndex) {
    return targets[row] == ignoreIndex;
  }

  /** The loss tensor: per row for {@code none} (the target's shape), else reduced. */
  Tensor reduce(double[] perRow, Reduction reduction, int[] targetShape) {
    if (reduction == Reduction.NONE) {
      float[] out = new float[perRow.length];
      for (int i = 0; i < out.length; i++) {
        out[i] = (float) perRow[i];
      }
      return Tensor.fromArray(out, targetShape);
    }
    double sum = 0;
    for (double v : perRow) {
      sum += v;
    }
    // a mean over no counted target is 0 / 0 = NaN, as in PyTorch
    return Tensor.scalar((float) (reduction == Reduction.MEAN ? sum / counted : sum));
  }

  /** The upstream factor of each row: g_i (none), g (sum) or g / counted (mean). */
  double[] rowScales(Tensor gradOutput, Reduction reduction, int[] targetShape, String name) {
    float[] g = Reductions.upstream(gradOutput, reduction, targetShape, name);
    double[] out = new double[rows];
    for (int i = 0; i < rows; i++) {
      out[i] = reduction == Reduction.NONE ? g[i]
          : reduction == Reduction.SUM ? g[0] : (double) g[0] / counted;
    }
    return out;
  }
}
