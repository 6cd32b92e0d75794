package dev.netspec.runtime.optim;

import dev.netspec.runtime.kernels.Updates;
import dev.netspec.runtime.tensor.Tensor;
import java.util.List;

/**
 * Adam and AdamW, which differ only in the weight decay: Adam adds {@code weight_decay p} to
 * the gradient, AdamW multiplies {@code p} by {@code 1 - lr weight_decay} first. State:
 * {@code step}, {@code exp_avg}, {@code exp_avg_sq}, and {@code max_exp_avg_sq} with amsgrad.
 */
abstract class AdamBase extends Optimizer {
  private final boolean decoupled;

  AdamBase(List<ParamGroup> groups, double lr, double beta1, double beta2, double eps,
      double weightDecay, boolean amsgrad, boolean decoupled) {
    super(groups, options("lr", lr, "beta1", beta1, "beta2", beta2, "eps", eps,
        "weight_decay", weightDecay, "amsgrad", amsgrad));
    this.decoupled = decoupled;
  }

  @Override
  protected void check(ParamGroup g) {
    require(g.lr() >= 0, "learning rate", g.lr());
    require(g.getDouble("eps") >= 0, "epsilon value", g.getDouble("eps"));
    double b1 = g.getDouble("beta1");
    double b2 = g.getDouble("beta2");
    require(b1 >= 0 && b1 < 1, "beta parameter at index 0", b1);
    require(b2 >= 0 && b2 < 1, "beta parameter at index 1", b2);
    require(g.getDouble("weight_decay") >= 0, "weight_decay value",
        g.getDouble("weight_decay"));
  }

  @Override
  void update(ParamGroup g, Tensor p, Tensor grad, ParamState s, Updates.Mirror mirror) {
    double lr = g.lr();
    double wd = g.getDouble("weight_decay");
    double beta1 = g.getDouble("beta1");
    double beta2 = g.getDouble("beta2");
    float[] m = s.buffer("exp_avg", p);
    float[] v = s.buffer("exp_avg_sq", p);
    float[] vMax = g.getBoolean("amsgrad") ? s.buffer("max_exp_avg_sq", p) : null;
    double stepSize = lr / (1 - Math.pow(beta1, s.step));
    double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, s.step));
    Updates.adam(p.array(), p.arrayOffset(), grad.array(), grad.arrayOffset(), m, v, vMax,
        (int) p.numel(), decoupled ? (float) (1 - lr * wd) : 1f, decoupled ? 0f : (float) wd,
        (float) beta1, (float) beta2, (float) -stepSize, (float) bc2Sqrt,
        (float) g.getDouble("eps"), mirror);
  }
}
