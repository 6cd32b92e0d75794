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

  /** The reduction. */
  Reduction reduction();
}
