package dev.netspec.runtime.nn;

import dev.netspec.runtime.init.Init;
import dev.netspec.runtime.tensor.Tensor;

/**
 * Normalizes over the last dims to mean 0 and variance 1 (biased), then scales by
 * {@code weight} and shifts by {@code bias} ({@code nn.LayerNorm}). PyTorch's default init:
 * weight ones, bias zeros.
 */
public final class LayerNorm extends Module {
  /** The scale, shaped as the normalized dims, or null without elementwise affine. */
  public final Parameter weight;
  /** The shift, shaped as the normalized dims, or null without elementwise affine. */
  public final Parameter bias;
  private final int[] normalizedShape;
  private final double eps;

  /** {@code nn.LayerNorm(size)}: over the last dim. */
  public LayerNorm(int normalizedShape) {
    this(new int[] {normalizedShape});
  }

  /** {@code nn.LayerNorm(normalized_shape)}: {@code eps = 1e-5}, with weight and bias. */
  public LayerNorm(int[] normalizedShape) {
    this(normalizedShape, 1e-5, true);
  }

  /** {@code nn.LayerNorm(normalized_shape, eps, elementwise_affine)}. */
  public LayerNorm(int[] normalizedShape, double eps, boolean elementwiseAffine) {
    if (normalizedShape.length == 0) {
      throw new IllegalArgumentException("LayerNorm needs at least one normalized dim");
    }
    for (int d : normalizedShape) {
      if (d <= 0) {
        throw new IllegalArgumentException("LayerNorm: normalized dims must be positive, got "
            + PyFormat.tuple(normalizedShape));
      }
    }
    if (!(eps > 0)) {
      throw new IllegalArgumentException("LayerNorm: eps must be positive, got " + eps);
    }
    this.normalizedShape = normalizedShape.clone();
    this.eps = eps;
    this.weight = elementwiseAffine
        ? registerParameter("weight", new Parameter(Tensor.ones(normalizedShape))) : null;
    this.bias = elementwiseAffine
        ? registerParameter("bias", new Parameter(Tensor.zeros(normalizedShape))) : null;
  }

  /** The normalized (trailing) dims. */
  public int[] normalizedShape() {
    return normalizedShape.clone();
  }

  /** The value added to the variance for stability. */
  public double eps() {
    return eps;
  }

  /** PyTorch's {@code reset_parameters}: weight ones, bias zeros. */
  @Override
  protected void resetParameters(ParameterSeeds seeds) {
    if (weight != null) {
      Init.ones_(weight.data());
      Init.zeros_(bias.data());
    }
  }

  @Override
  public Tensor forward(Tensor x) {
    return Functional.layerNorm(x, normalizedShape, weight == null ? null : weight.data(),
        bias == null ? null : bias.data(), (float) eps);
  }

  @Override
  public String extraRepr() {
    return PyFormat.tuple(normalizedShape) + ", eps=" + PyFormat.floatRepr(eps)
        + ", elementwise_affine=" + PyFormat.bool(weight != null);
  }
}
