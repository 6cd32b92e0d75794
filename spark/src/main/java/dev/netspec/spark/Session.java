package dev.netspec.spark;

import dev.netspec.runtime.autograd.GradMode;
import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.tensor.Tensor;
import java.util.Arrays;

/**
 * One thread's use of a shared model: an instance of it (the original or a replica) with the
 * input and output tensors of one batch size. Once both exist, a batch allocates nothing: the
 * rows are copied into {@link #input}'s array and {@code forward(x, out)} writes the output.
 */
final class Session {
  private final Module model;
  private Tensor input; // (batch, *row shape)
  private Tensor output; // (batch, *output row shape); null until the first forward

  Session(Module model) {
    this.model = model;
  }

  /** The instance this session runs. */
  Module model() {
    return model;
  }

  /**
   * The input tensor for {@code batch} rows of {@code rowShape}, to fill in row-major order
   * through {@code array()}; a new one only when the batch or row shape changed.
   */
  Tensor input(int batch, int[] rowShape) {
    if (input == null || input.size(0) != batch || !sameRowShape(input.shape(), rowShape)) {
      int[] shape = new int[rowShape.length + 1];
      shape[0] = batch;
      System.arraycopy(rowShape, 0, shape, 1, rowShape.length);
      input = Tensor.zeros(shape);
      output = null;
    }
    return input;
  }

  /**
   * Runs the model over the filled input and returns the contiguous output, {@code (batch,
   * ...)}. The first call allocates the output (its shape is the model's to say); later ones
   * write into it.
   */
  Tensor forward() {
    if (output == null) {
      try (GradMode.Scope inference = GradMode.noGrad()) {
        output = model.forward(input).contiguous();
      }
    } else {
      model.forward(input, output);
    }
    return output;
  }

  private static boolean sameRowShape(int[] shape, int[] rowShape) {
    return Arrays.equals(shape, 1, shape.length, rowShape, 0, rowShape.length);
  }
}
