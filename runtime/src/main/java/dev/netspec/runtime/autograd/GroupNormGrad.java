package dev.netspec.runtime.autograd;

import dev.netspec.runtime.nn.GroupNorm;
import dev.netspec.runtime.tensor.Tensor;
import java.util.Arrays;

/**
 * The derivative of {@code F.group_norm(x, num_groups, weight, bias, eps)} over {@code x}
 * {@code (N, C, *)} ({@code NativeGroupNormBackward0}). Per sample and group, over its
 * {@code C / G * spatial} values, with {@code xhat = (x - mean) * rstd} (the biased variance)
 * and {@code dxhat = g * weight[c]}:
 *
 * <pre>
 * grad x      = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))
 * grad weight = per channel, the sum of g * xhat;  grad bias = per channel, the sum of g
 * </pre>
 *
 * The statistics are recomputed from {@code x} in double.
 */
public final class GroupNormGrad {
  private GroupNormGrad() {}

  /** The three gradients; {@code weight} and {@code bias} are {@code (C)}. */
  public record Result(Tensor input, Tensor weight, Tensor bias) {}

  /** Every gradient of {@code group_norm}; {@code weight} null reads as ones. */
  public static Result backward(Tensor gradOutput, Tensor x, int numGroups, Tensor weight,
      double eps) {
    int[] shape = x.shape();
    if (x.dim() < 2 || !Arrays.equals(gradOutput.shape(), shape) || numGroups < 1
        || shape[1] % numGroups != 0) {
      throw new IllegalArgumentException("group_norm backward: input "
          + Arrays.toString(shape) + " and gradOutput " + Arrays.toString(gradOutput.shape())
          + " must be one shape (N, C, *) with C divisible by " + numGroups + " groups");
    }
    int n = shape[0];
    int channels = shape[1];
    int spatial = Math.toIntExact(x.numel() / Math.max(1, (long) n * channels));
    int perGroup = channels / numGroups;
    int size = perGroup * spatial;
    float[] xs = x.contiguous().toFloatArray();
    float[] gs = gradOutput.contiguous().toFloatArray();
    float[] w = weight == null ? null : weight.contiguous().toFloatArray();
    float[] dx = new float[xs.length];
    double[] dw = new double[channels];
    double[] db = new double[channels];
    for (int b = 0; b < n; b++) {
      for (int grp = 0; grp < numGroups; grp++) {
        int c0 = grp * perGroup;
        int base = (b * channels + c0) * spatial; // the group's values are consecutive
        double mean = 0;
        for (int i = 0; i < size; i++) {
          mean += xs[base + i];
        }
        mean /= size;
        double var = 0;
        for (int i = 0; i < size; i++) {
          double d = xs[base + i] - mean;
          var += d * d;
        }
        double rstd = 1 / Math.sqrt(var / size + eps);
        double meanD = 0;
        double meanDX = 0;
        for (int i = 0; i < size; i++) {
          int c = c0 + i / spatial;
          double g = gs[base + i];
          double xhat = (xs[base + i] - mean) * rstd;
          double d = w == null ? g : g * w[c];
          meanD += d;
          meanDX += d * xhat;
          dw[c] += g * xhat;
          db[c] += g;
        }
        meanD /= size;
        meanDX /= size;
        for (int i = 0; i < size; i++) {
          int c = c0 + i / spatial;
          double g = gs[base + i];
          double xhat = (xs[base + i] - mean) * rstd;
          double d = w == null ? g : g * w[c];
          dx[base + i] = (float) (rstd * (d - meanD - xhat * meanDX));
        }
      }
    }
    return new Result(Tensor.fromArray(dx, shape), toTensor(dw), toTensor(db));
  }

  /**
   * The backward of a {@link GroupNorm} layer applied to {@code x}: accumulates into {@code
   * weight.grad} and {@code bias.grad} (when affine) and returns {@code d L / d x}.
   */
  public static Tensor backward(Tensor gradOutput, Tensor x, GroupNorm gn) {
    Result r = backward(gradOutput, x, gn.numGroups(), gn.weight == null ? null
        : gn.weight.data(), gn.eps());
    if (gn.weight != null) {
      Grads.accumulateOwned(gn.weight, r.weight());
    }
    if (gn.bias != null) {
      Grads.accumulateOwned(gn.bias, r.bias());
    }
    return r.input();
  }

  private static Tensor toTensor(double[] values) {
    float[] out = new float[values.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) values[i];
    }
    return Tensor.fromArray(out, values.length);
  }
  /**
   * Records {@code y = group_norm(x, numGroups, weight, bias, eps)} ({@code
   * NativeGroupNormBackward0}) when recording is on and an input requires a gradient ({@code
   * weight} and {@code bias} may be null); returns {@code y}.
   */
  public static Tensor record(Tensor x, int numGroups, Tensor weight, Tensor bias, double eps,
      Tensor y) {
    if (Autograd.isRecording(x, weight) || bias != null && Autograd.isRecording(bias)) {
      new NativeGroupNormBackward(x, numGroups, weight, bias, eps).record(y);
    }
    return y;
  }

  private static final class NativeGroupNormBackward extends Node {
    private final SavedTensor x;
    private final SavedTensor weight;
    private final int numGroups;
    private final double eps;

    NativeGroupNormBackward(Tensor x, int numGroups, Tensor weight, Tensor bias, double eps) {
      super("NativeGroupNormBackward0", x, weight, bias);
      this.x = save(x);
      this.weight = save(weight);
      this.numGroups = numGroups;
      this.eps = eps;
    }

    @Override
    protected Tensor[] backward(Tensor[] gradOutputs) {
      Result r = GroupNormGrad.backward(gradOutputs[0], x.get(), numGroups,
          weight == null ? null : weight.get(), eps);
      return new Tensor[] {needsInputGrad(0) ? r.input() : null,
          needsInputGrad(1) ? r.weight() : null, needsInputGrad(2) ? r.bias() : null};
    }
  }
}
