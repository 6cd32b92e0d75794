package dev.netspec.cli;

import dev.netspec.compiler.check.TrainSpec;
import dev.netspec.compiler.check.TrainSpec.Call;
import dev.netspec.runtime.loss.BCEWithLogitsLoss;
import dev.netspec.runtime.loss.CrossEntropyLoss;
import dev.netspec.runtime.loss.L1Loss;
import dev.netspec.runtime.loss.Loss;
import dev.netspec.runtime.loss.MSELoss;
import dev.netspec.runtime.loss.NLLLoss;
import dev.netspec.runtime.loss.Reduction;
import dev.netspec.runtime.loss.SmoothL1Loss;
import dev.netspec.runtime.nn.Parameter;
import dev.netspec.runtime.optim.Adam;
import dev.netspec.runtime.optim.AdamW;
import dev.netspec.runtime.optim.CosineAnnealingLR;
import dev.netspec.runtime.optim.LRScheduler;
import dev.netspec.runtime.optim.LinearLR;
import dev.netspec.runtime.optim.Optimizer;
import dev.netspec.runtime.optim.ParamGroup;
import dev.netspec.runtime.optim.RMSprop;
import dev.netspec.runtime.optim.SGD;
import dev.netspec.runtime.optim.StepLR;
import dev.netspec.runtime.tensor.Tensor;
import java.util.List;

/**
 * The runtime's loss, optimizer and schedule for a checked {@code train:} section, with
 * PyTorch's defaults for the arguments it leaves out.
 */
final class TrainSetup {
  private TrainSetup() {}

  static Loss loss(Call c) {
    Reduction r = Reduction.of(c.string("reduction", "mean"));
    switch (c.name()) {
      case "cross_entropy":
        return new CrossEntropyLoss(r, (long) c.number("ignore_index", -100),
            c.number("label_smoothing", 0));
      case "nll_loss":
        return new NLLLoss(r, (long) c.number("ignore_index", -100));
      case "mse_loss":
        return new MSELoss(r);
      case "l1_loss":
        return new L1Loss(r);
      case "smooth_l1_loss":
        return new SmoothL1Loss(r, c.number("beta", 1.0));
      case "binary_cross_entropy_with_logits":
        List<Double> w = c.numbers("pos_weight");
        return new BCEWithLogitsLoss(r, w == null ? null : floats(w));
      default:
        throw new IllegalArgumentException("unknown loss " + c.name());
    }
  }

  static Optimizer optimizer(Call c, List<Parameter> params) {
    List<ParamGroup> groups = List.of(ParamGroup.of(params));
    List<Double> betas = c.numbers("betas");
    double beta1 = betas == null ? 0.9 : betas.get(0);
    double beta2 = betas == null ? 0.999 : betas.get(1);
    switch (c.name()) {
      case "sgd":
        return new SGD(groups, c.number("lr", 0), c.number("momentum", 0),
            c.number("dampening", 0), c.number("weight_decay", 0), c.flag("nesterov", false));
      case "adam":
        return new Adam(groups, c.number("lr", 1e-3), beta1, beta2, c.number("eps", 1e-8),
            c.number("weight_decay", 0), c.flag("amsgrad", false));
      case "adamw":
        return new AdamW(groups, c.number("lr", 1e-3), beta1, beta2, c.number("eps", 1e-8),
            c.number("weight_decay", 1e-2), c.flag("amsgrad", false));
      case "rmsprop":
        return new RMSprop(groups, c.number("lr", 1e-2), c.number("alpha", 0.99),
            c.number("eps", 1e-8), c.number("weight_decay", 0), c.number("momentum", 0),
            c.flag("centered", false));
      default:
        throw new IllegalArgumentException("unknown optimizer " + c.name());
    }
  }

  /** The schedule, or null for none. */
  static LRScheduler schedule(Call c, Optimizer optimizer) {
    if (c == null) {
      return null;
    }
    switch (c.name()) {
      case "step_lr":
        return new StepLR(optimizer, (int) c.number("step_size", 1), c.number("gamma", 0.1));
      case "cosine_annealing_lr":
        return new CosineAnnealingLR(optimizer, (int) c.number("T_max", 1),
            c.number("eta_min", 0));
      case "linear_lr":
        return new LinearLR(optimizer, c.number("start_factor", 1.0 / 3),
            c.number("end_factor", 1.0), (int) c.number("total_iters", 5));
      default:
        throw new IllegalArgumentException("unknown schedule " + c.name());
    }
  }

  /** One line naming what trains: {@code cross_entropy, sgd(lr=0.1, momentum=0.9), ...}. */
  static String describe(TrainSpec t, int epochs) {
    return t.loss().name() + args(t.loss()) + ", " + t.optimizer().name()
        + args(t.optimizer()) + (t.schedule() == null ? ""
            : ", " + t.schedule().name() + args(t.schedule()))
        + ", batch size " + t.batchSize() + ", " + epochs + (epochs == 1 ? " epoch" : " epochs");
  }

  private static String args(Call c) {
    if (c.args().isEmpty()) {
      return "";
    }
    StringBuilder sb = new StringBuilder("(");
    new java.util.TreeMap<>(c.args()).forEach((k, v) ->
        sb.append(sb.length() == 1 ? "" : ", ").append(k).append('=').append(v));
    return sb.append(')').toString();
  }

  private static Tensor floats(List<Double> values) {
    float[] f = new float[values.size()];
    for (int i = 0; i < f.length; i++) {
      f[i] = values.get(i).floatValue();
    }
    return Tensor.fromArray(f, f.length);
  }
}
