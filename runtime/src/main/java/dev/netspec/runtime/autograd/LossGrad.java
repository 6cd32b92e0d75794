package dev.netspec.runtime.autograd;

import dev.netspec.runtime.loss.Loss;
import dev.netspec.runtime.tensor.Tensor;

/**
 * The backward of the losses ({@link dev.netspec.runtime.loss}): a loss's value records one
 * node, named as PyTorch names its {@code grad_fn} ({@code MseLossBackward0}, {@code
 * NllLossBackward0}, ...), whose backward is the loss's own {@link Loss#backward}, so {@code
 * loss.forward(y, t).backward()} reaches the model's parameters. The gradient flows to the
 * input and to a float target that requires one ({@link Loss#targetBackward}, as PyTorch's
 * {@code mse_loss} differentiates both); class indices get none.
 */
public final class LossGrad {
  private LossGrad() {}

  /**
   * Records {@code value = loss.forward(input, target)} when recording is on and {@code input}
   * requires a gradient; returns {@code value}. {@code name} is PyTorch's grad_fn name.
   */
  public static Tensor record(String name, Loss loss, Tensor input, Tensor target,
      Tensor value) {
    if (Autograd.isRecording(input, target)) {
      new LossBackward(name, loss, input, target).record(value);
    }
    return value;
  }

  private static final class LossBackward extends Node {
    private final Loss loss;
    private final SavedTensor input;
    private final SavedTensor target;

    LossBackward(String name, Loss loss, Tensor input, Tensor target) {
      super(name, input, target);
      this.loss = loss;
      this.input = save(input);
      this.target = save(target);
    }

    @Override
    protected Tensor[] backward(Tensor[] gradOutputs) {
      Tensor x = input.get();
      Tensor t = target.get();
      return new Tensor[] {
        needsInputGrad(0) ? loss.backward(gradOutputs[0], x, t) : null,
        needsInputGrad(1) ? loss.targetBackward(gradOutputs[0], x, t) : null
      };
    }
  }
}
