package dev.netspec.runtime.loss;

import dev.netspec.runtime.autograd.LossGrad;
import dev.netspec.runtime.tensor.Tensor;

/**
 * {@code nn.NLLLoss(ignore_index, reduction)} / {@code F.nll_loss}: {@code -input[i,
 * target[i]]} over log-probabilities {@code (N, C)} and int64 class indices {@code (N)};
 * targets equal to {@code ignore_index} count nothing, and {@code mean} divides by the
 * targets that are not ignored.
 */
public final class NLLLoss extends ClassIndexLoss {
  /** {@code ignore_index=-100, reduction='mean'}. */
  public NLLLoss() {
    this(Reduction.MEAN, -100);
  }

  public NLLLoss(Reduction reduction, long ignoreIndex) {
    super(reduction, ignoreIndex);
  }

  @Override
  public Tensor forward(Tensor input, Tensor target) {
    ClassTargets ct = ClassTargets.of("nll_loss", input, target, ignoreIndex());
    float[] x = input.toFloatArray();
    double[] loss = new double[ct.rows()];
    for (int i = 0; i < ct.rows(); i++) {
      if (!ct.ignored(i, ignoreIndex())) {
        loss[i] = -x[i * ct.classes() + (int) ct.targets()[i]];
      }
    }
    return LossGrad.record("NllLossBackward0", this, input, target,
        ct.reduce(loss, reduction(), target.shape()));
  }

  @Override
  public Tensor backward(Tensor gradOutput, Tensor input, Tensor target) {
    ClassTargets ct = ClassTargets.of("nll_loss", input, target, ignoreIndex());
    double[] scale = ct.rowScales(gradOutput, reduction(), target.shape(), "nll_loss");
    float[] out = new float[Math.toIntExact(input.numel())];
    for (int i = 0; i < ct.rows(); i++) {
      if (!ct.ignored(i, ignoreIndex())) {
        out[i * ct.classes() + (int) ct.targets()[i]] = (float) -scale[i];
      }
    }
    return Tensor.fromArray(out, input.shape());
  }
}
