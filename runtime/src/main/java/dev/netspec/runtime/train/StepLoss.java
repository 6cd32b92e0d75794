package dev.netspec.runtime.train;

import dev.netspec.runtime.loss.CrossEntropyLoss;
import dev.netspec.runtime.loss.Loss;
import dev.netspec.runtime.loss.MSELoss;
import dev.netspec.runtime.loss.Reduction;
import dev.netspec.runtime.tensor.DType;
import dev.netspec.runtime.tensor.Tensor;
import java.util.Arrays;

/**
 * A loss's value and its gradient with respect to the model's output in one pass, written
 * into a buffer: the same double arithmetic, in the same order, as the loss's own {@code
 * forward} and {@code backward} (so the same bits), without allocating.
 */
abstract class StepLoss {
  /**
   * The loss of {@code y} against {@code target} (as {@code loss.forward(y, target).item()})
   * with {@code d loss / d y} written into {@code grad} (y's shape, contiguous).
   */
  abstract float valueAndGrad(Tensor y, Tensor target, Tensor grad);

  /** The fused form of {@code loss}, or null if there is none (see {@link TrainStep}). */
  static StepLoss of(Loss loss) {
    if (loss instanceof CrossEntropyLoss ce && loss.reduction() != Reduction.NONE) {
      return new CrossEntropy(ce);
    }
    if (loss instanceof MSELoss && loss.reduction() != Reduction.NONE) {
      return new MeanSquared(loss.reduction());
    }
    return null;
  }

  /** {@link CrossEntropyLoss} over logits {@code (N, C)} and int64 class indices {@code (N)}. */
  static final class CrossEntropy extends StepLoss {
    private final CrossEntropyLoss loss;
    private double[] logp = new double[0];

    CrossEntropy(CrossEntropyLoss loss) {
      this.loss = loss;
    }

    @Override
    float valueAndGrad(Tensor y, Tensor target, Tensor grad) {
      if (y.dim() != 2 || target.dtype() != DType.INT64 || target.dim() != 1
          || target.size(0) != y.size(0) || !target.isContiguous() || y.size(0) == 0) {
        // the loss's own checks and messages
        return loss.forward(y, target).item();
      }
      int rows = y.size(0);
      int c = y.size(1);
      long ignore = loss.ignoreIndex();
      double smoothing = loss.labelSmoothing();
      long[] t = target.longArray();
      int to = target.arrayOffset();
      int counted = 0;
      for (int i = 0; i < rows; i++) {
        long v = t[to + i];
        if (v == ignore) {
          continue;
        }
        if (v < 0 || v >= c) {
          return loss.forward(y, target).item(); // throws the loss's out-of-bounds error
        }
        counted++;
      }
      if (logp.length < c) {
        logp = new double[c];
      }
      boolean mean = loss.reduction() == Reduction.MEAN;
      double scale = mean ? 1.0 / counted : 1.0; // rowScales of an upstream 1
      float[] x = y.array();
      int xo = y.arrayOffset();
      float[] out = grad.array();
      int oo = grad.arrayOffset();
      double sum = 0;
      for (int i = 0; i < rows; i++) {
        int row = i * c;
        if (t[to + i] == ignore) {
          Arrays.fill(out, oo + row, oo + row + c, 0f);
          continue;
        }
        logSoftmax(x, xo + row, c, logp);
        double all = 0;
        for (int j = 0; j < c; j++) {
          all += logp[j];
        }
        int ti = (int) t[to + i];
        sum += -(1 - smoothing) * logp[ti] - smoothing / c * all;
        for (int j = 0; j < c; j++) {
          double q = (j == ti ? 1 - smoothing : 0) + smoothing / c;
          out[oo + row + j] = (float) (scale * (Math.exp(logp[j]) - q));
        }
      }
      grad.bumpVersion();
      return (float) (mean ? sum / counted : sum);
    }

    /** {@code log_softmax} of {@code x[off .. off + n)} in double, as the loss computes it. */
    private static void logSoftmax(float[] x, int off, int n, double[] out) {
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < n; j++) {
        max = Math.max(max, x[off + j]);
      }
      double sum = 0;
      for (int j = 0; j < n; j++) {
        sum += Math.exp(x[off + j] - max);
      }
      double log = Math.log(sum);
      for (int j = 0; j < n; j++) {
        out[j] = x[off + j] - max - log;
      }
    }
  }

  /** {@link MSELoss}: {@code (y - t)^2}, mean or summed; the target has y's shape. */
  static final class MeanSquared extends StepLoss {
    private final Reduction reduction;

    MeanSquared(Reduction reduction) {
      this.reduction = reduction;
    }

    @Override
    float valueAndGrad(Tensor y, Tensor target, Tensor grad) {
      if (target.dtype() != DType.FLOAT32 || !y.sameShape(target)
          || !target.isContiguous() || y.numel() == 0) {
        return new MSELoss(reduction).forward(y, target).item(); // its checks and messages
      }
      int n = Math.toIntExact(y.numel());
      float[] x = y.array();
      int xo = y.arrayOffset();
      float[] t = target.array();
      int to = target.arrayOffset();
      float[] out = grad.array();
      int oo = grad.arrayOffset();
      double scale = reduction == Reduction.MEAN ? 1.0 / n : 1.0;
      double gi = 1.0f * scale;
      double sum = 0;
      for (int i = 0; i < n; i++) {
        double d = (double) x[xo + i] - t[to + i];
        sum += d * d;
        out[oo + i] = (float) (2 * d * gi);
      }
      grad.bumpVersion();
      return (float) (reduction == Reduction.MEAN ? sum / n : sum);
    }
  }
}
