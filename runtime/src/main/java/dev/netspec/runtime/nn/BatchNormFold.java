package dev.netspec.runtime.nn;

import dev.netspec.runtime.tensor.Tensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * The eval-mode statistics of a batch norm that follows a convolution, for {@link
 * ConvNd#forwardInto(Tensor, BatchNormFold, dev.netspec.runtime.kernels.Activation, Tensor,
 * Tensor) ConvNd.forwardInto} to fold into the convolution's packed filters: per output channel
 * {@code c}, with {@code s = weight[c] / sqrt(running_var[c] + eps)}, the filters become {@code
 * w[c] * s} and the bias {@code (b[c] - running_mean[c]) * s + bias[c]} ({@code weight} ones and
 * {@code bias} zeros when null, as without {@code affine}). The tensors are the batch norm's
 * own, held by reference: the fold is redone whenever one of them, or the convolution's weight
 * or bias, is another tensor or its {@link Tensor#version() version} changed, and the layers'
 * state dicts are never touched. Made once per layer pair, so a warm forward allocates nothing;
 * after {@link Parameter#setData} gives the batch norm's weight or bias another tensor, make a
 * new one (in-place edits and {@code loadStateDict} need nothing: they keep the tensors).
 *
 * @param runningMean {@code running_mean}, {@code (C)}
 * @param runningVar {@code running_var}, {@code (C)}
 * @param weight the batch norm's {@code weight} {@code (C)}, or null
 * @param bias the batch norm's {@code bias} {@code (C)}, or null
 * @param eps added to the variance, positive
 */
public record BatchNormFold(Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
    double eps) {

  /** The statistics are checked once here: rank 1, one length, eps positive. */
  public BatchNormFold {
    Objects.requireNonNull(runningMean, "runningMean");
    Objects.requireNonNull(runningVar, "runningVar");
    int channels = runningMean.dim() == 1 ? runningMean.size(0) : -1;
    for (Tensor t : new Tensor[] {runningMean, runningVar, weight, bias}) {
      if (t != null && (t.dim() != 1 || t.size(0) != channels)) {
        throw new IllegalArgumentException("batch norm fold: running_mean, running_var, weight"
            + " and bias must all be (C), got " + Arrays.toString(runningMean.shape()) + " and "
            + Arrays.toString(t.shape()));
      }
    }
    if (!(eps >= 0)) {
      throw new IllegalArgumentException("batch norm fold: eps must be at least 0, got " + eps);
    }
  }

  /** The channels: {@code running_mean.size(0)}. */
  public int channels() {
    return runningMean.size(0);
  }
}
