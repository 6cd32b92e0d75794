package dev.netspec.runtime.optim;

import dev.netspec.runtime.kernels.Updates;
import dev.netspec.runtime.nn.Parameter;
import dev.netspec.runtime.tensor.Tensor;
import java.util.Collection;
import java.util.List;

/**
 * {@code torch.optim.RMSprop(params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0,
 * momentum=0, centered=False)}: {@code d = g + weight_decay p}, {@code sq = alpha sq + (1 -
 * alpha) d^2}, {@code avg = sqrt(sq) + eps} (centered: {@code sqrt(sq - gavg^2) + eps} with
 * {@code gavg} the running mean of d); with momentum {@code buf = momentum buf + d / avg,
 * p -= lr buf}, else {@code p -= lr d / avg}. State: {@code step}, {@code square_avg},
 * {@code momentum_buffer}, {@code grad_avg}.
 */
public final class RMSprop extends Optimizer {
  /** PyTorch's defaults. */
  public RMSprop(Collection<Parameter> params) {
    this(params, 1e-2);
  }

  public RMSprop(Collection<Parameter> params, double lr) {
    this(single(params), lr, 0.99, 1e-8, 0, 0, false);
  }

  /** Over parameter groups; the arguments are the defaults of options a group lacks. */
  public RMSprop(List<ParamGroup> groups, double lr, double alpha, double eps,
      double weightDecay, double momentum, boolean centered) {
    super(groups, options("lr", lr, "alpha", alpha, "eps", eps, "weight_decay", weightDecay,
        "momentum", momentum, "centered", centered));
  }

  @Override
  protected void check(ParamGroup g) {
    require(g.lr() >= 0, "learning rate", g.lr());
    require(g.getDouble("eps") >= 0, "epsilon value", g.getDouble("eps"));
    require(g.getDouble("momentum") >= 0, "momentum value", g.getDouble("momentum"));
    require(g.getDouble("weight_decay") >= 0, "weight_decay value",
        g.getDouble("weight_decay"));
    require(g.getDouble("alpha") >= 0, "alpha value", g.getDouble("alpha"));
  }

  @Override
  void update(ParamGroup g, Tensor p, Tensor grad, ParamState s, Updates.Mirror mirror) {
    double momentum = g.getDouble("momentum");
    float[] sq = s.buffer("square_avg", p);
    float[] buf = momentum > 0 ? s.buffer("momentum_buffer", p) : null;
    float[] gAvg = g.getBoolean("centered") ? s.buffer("grad_avg", p) : null;
    Updates.rmsprop(p.array(), p.arrayOffset(), grad.array(), grad.arrayOffset(), sq, gAvg,
        buf, (int) p.numel(), (float) g.lr(), (float) g.getDouble("alpha"),
        (float) g.getDouble("eps"), (float) g.getDouble("weight_decay"), (float) momentum,
        mirror);
  }
}
