package dev.netspec.runtime.optim;

import dev.netspec.runtime.nn.Parameter;
import java.util.Collection;
import java.util.List;

/**
 * {@code torch.optim.Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
 * amsgrad=False)}: {@code d = g + weight_decay p}, {@code m = beta1 m + (1 - beta1) d},
 * {@code v = beta2 v + (1 - beta2) d^2} (amsgrad: the running max of v), {@code p -= lr /
 * (1 - beta1^t) m / (sqrt(v) / sqrt(1 - beta2^t) + eps)}.
 */
public final class Adam extends AdamBase {
  /** PyTorch's defaults. */
  public Adam(Collection<Parameter> params) {
    this(params, 1e-3);
  }

  public Adam(Collection<Parameter> params, double lr) {
    this(single(params), lr, 0.9, 0.999, 1e-8, 0, false);
  }

  /** Over parameter groups; the arguments are the defaults of options a group lacks. */
  public Adam(List<ParamGroup> groups, double lr, double beta1, double beta2, double eps,
      double weightDecay, boolean amsgrad) {
    super(groups, lr, beta1, beta2, eps, weightDecay, amsgrad, false);
  }
}
