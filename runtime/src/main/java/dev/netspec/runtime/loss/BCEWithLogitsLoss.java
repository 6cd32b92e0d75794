package dev.netspec.runtime.loss;

import dev.netspec.runtime.tensor.Tensor;
import java.util.Arrays;

/**
 * {@code nn.BCEWithLogitsLoss(reduction, pos_weight)} / {@code
 * F.binary_cross_entropy_with_logits}, PyTorch's stable form: with {@code w = 1 + (p - 1) t}
 * ({@code p} the positive weight of the element's class, 1 without {@code pos_weight}),
 * {@code (1 - t) x + w (log(1 + exp(-|x|)) + max(-x, 0))}; gradient {@code (p t + 1 - t)
 * sigmoid(x) - p t}. {@code pos_weight} broadcasts against the input's trailing dims (one
 * weight per class, the last dim).
 */
public final class BCEWithLogitsLoss extends PointwiseLoss {
  private final Tensor posWeight;

  /** {@code reduction='mean'}, no {@code pos_weight}. */
  public BCEWithLogitsLoss() {
    this(Reduction.MEAN, null);
  }

  /** {@code posWeight} may be null. */
  public BCEWithLogitsLoss(Reduction reduction, Tensor posWeight) {
    super(reduction);
    this.posWeight = posWeight == null ? null : posWeight.requireFloat("pos_weight").clone();
  }

  @Override
  String gradFnName() {
    return "BinaryCrossEntropyWithLogitsBackward0";
  }

  @Override
  String name() {
    return "binary_cross_entropy_with_logits";
  }

  @Override
  float[] elementWeights(int[] shape) {
    if (posWeight == null) {
      return null;
    }
    try {
      if (!Arrays.equals(Tensor.broadcastShapes(shape, posWeight.shape()), shape)) {
        throw new IllegalArgumentException();
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(name() + ": pos_weight of size "
          + Reductions.size(posWeight) + " does not broadcast to the input size "
          + Reductions.size(shape));
    }
    return posWeight.expand(shape).contiguous().toFloatArray();
  }

  @Override
  double value(double x, double t, double p) {
    double w = 1 + (p - 1) * t;
    return (1 - t) * x + w * (Math.log1p(Math.exp(-Math.abs(x))) + Math.max(-x, 0));
  }

  @Override
  double derivative(double x, double t, double p) {
    double pt = p * t;
    return (pt + 1 - t) / (1 + Math.exp(-x)) - pt;
  }

  /** {@code d/dt [(1 - t) x + (1 + (p - 1) t) softplus(-x)] = -x + (p - 1) softplus(-x)}. */
  @Override
  double targetDerivative(double x, double t, double p) {
    return -x + (p - 1) * (Math.log1p(Math.exp(-Math.abs(x))) + Math.max(-x, 0));
  }
}
