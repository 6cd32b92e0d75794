package dev.netspec.runtime.optim;

import dev.netspec.runtime.nn.Parameter;
import java.util.Collection;
import java.util.List;

/**
 * {@code torch.optim.AdamW(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
 * amsgrad=False)}: Adam with decoupled weight decay, {@code p *= 1 - lr weight_decay} before
 * the Adam step on the raw gradient.
 */
public final class AdamW extends AdamBase {
  /** PyTorch's defaults. */
  public AdamW(Collection<Parameter> params) {
    this(params, 1e-3);
  }

  public AdamW(Collection<Parameter> params, double lr) {
    this(single(params), lr, 0.9, 0.999, 1e-8, 1e-2, false);
  }

  /** Over parameter groups; the arguments are the defaults of options a group lacks. */
  public AdamW(List<ParamGroup> groups, double lr, double beta1, double beta2, double eps,
      double weightDecay, boolean amsgrad) {
    super(groups, lr, beta1, beta2, eps, weightDecay, amsgrad, true);
  }
}
