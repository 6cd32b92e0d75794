package dev.netspec.runtime.loss;

import dev.netspec.runtime.autograd.LossGrad;
import dev.netspec.runtime.tensor.Tensor;

/**
 * {@code nn.CrossEntropyLoss(ignore_index, reduction, label_smoothing)} / {@code
 * F.cross_entropy} over logits {@code (N, C)} (or {@code (C)}) and int64 class indices: with
 * {@code logp = log_softmax(x)} and smoothing {@code s}, row i's loss is {@code -(1 - s)
 * logp[t_i] - (s / C) sum_c logp[c]}, 0 for an ignored row; {@code mean} divides by the rows
 * not ignored (NaN when every row is). The gradient is {@code softmax(x) - (1 - s) onehot(t)
 * - s / C}, scaled per row; ignored rows get 0.
 */
public final class CrossEntropyLoss extends ClassIndexLoss {
  private final double labelSmoothing;

  /** {@code ignore_index=-100, reduction='mean', label_smoothing=0.0}. */
  public CrossEntropyLoss() {
    this(Reduction.MEAN, -100, 0.0);
  }

  public CrossEntropyLoss(Reduction reduction, long ignoreIndex, double labelSmoothing) {
    super(reduction, ignoreIndex);
    if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
      throw new IllegalArgumentException(
          "label_smoothing must be between 0.0 and 1.0. Got: " + labelSmoothing);
    }
    this.labelSmoothing = labelSmoothing;
  }

  public double labelSmoothing() {
    return labelSmoothing;
  }

  @Override
  public Tensor forward(Tensor input, Tensor target) {
    ClassTargets ct = ClassTargets.of("cross_entropy", input, target, ignoreIndex());
    int c = ct.classes();
    float[] x = input.toFloatArray();
    double[] logp = new double[c];
    double[] loss = new double[ct.rows()];
    for (int i = 0; i < ct.rows(); i++) {
      if (ct.ignored(i, ignoreIndex())) {
        continue;
      }
      logSoftmax(x, i * c, c, logp);
      double all = 0;
      for (double v : logp) {
        all += v;
      }
      loss[i] = -(1 - labelSmoothing) * logp[(int) ct.targets()[i]] - labelSmoothing / c * all;
    }
    // with label smoothing PyTorch adds the smoothing term to the NLL last
    return LossGrad.record(labelSmoothing > 0 ? "AddBackward0" : "NllLossBackward0", this, input, target,
        ct.reduce(loss, reduction(), target.shape()));
  }

  @Override
  public Tensor backward(Tensor gradOutput, Tensor input, Tensor target) {
    ClassTargets ct = ClassTargets.of("cross_entropy", input, target, ignoreIndex());
    int c = ct.classes();
    double[] scale = ct.rowScales(gradOutput, reduction(), target.shape(), "cross_entropy");
    float[] x = input.toFloatArray();
    float[] out = new float[x.length];
    double[] logp = new double[c];
    for (int i = 0; i < ct.rows(); i++) {
      if (ct.ignored(i, ignoreIndex())) {
        continue;
      }
      logSoftmax(x, i * c, c, logp);
      int t = (int) ct.targets()[i];
      for (int j = 0; j < c; j++) {
        double q = (j == t ? 1 - labelSmoothing : 0) + labelSmoothing / c;
        out[i * c + j] = (float) (scale[i] * (Math.exp(logp[j]) - q));
      }
    }
    return Tensor.fromArray(out, input.shape());
  }

  /** {@code log_softmax} of {@code x[off .. off + n)} in double (NaN in, NaN out). */
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
