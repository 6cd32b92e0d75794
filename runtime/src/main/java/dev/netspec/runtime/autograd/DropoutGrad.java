package dev.netspec.runtime.autograd;

import dev.netspec.runtime.tensor.Tensor;
import java.util.Arrays;

/**
 * The derivative of {@code F.dropout} in training ({@code NativeDropoutBackward0}): the
 * forward is {@code y = x * mask} with {@code mask} 0 (dropped) or {@code 1 / (1 - p)} (kept),
 * so {@code grad x = g * mask}. The mask is the one the forward drew: {@link
 * dev.netspec.runtime.nn.Dropout#mask()} keeps the last training forward's, and {@link
 * dev.netspec.runtime.nn.Functional#dropoutMask} draws one that {@link
 * dev.netspec.runtime.nn.Functional#dropout(Tensor, Tensor)} applies. In eval mode dropout is
 * the identity and so is its gradient.
 */
public final class DropoutGrad {
  private DropoutGrad() {}

  /** {@code d L / d x = gradOutput * mask} (the mask's shape). */
  public static Tensor input(Tensor gradOutput, Tensor mask) {
    if (!Arrays.equals(gradOutput.shape(), mask.shape())) {
      throw new IllegalArgumentException("dropout backward: gradOutput of shape "
          + Arrays.toString(gradOutput.shape()) + " does not match the mask "
          + Arrays.toString(mask.shape()));
    }
    return gradOutput.mul(mask);
  }

  /**
   * Records {@code y = x * mask}, the training dropout ({@code MulBackward0}, as PyTorch 1.13
   * names {@code F.dropout} on the CPU), saving the mask; returns {@code y}.
   */
  public static Tensor record(Tensor x, Tensor mask, Tensor y) {
    return Autograd.record("MulBackward0", y, new Tensor[] {x}, new Tensor[] {mask},
        (g, s) -> new Tensor[] {input(g, s[0])});
  }
}
