package dev.netspec.runtime.loss;

import dev.netspec.runtime.autograd.LossGrad;
import dev.netspec.runtime.tensor.Tensor;
import java.util.Arrays;

/**
 * A loss that is a function of each (input, target) pair, reduced: MSE, L1, smooth L1 and
 * BCE with logits. Input and target must have one shape (PyTorch would broadcast with a
 * warning; netspec refuses) and at least one element.
 */
abstract class PointwiseLoss implements Loss {
  private final Reduction reduction;

  PointwiseLoss(Reduction reduction) {
    if (reduction == null) {
      throw new IllegalArgumentException("reduction is null");
    }
    this.reduction = reduction;
  }

  /** The PyTorch function's name, for messages: {@code "mse_loss"}. */
  abstract String name();

  /** PyTorch's name of the loss's grad_fn: {@code "MseLossBackward0"}. */
  abstract String gradFnName();

  /** The loss of one element; {@code w} is its {@link #elementWeights} entry (or 1). */
  abstract double value(double x, double t, double w);

  /** d value / d x of one element. */
  abstract double derivative(double x, double t, double w);

  /** d value / d t of one element: {@code -derivative} for a function of {@code x - t}. */
  double targetDerivative(double x, double t, double w) {
    return -derivative(x, t, w);
  }

  /**
   * A per-element argument for an input of {@code shape} (pos_weight broadcast), or null for
   * none (1 everywhere); checks it fits.
   */
  float[] elementWeights(int[] shape) {
    return null;
  }

  @Override
  public Reduction reduction() {
    return reduction;
  }

  @Override
  public Tensor forward(Tensor input, Tensor target) {
    float[] w = check(input, target);
    float[] x = input.toFloatArray();
    float[] t = target.toFloatArray();
    if (reduction == Reduction.NONE) {
      float[] out = new float[x.length];
      for (int i = 0; i < x.length; i++) {
        out[i] = (float) value(x[i], t[i], w == null ? 1 : w[i]);
      }
      return LossGrad.record(gradFnName(), this, input, target, Tensor.fromArray(out, input.shape()));
    }
    double sum = 0;
    for (int i = 0; i < x.length; i++) {
      sum += value(x[i], t[i], w == null ? 1 : w[i]);
    }
    return LossGrad.record(gradFnName(), this, input, target,
        Tensor.scalar((float) (reduction == Reduction.MEAN ? sum / x.length : sum)));
  }

  @Override
  public Tensor backward(Tensor gradOutput, Tensor input, Tensor target) {
    return gradient(gradOutput, input, target, false);
  }

  @Override
  public Tensor targetBackward(Tensor gradOutput, Tensor input, Tensor target) {
    return gradient(gradOutput, input, target, true);
  }

  /** The gradient of the input, or of the target. */
  private Tensor gradient(Tensor gradOutput, Tensor input, Tensor target, boolean ofTarget) {
    float[] w = check(input, target);
    float[] x = input.toFloatArray();
    float[] t = target.toFloatArray();
    float[] g = Reductions.upstream(gradOutput, reduction, input.shape(), name());
    double scale = reduction == Reduction.MEAN ? 1.0 / x.length : 1.0;
    float[] out = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      double gi = reduction == Reduction.NONE ? g[i] : g[0] * scale;
      double wi = w == null ? 1 : w[i];
      out[i] = (float) ((ofTarget ? targetDerivative(x[i], t[i], wi) : derivative(x[i], t[i], wi))
          * gi);
    }
    return Tensor.fromArray(out, input.shape());
  }

  private float[] check(Tensor input, Tensor target) {
    input.requireFloat(name() + " input");
    target.requireFloat(name() + " target");
    if (!Arrays.equals(input.shape(), target.shape())) {
      throw new IllegalArgumentException(name() + ": target size " + Reductions.size(target)
          + " is different from the input size " + Reductions.size(input));
    }
    if (input.numel() == 0) {
      throw new IllegalArgumentException(name() + ": empty batch (input size "
          + Reductions.size(input) + "); a loss needs at least one element");
    }
    return elementWeights(input.shape());
  }
}
