package dev.netspec.runtime.autograd;

import dev.netspec.runtime.nn.BatchNorm;
import dev.netspec.runtime.tensor.Tensor;
import java.util.Arrays;

/**
 * The derivative of {@code F.batch_norm} over the channel dim 1 of {@code x} {@code (N, C,
 * *)} ({@code NativeBatchNormBackward0}). Per channel, over its {@code M = N * spatial}
 * values, with {@code xhat = (x - mean) * rstd} and {@code dxhat = g * weight}:
 *
 * <pre>
 * training (batch statistics, the biased variance):
 *   grad x = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))
 * eval (running statistics, constants):
 *   grad x = dxhat * rstd
 * grad weight = sum of g * xhat;  grad bias = sum of g
 * </pre>
 *
 * The running statistics are buffers and get no gradient. The batch statistics are
 * recomputed from {@code x} in double, so the backward needs only the forward's input.
 */
public final class BatchNormGrad {
  private BatchNormGrad() {}

  /** The three gradients; {@code weight} and {@code bias} are {@code (C)}. */
  public record Result(Tensor input, Tensor weight, Tensor bias) {}

  /**
   * Every gradient of {@code batch_norm}: with {@code training} (or without running
   * statistics) the batch's statistics, else {@code runningMean} and {@code runningVar};
   * {@code weight} null reads as ones.
   */
  public static Result backward(Tensor gradOutput, Tensor x, Tensor weight, Tensor runningMean,
      Tensor runningVar, boolean training, double eps) {
    int[] shape = x.shape();
    if (x.dim() < 2 || !Arrays.equals(gradOutput.shape(), shape)) {
      throw new IllegalArgumentException("batch_norm backward: input " + Arrays.toString(shape)
          + " and gradOutput " + Arrays.toString(gradOutput.shape())
          + " must be one shape (N, C, *)");
    }
    boolean batchStats = training || runningMean == null || runningVar == null;
    int n = shape[0];
    int channels = shape[1];
    int spatial = Math.toIntExact(x.numel() / Math.max(1, (long) n * channels));
    int m = n * spatial;
    float[] xs = x.contiguous().toFloatArray();
    float[] gs = gradOutput.contiguous().toFloatArray();
    float[] w = weight == null ? null : weight.contiguous().toFloatArray();
    float[] rm = batchStats ? null : runningMean.contiguous().toFloatArray();
    float[] rv = batchStats ? null : runningVar.contiguous().toFloatArray();
    float[] dx = new float[xs.length];
    float[] dw = new float[channels];
    float[] db = new float[channels];
    for (int c = 0; c < channels; c++) {
      double mean;
      double var;
      if (batchStats) {
        double sum = 0;
        for (int b = 0; b < n; b++) {
          for (int l = 0, at = (b * channels + c) * spatial; l < spatial; l++) {
            sum += xs[at + l];
          }
        }
        mean = sum / m;
        double sq = 0;
        for (int b = 0; b < n; b++) {
          for (int l = 0, at = (b * channels + c) * spatial; l < spatial; l++) {
            double d = xs[at + l] - mean;
            sq += d * d;
          }
        }
        var = sq / m;
      } else {
        mean = rm[c];
        var = rv[c];
      }
      double rstd = 1 / Math.sqrt(var + eps);
      double wc = w == null ? 1 : w[c];
      double sumG = 0;
      double sumGX = 0;
      for (int b = 0; b < n; b++) {
        for (int l = 0, at = (b * channels + c) * spatial; l < spatial; l++) {
          double g = gs[at + l];
          sumG += g;
          sumGX += g * (xs[at + l] - mean) * rstd;
        }
      }
      dw[c] = (float) sumGX;
      db[c] = (float) sumG;
      // mean(dxhat) = wc * sumG / m, mean(dxhat * xhat) = wc * sumGX / m
      double meanD = batchStats ? wc * sumG / m : 0;
      double meanDX = batchStats ? wc * sumGX / m : 0;
      for (int b = 0; b < n; b++) {
        for (int l = 0, at = (b * channels + c) * spatial; l < spatial; l++) {
          double xhat = (xs[at + l] - mean) * rstd;
          dx[at + l] = (float) (rstd * (gs[at + l] * wc - meanD - xhat * meanDX));
        }
      }
    }
    return new Result(Tensor.fromArray(dx, shape), Tensor.fromArray(dw, channels),
        Tensor.fromArray(db, channels));
  }

  /**
   * The backward of a {@link BatchNorm} layer ({@code BatchNorm1d/2d}) applied to {@code x}
   * in its current mode: accumulates into {@code weight.grad} and {@code bias.grad} (when
   * affine) and returns {@code d L / d x}.
   */
  public static Tensor backward(Tensor gradOutput, Tensor x, BatchNorm bn) {
    Result r = backward(gradOutput, x, bn.weight == null ? null : bn.weight.data(),
        bn.runningMean(), bn.runningVar(), bn.isTraining(), bn.eps());
    if (bn.weight != null) {
      Grads.accumulateOwned(bn.weight, r.weight());
    }
    if (bn.bias != null) {
      Grads.accumulateOwned(bn.bias, r.bias());
    }
    return r.input();
  }
  /**
   * Records {@code y = batch_norm(x, ...)} ({@code NativeBatchNormBackward0}) when recording is
   * on and {@code x}, {@code weight} or {@code bias} (either may be null) requires a gradient;
   * returns {@code y}. With {@code batchStats} the backward recomputes the batch's statistics
   * from the saved {@code x}, so running statistics updated in place meanwhile do not matter;
   * without, it reads {@code runningMean} and {@code runningVar}, saved (an in-place edit
   * before the backward is refused).
   */
  public static Tensor record(Tensor x, Tensor weight, Tensor bias, Tensor runningMean,
      Tensor runningVar, boolean batchStats, double eps, Tensor y) {
    if (Autograd.isRecording(x, weight) || bias != null && Autograd.isRecording(bias)) {
      new NativeBatchNormBackward(x, weight, bias, batchStats ? null : runningMean,
          batchStats ? null : runningVar, eps).record(y);
    }
    return y;
  }

  private static final class NativeBatchNormBackward extends Node {
    private final SavedTensor x;
    private final SavedTensor weight;
    private final SavedTensor runningMean;
    private final SavedTensor runningVar;
    private final double eps;

    NativeBatchNormBackward(Tensor x, Tensor weight, Tensor bias, Tensor runningMean,
        Tensor runningVar, double eps) {
      super("NativeBatchNormBackward0", x, weight, bias);
      this.x = save(x);
      this.weight = save(weight);
      this.runningMean = save(runningMean);
      this.runningVar = save(runningVar);
      this.eps = eps;
    }

    @Override
    protected Tensor[] backward(Tensor[] gradOutputs) {
      boolean batchStats = runningMean == null;
      Result r = BatchNormGrad.backward(gradOutputs[0], x.get(),
          weight == null ? null : weight.get(), batchStats ? null : runningMean.get(),
          batchStats ? null : runningVar.get(), batchStats, eps);
      return new Tensor[] {needsInputGrad(0) ? r.input() : null,
          needsInputGrad(1) ? r.weight() : null, needsInputGrad(2) ? r.bias() : null};
    }
  }
}
