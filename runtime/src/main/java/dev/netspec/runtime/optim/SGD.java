package dev.netspec.runtime.optim;

import dev.netspec.runtime.kernels.Updates;
import dev.netspec.runtime.nn.Parameter;
import dev.netspec.runtime.tensor.Tensor;
import java.util.Collection;
import java.util.List;

/**
 * {@code torch.optim.SGD(params, lr, momentum=0, dampening=0, weight_decay=0,
 * nesterov=False)}: {@code d = g + weight_decay p}; with momentum, {@code buf = d} at the
 * first step, then {@code momentum buf + (1 - dampening) d}, and {@code d = nesterov ? d +
 * momentum buf : buf}; {@code p -= lr d}. State: {@code momentum_buffer}.
 */
public final class SGD extends Optimizer {
  /** {@code SGD(params, lr)}: plain gradient descent. */
  public SGD(Collection<Parameter> params, double lr) {
    this(single(params), lr, 0, 0, 0, false);
  }

  public SGD(Collection<Parameter> params, double lr, double momentum, double dampening,
      double weightDecay, boolean nesterov) {
    this(single(params), lr, momentum, dampening, weightDecay, nesterov);
  }

  /** Over parameter groups; the arguments are the defaults of options a group lacks. */
  public SGD(List<ParamGroup> groups, double lr, double momentum, double dampening,
      double weightDecay, boolean nesterov) {
    super(groups, options("lr", lr, "momentum", momentum, "dampening", dampening,
        "weight_decay", weightDecay, "nesterov", nesterov));
  }

  @Override
  protected void check(ParamGroup g) {
    require(g.lr() >= 0, "learning rate", g.lr());
    require(g.getDouble("momentum") >= 0, "momentum value", g.getDouble("momentum"));
    require(g.getDouble("weight_decay") >= 0, "weight_decay value",
        g.getDouble("weight_decay"));
    if (g.getBoolean("nesterov")
        && (g.getDouble("momentum") <= 0 || g.getDouble("dampening") != 0)) {
      throw new IllegalArgumentException(
          "Nesterov momentum requires a momentum and zero dampening");
    }
  }

  @Override
  void update(ParamGroup g, Tensor p, Tensor grad, ParamState s, Updates.Mirror mirror) {
    double momentum = g.getDouble("momentum");
    boolean first = !s.has("momentum_buffer");
    float[] buf = momentum != 0 ? s.buffer("momentum_buffer", p) : null;
    Updates.sgd(p.array(), p.arrayOffset(), grad.array(), grad.arrayOffset(), buf,
        (int) p.numel(), (float) g.lr(), (float) momentum, (float) g.getDouble("dampening"),
        (float) g.getDouble("weight_decay"), g.getBoolean("nesterov"), first, mirror);
  }
}
