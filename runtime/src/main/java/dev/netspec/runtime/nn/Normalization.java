package dev.netspec.runtime.nn;

import dev.netspec.runtime.kernels.Kernels;
import dev.netspec.runtime.tensor.DType;
import dev.netspec.runtime.tensor.Tensor;
import java.util.Arrays;

/**
 * The loops of batch and group normalization over a contiguous {@code (N, C, L)} view of the
 * input, {@code L} the product of the spatial dims (1 for a {@code (N, C)} input). Each
 * normalization is statistics, then one per-channel affine {@code y = x * scale + shift}
 * ({@link Kernels#scaleShift}) per {@code (n, c)} row. Callers own every array, so the layers'
 * forwards allocate nothing once warm.
 */
final class Normalization {
  private Normalization() {}

  /**
   * Batch normalization of {@code x} into {@code out}: batch statistics when
   * {@code training} (updating the running statistics, if given, with {@code momentum} and the
   * unbiased variance), else the running statistics.
   *
   * @param saveMean length C: the batch mean (training) or running mean (eval)
   * @param saveInvStd length C: {@code 1 / sqrt(var + eps)} of the variance used
   * @param scale length C, scratch: the per-channel scale applied
   * @param shift length C, scratch: the per-channel shift applied
   */
  static void batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight,
      Tensor bias, boolean training, double momentum, double eps, Tensor out, float[] saveMean,
      float[] saveInvStd, float[] scale, float[] shift) {
    int channels = x.size(1);
    int batch = x.size(0);
    int l = spatial(x);
    long count = (long) batch * l; // values per channel, > 1 in training (checkBatchNorm)
    Tensor xc = x.contiguous(); // (N, C, L)
    float[] xs = xc.array();
    int xo = xc.arrayOffset();
    if (training) {
      for (int c = 0; c < channels; c++) {
        double sum = 0;
        for (int n = 0; n < batch; n++) {
          sum += Kernels.sum(xs, xo + (n * channels + c) * l, l);
        }
        float mean = (float) (sum / count);
        double squares = 0;
        for (int n = 0; n < batch; n++) {
          squares += Kernels.sumSquaredDeviations(xs, xo + (n * channels + c) * l, mean, l);
        }
        float var = (float) (squares / count); // biased: normalizes this batch
        saveMean[c] = mean;
        saveInvStd[c] = invStd(var, eps);
        if (runningMean != null) {
          float unbiased = (float) (squares / (count - 1));
          updateRunning(runningMean, c, mean, momentum);
          updateRunning(runningVar, c, unbiased, momentum);
        }
      }
      if (runningMean != null) {
        runningMean.bumpVersion();
        runningVar.bumpVersion();
      }
    } else {
      float[] rm = runningMean.array();
      float[] rv = runningVar.array();
      for (int c = 0; c < channels; c++) {
        saveMean[c] = rm[runningMean.arrayOffset() + c];
        saveInvStd[c] = invStd(rv[runningVar.arrayOffset() + c], eps);
      }
    }
    affineFromStats(saveMean, saveInvStd, weight, bias, scale, shift);
    applyPerChannel(xs, xo, batch, channels, l, scale, shift, out);
  }

  private static void updateRunning(Tensor running, int c, float batchValue, double momentum) {
    float[] r = running.array();
    int i = running.arrayOffset() + c;
    r[i] = (float) ((1 - momentum) * r[i] + momentum * batchValue);
  }

  /**
   * {@code scale[c] = weight[c] * invStd[c]}, {@code shift[c] = bias[c] - mean[c] * scale[c]},
   * weight 1 and bias 0 when null: normalization and affine folded into one per-channel affine.
   */
  static void affineFromStats(float[] mean, float[] invStd, Tensor weight, Tensor bias,
      float[] scale, float[] shift) {
    int channels = scale.length;
    float[] w = weight == null ? null : weight.contiguous().array();
    int wo = weight == null ? 0 : weight.contiguous().arrayOffset();
    float[] b = bias == null ? null : bias.contiguous().array();
    int bo = bias == null ? 0 : bias.contiguous().arrayOffset();
    for (int c = 0; c < channels; c++) {
      float a = w == null ? invStd[c] : w[wo + c] * invStd[c];
      scale[c] = a;
      shift[c] = (b == null ? 0f : b[bo + c]) - mean[c] * a;
    }
  }

  /** {@code 1 / sqrt(var + eps)}, in float as PyTorch's CPU kernel computes it. */
  static float invStd(float var, double eps) {
    return 1f / (float) Math.sqrt(var + (float) eps);
  }

  /** {@code out[n, c, :] = x[n, c, :] * scale[c] + shift[c]} over a contiguous {@code out}. */
  private static void applyPerChannel(float[] xs, int xo, int batch, int channels, int l,
      float[] scale, float[] shift, Tensor out) {
    float[] os = out.array();
    int oo = out.arrayOffset();
    for (int n = 0; n < batch; n++) {
      for (int c = 0; c < channels; c++) {
        int row = (n * channels + c) * l;
        Kernels.scaleShift(xs, xo + row, scale[c], shift[c], os, oo + row, l);
      }
    }
    out.bumpVersion();
  }

  /**
   * Group normalization of {@code x} into {@code out}: statistics over each sample's group of
   * {@code C / groups} channels and the spatial dims (biased variance), then the channel's
   * affine.
   *
   * @param saveMean length N * groups: the mean of each (sample, group)
   * @param saveRstd length N * groups: {@code 1 / sqrt(var + eps)} of each (sample, group)
   */
  static void groupNorm(Tensor x, int groups, Tensor weight, Tensor bias, double eps,
      Tensor out, float[] saveMean, float[] saveRstd) {
    int batch = x.size(0);
    int channels = x.size(1);
    int l = spatial(x);
    int perGroup = channels / groups;
    int block = perGroup * l; // one (sample, group): contiguous in (N, C, L)
    Tensor xc = x.contiguous();
    float[] xs = xc.array();
    int xo = xc.arrayOffset();
    float[] w = weight == null ? null : weight.contiguous().array();
    int wo = weight == null ? 0 : weight.contiguous().arrayOffset();
    float[] b = bias == null ? null : bias.contiguous().array();
    int bo = bias == null ? 0 : bias.contiguous().arrayOffset();
    float[] os = out.array();
    int oo = out.arrayOffset();
    for (int n = 0; n < batch; n++) {
      for (int g = 0; g < groups; g++) {
        int start = xo + (n * groups + g) * block;
        float mean = block == 0 ? Float.NaN : Kernels.sum(xs, start, block) / block;
        float var = Kernels.sumSquaredDeviations(xs, start, mean, block) / block;
        float rstd = invStd(var, eps);
        saveMean[n * groups + g] = mean;
        saveRstd[n * groups + g] = rstd;
        for (int c = g * perGroup; c < (g + 1) * perGroup; c++) {
          float a = w == null ? rstd : w[wo + c] * rstd;
          float s = (b == null ? 0f : b[bo + c]) - mean * a;
          int row = (n * channels + c) * l;
          Kernels.scaleShift(xs, xo + row, a, s, os, oo + row, l);
        }
      }
    }
    out.bumpVersion();
  }

  /** Refuses an {@code out} whose shape is not {@code x}'s, naming the layer. */
  static void checkOut(String layer, Tensor x, Tensor out) {
    boolean same = out.dim() == x.dim();
    for (int d = 0; same && d < x.dim(); d++) {
      same = out.size(d) == x.size(d);
    }
    if (!same) {
      throw new IllegalArgumentException(layer + ": out has shape "
          + Arrays.toString(out.shape()) + ", the result has shape "
          + Arrays.toString(x.shape()));
    }
  }

  /** The product of the dims after the channel dim. */
  static int spatial(Tensor x) {
    int l = 1;
    for (int d = 2; d < x.dim(); d++) {
      l *= x.size(d);
    }
    return l;
  }

  /**
   * Whether {@code out}, of {@code x}'s shape ({@link #checkOut}), can take the result
   * directly: float32, contiguous, and either separate from {@code x} or exactly {@code x}
   * (the loops read each element before writing it).
   */
  static boolean writable(Tensor x, Tensor out) {
    return out.dtype() == DType.FLOAT32 && out.isContiguous()
        && (!out.sharesStorageWith(x) || out == x && x.isContiguous());
  }
}
