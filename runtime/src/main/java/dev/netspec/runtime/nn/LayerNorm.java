package dev.netspec.runtime.nn;

import dev.netspec.runtime.autograd.GradMode;
import dev.netspec.runtime.autograd.LayerNormGrad;
import dev.netspec.runtime.init.Init;
import dev.netspec.runtime.kernels.BinaryOp;
import dev.netspec.runtime.kernels.Kernels;
import dev.netspec.runtime.tensor.DType;
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
    if (!(eps >= 0)) {
      throw new IllegalArgumentException("LayerNorm: eps must be at least 0, got " + eps);
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

  /**
   * One pass of kernels per row into a fresh result when {@code x} is contiguous (see {@link
   * #forward(Tensor, Tensor)}), recorded for a backward pass as {@link Functional#layerNorm}
   * records it; otherwise {@link Functional#layerNorm}, whose steps allocate.
   */
  @Override
  public Tensor forward(Tensor x) {
    Tensor out = Tensor.zeros(x.shape());
    boolean affineDense = weight == null
        || weight.data().isContiguous() && bias.data().isContiguous();
    if (x.dtype() == DType.FLOAT32 && rowwise(x, out) && affineDense) {
      return LayerNormGrad.record(x, normalizedShape, weight == null ? null : weight.data(),
          bias == null ? null : bias.data(), (float) eps, forward(x, out));
    }
    return Functional.layerNorm(x, normalizedShape, weight == null ? null : weight.data(),
        bias == null ? null : bias.data(), (float) eps);
  }

  /**
   * Allocation-free when {@code x} and {@code out} are contiguous and do not share storage
   * (one pass of kernels per row); otherwise computes {@link #forward(Tensor)} and copies.
   */
  @Override
  public Tensor forward(Tensor x, Tensor out) {
    Tensor w = weight == null ? null : weight.data();
    Tensor b = bias == null ? null : bias.data();
    if (!rowwise(x, out) || w != null && !w.isContiguous() || b != null && !b.isContiguous()) {
      return super.forward(x, out);
    }
    int n = normalizedSize();
    int rows = Math.toIntExact(x.numel() / n);
    out.bumpVersion();
    for (int r = 0; r < rows; r++) {
      normalizeRow(x.array(), x.arrayOffset() + r * n, out.array(), out.arrayOffset() + r * n, n,
          w, b);
    }
    return out;
  }

  /**
   * {@code layer_norm(x + residual)} written into {@code out} and returned: the residual
   * connection of a post-norm Transformer block ({@code LayerNorm(x + sublayer(x))}) in one
   * pass over the rows, each row's sum normalized while it is in the cache, instead of an
   * add over the whole tensor and then the norm over its result. The same values, bit for
   * bit, as {@code forward(x.add(residual), out)}. Allocation-free when the three are
   * contiguous, of one shape and {@code out} shares no storage with {@code x} or {@code
   * residual}; otherwise it adds, then normalizes. Never records for a backward pass: the
   * inference path.
   */
  public Tensor forwardResidual(Tensor x, Tensor residual, Tensor out) {
    Tensor w = weight == null ? null : weight.data();
    Tensor b = bias == null ? null : bias.data();
    if (!rowwise(x, out) || x.dtype() != DType.FLOAT32
        || !residual.sameShape(x)
        || !residual.isContiguous() || residual.dtype() != DType.FLOAT32
        || residual.sharesStorageWith(out) || w != null && !w.isContiguous()
        || b != null && !b.isContiguous()) {
      try (GradMode.Scope scope = GradMode.noGrad()) {
        return forward(x.add(residual), out);
      }
    }
    int n = normalizedSize();
    int rows = Math.toIntExact(x.numel() / n);
    float[] os = out.array();
    out.bumpVersion();
    for (int r = 0; r < rows; r++) {
      int oo = out.arrayOffset() + r * n;
      Kernels.binary(BinaryOp.ADD, x.array(), x.arrayOffset() + r * n, residual.array(),
          residual.arrayOffset() + r * n, os, oo, n);
      normalizeRow(os, oo, os, oo, n, w, b);
    }
    return out;
  }

  /** One row normalized from {@code xs} into {@code os} ({@code os} may be {@code xs} in place). */
  private void normalizeRow(float[] xs, int xo, float[] os, int oo, int n, Tensor w, Tensor b) {
    float mean = Kernels.sum(xs, xo, n) / n;
    Kernels.binaryScalar(BinaryOp.SUB, xs, xo, mean, os, oo, n); // centered
    float var = Kernels.dot(os, oo, os, oo, n) / n; // biased
    Kernels.binaryScalar(BinaryOp.DIV, os, oo, (float) Math.sqrt(var + (float) eps), os, oo, n);
    if (w != null) {
      Kernels.binary(BinaryOp.MUL, os, oo, w.array(), w.arrayOffset(), os, oo, n);
      Kernels.binary(BinaryOp.ADD, os, oo, b.array(), b.arrayOffset(), os, oo, n);
    }
  }

  private int normalizedSize() {
    int n = 1;
    for (int d : normalizedShape) {
      n *= d;
    }
    return n;
  }

  /** Contiguous, separate, of one shape ending with the normalized dims (no allocation). */
  private boolean rowwise(Tensor x, Tensor out) {
    int k = normalizedShape.length;
    if (!x.isContiguous() || !out.isContiguous() || x.sharesStorageWith(out)
        || x.dim() < k || out.dim() != x.dim()) {
      return false;
    }
    for (int d = 0; d < x.dim(); d++) {
      if (x.size(d) != out.size(d) || d >= x.dim() - k && x.size(d) != normalizedShape[d - x.dim() + k]) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String extraRepr() {
    return PyFormat.tuple(normalizedShape) + ", eps=" + PyFormat.floatRepr(eps)
        + ", elementwise_affine=" + PyFormat.bool(weight != null);
  }

  // covariant returns, so that calls chain: LayerNorm layer = new LayerNorm(...).eval();

  @Override
  public LayerNorm train() {
    return train(true);
  }

  @Override
  public LayerNorm train(boolean mode) {
    super.train(mode);
    return this;
  }

  @Override
  public LayerNorm eval() {
    return train(false);
  }
}
