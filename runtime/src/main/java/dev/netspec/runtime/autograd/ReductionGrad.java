package dev.netspec.runtime.autograd;

import dev.netspec.runtime.tensor.Tensor;

/**
 * The derivatives of {@code sum} and {@code mean}, all elements or along one dim: the
 * upstream gradient broadcast back over the reduced elements ({@code / n} for a mean). The
 * result is a contiguous tensor of the input's shape.
 */
public final class ReductionGrad {
  private ReductionGrad() {}

  /** Records {@code y = x.sum()} ({@code SumBackward0}) when recording; returns {@code y}. */
  public static Tensor recordSum(Tensor x, Tensor y) {
    int[] shape = x.shape();
    return Autograd.recordUnary("SumBackward0", x, y, g -> sum(g, shape));
  }

  /** {@code x.sum()}: every element gets {@code g} (a scalar). */
  public static Tensor sum(Tensor gradOutput, int[] inputShape) {
    return gradOutput.reshape().expand(inputShape).contiguous();
  }

  /** {@code x.mean()}: every element gets {@code g / numel}. */
  public static Tensor mean(Tensor gradOutput, int[] inputShape) {
    long n = 1;
    for (int d : inputShape) {
      n *= d;
    }
    return sum(gradOutput, inputShape).div_((float) n);
  }

  /** {@code x.sum(dim, keepdim)}: {@code g} repeated along {@code dim}. */
  public static Tensor sum(Tensor gradOutput, int[] inputShape, int dim, boolean keepdim) {
    int d = dim < 0 ? dim + inputShape.length : dim;
    if (d < 0 || d >= inputShape.length) {
      throw new IllegalArgumentException("dim " + dim + " is out of range for rank "
          + inputShape.length);
    }
    Tensor g = keepdim ? gradOutput : gradOutput.unsqueeze(d);
    return g.expand(inputShape).contiguous();
  }

  /** {@code x.mean(dim, keepdim)}: {@code g / n} repeated along {@code dim}. */
  public static Tensor mean(Tensor gradOutput, int[] inputShape, int dim, boolean keepdim) {
    int d = dim < 0 ? dim + inputShape.length : dim;
    return sum(gradOutput, inputShape, dim, keepdim).div_((float) inputShape[d]);
  }
}
