package dev.netspec.runtime.loss;

import dev.netspec.runtime.tensor.Tensor;

/** A loss: its value and its gradient with respect to the input (not the target). */
public interface Loss {
  /** The loss ({@code loss_fn(input, target)}): a scalar, or per element for {@code none}. */
  Tensor forward(Tensor input, Tensor target);

  /**
   * {@code d L / d input} for {@code L = sum(forward(input, target) * gradOutput)}: {@code
   * gradOutput} is a scalar for {@code mean} and {@code sum} ({@code 1} for {@code
   * loss.backward()}), shaped as the forward's result for {@code none}.
   */
  Tensor backward(Tensor gradOutput, Tensor input, Tensor target);

  /**
   * {@code d L / d target} for the same {@code L}, for a float target that requires a
   * gradient, as PyTorch differentiates {@code mse_loss(input, target)} in both; class
   * indices have none.
   *
   * @throws UnsupportedOperationException for a loss whose target has no gradient
   */
  default Tensor targetBackward(Tensor gradOutput, Tensor input, Tensor target) {
    throw new UnsupportedOperationException(getClass().getSimpleName()
        + ": the target has no gradient");
  }

  /** The reduction. */
  Reduction reduction();
}
