package dev.netspec.runtime.autograd;

import dev.netspec.runtime.tensor.Tensor;

/**
 * The backward of the view operations (slices, transposes, reshapes, ...): a view's gradient
 * goes back to the positions of the input it shows, and the rest of the input gets zero.
 */
public final class ViewGrad {
  private ViewGrad() {}

  /** Records {@code out = input[start:end:step]} on {@code dim} ({@code SliceBackward0}). */
  public static Tensor recordSlice(Tensor input, int dim, int start, int end, int step,
      Tensor out) {
    int[] shape = input.shape();
    return Autograd.recordUnary("SliceBackward0", input, out, g -> {
      Tensor grad = Tensor.zeros(shape);
      grad.slice(dim, start, end, step).copy_(g);
      return grad;
    });
  }
}
