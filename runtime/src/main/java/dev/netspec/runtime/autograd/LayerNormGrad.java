package dev.netspec.runtime.autograd;

import dev.netspec.runtime.nn.Parameter;
import dev.netspec.runtime.tensor.Tensor;
import java.util.Arrays;

/**
 * The derivative of {@code F.layer_norm(x, normalized_shape, weight, bias, eps)}. Per row of
 * the normalized dims (n values), with {@code xhat = (x - mean) * rstd}, {@code rstd =
 * 1 / sqrt(var + eps)} (the biased variance) and {@code dxhat = g * weight}:
 *
 * <pre>
 * grad x      = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))
 * grad weight = sum over rows of g * xhat
 * grad bias   = sum over rows of g
 * </pre>
 *
 * The row statistics are recomputed from {@code x} in double (cheaper than keeping them in
 * the workspace), so the backward needs only the forward's input.
 */
public final class LayerNormGrad {
  private LayerNormGrad() {}

  /** The three gradients; {@code weight} and {@code bias} are shaped as the normalized dims. */
  public record Result(Tensor input, Tensor weight, Tensor bias) {}

  /**
   * Every gradient of {@code layer_norm}; {@code weight} may be null (no elementwise
   * affine), which the input gradient then reads as ones.
   */
  public static Result backward(Tensor gradOutput, Tensor x, int[] normalizedShape,
      Tensor weight, double eps) {
    int[] shape = x.shape();
    int k = normalizedShape.length;
    boolean ends = k <= shape.length && Arrays.equals(
        Arrays.copyOfRange(shape, shape.length - k, shape.length), normalizedShape);
    if (!ends || !Arrays.equals(gradOutput.shape(), shape)) {
      throw new IllegalArgumentException("layer_norm backward: input "
          + Arrays.toString(shape) + " and gradOutput " + Arrays.toString(gradOutput.shape())
          + " must be one shape ending with " + Arrays.toString(normalizedShape));
    }
    int n = 1;
    for (int d : normalizedShape) {
      n *= d;
    }
    int rows = Math.toIntExact(x.numel() / Math.max(n, 1));
    float[] xs = x.toFloatArray();
    float[] gs = gradOutput.toFloatArray();
    float[] w = weight == null ? null : weight.toFloatArray();
    float[] dx = new float[xs.length];
    double[] dw = new double[n];
    double[] db = new double[n];
    double[] xhat = new double[n];
    double[] dxhat = new double[n];
    for (int r = 0; r < rows; r++) {
      int base = r * n;
      double mean = 0;
      for (int j = 0; j < n; j++) {
        mean += xs[base + j];
      }
      mean /= n;
      double var = 0;
      for (int j = 0; j < n; j++) {
        double c = xs[base + j] - mean;
        var += c * c;
      }
      double rstd = 1 / Math.sqrt(var / n + eps);
      double meanD = 0;
      double meanDX = 0;
      for (int j = 0; j < n; j++) {
        double g = gs[base + j];
        xhat[j] = (xs[base + j] - mean) * rstd;
        dxhat[j] = w == null ? g : g * w[j];
        meanD += dxhat[j];
        meanDX += dxhat[j] * xhat[j];
        dw[j] += g * xhat[j];
        db[j] += g;
      }
      meanD /= n;
      meanDX /= n;
      for (int j = 0; j < n; j++) {
        dx[base + j] = (float) (rstd * (dxhat[j] - meanD - xhat[j] * meanDX));
      }
    }
    return new Result(Tensor.fromArray(dx, shape), toTensor(dw, normalizedShape),
        toTensor(db, normalizedShape));
  }

  /**
   * The backward of a {@link dev.netspec.runtime.nn.LayerNorm}: accumulates into {@code
   * weight.grad} and {@code bias.grad} (either may be null) and returns {@code d L / d x}.
   */
  public static Tensor backward(Tensor gradOutput, Tensor x, int[] normalizedShape,
      Parameter weight, Parameter bias, double eps) {
    Result r = backward(gradOutput, x, normalizedShape, weight == null ? null : weight.data(),
        eps);
    if (weight != null) {
      Grads.accumulateOwned(weight, r.weight());
    }
    if (bias != null) {
      Grads.accumulateOwned(bias, r.bias());
    }
    return r.input();
  }

  private static Tensor toTensor(double[] values, int[] shape) {
    float[] out = new float[values.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) values[i];
    }
    return Tensor.fromArray(out, shape);
  }
  /**
   * Records {@code y = layer_norm(x, normalizedShape, weight, bias, eps)} ({@code
   * NativeLayerNormBackward0}) when recording is on and an input requires a gradient ({@code
   * weight} and {@code bias} may be null); returns {@code y}.
   */
  public static Tensor record(Tensor x, int[] normalizedShape, Tensor weight, Tensor bias,
      double eps, Tensor y) {
    if (Autograd.isRecording(x, weight) || bias != null && Autograd.isRecording(bias)) {
      new NativeLayerNormBackward(x, normalizedShape.clone(), weight, bias, eps).record(y);
    }
    return y;
  }

  private static final class NativeLayerNormBackward extends Node {
    private final SavedTensor x;
    private final SavedTensor weight;
    private final int[] normalizedShape;
    private final double eps;

    NativeLayerNormBackward(Tensor x, int[] normalizedShape, Tensor weight, Tensor bias,
        double eps) {
      super("NativeLayerNormBackward0", x, weight, bias);
      this.x = save(x);
      this.weight = save(weight);
      this.normalizedShape = normalizedShape;
      this.eps = eps;
    }

    @Override
    protected Tensor[] backward(Tensor[] gradOutputs) {
      Result r = LayerNormGrad.backward(gradOutputs[0], x.get(), normalizedShape,
          weight == null ? null : weight.get(), eps);
      return new Tensor[] {needsInputGrad(0) ? r.input() : null,
          needsInputGrad(1) ? r.weight() : null, needsInputGrad(2) ? r.bias() : null};
    }
  }
}
