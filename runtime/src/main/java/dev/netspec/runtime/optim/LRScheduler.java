package dev.netspec.runtime.optim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The base of the learning-rate schedules ({@code torch.optim.lr_scheduler.LRScheduler}):
 * construction records each group's {@code initial_lr} and takes the first step (epoch 0);
 * each {@link #step} then advances the epoch and sets every group's {@code lr} from the
 * previous one, PyTorch's recursive ("chainable") form, so the learning rates equal
 * PyTorch's in double precision.
 */
public abstract class LRScheduler {
  private final Optimizer optimizer;
  private final List<Double> baseLrs = new ArrayList<>();
  private int lastEpoch = -1;

  protected LRScheduler(Optimizer optimizer) {
    this.optimizer = optimizer;
    for (ParamGroup g : optimizer.paramGroups()) {
      if (!g.has("initial_lr")) {
        g.put("initial_lr", g.lr());
      }
      baseLrs.add(g.getDouble("initial_lr"));
    }
  }

  /** Subclasses call this last in their constructor: PyTorch's initial step. */
  protected final void initialStep() {
    step();
  }

  /** The next learning rate of group {@code i}, from its current {@code lr}. */
  protected abstract double nextLr(int epoch, double lr, double baseLr);

  /** Advances one epoch ({@code scheduler.step()}) and sets every group's learning rate. */
  public final void step() {
    lastEpoch++;
    List<ParamGroup> groups = optimizer.paramGroups();
    for (int i = 0; i < groups.size(); i++) {
      groups.get(i).setLr(nextLr(lastEpoch, groups.get(i).lr(), baseLrs.get(i)));
    }
  }

  /** {@code get_last_lr()}: every group's learning rate after the last step. */
  public final List<Double> getLastLr() {
    List<Double> out = new ArrayList<>();
    for (ParamGroup g : optimizer.paramGroups()) {
      out.add(g.lr());
    }
    return out;
  }

  /** {@code last_epoch}: the number of steps taken, 0 after construction. */
  public final int lastEpoch() {
    return lastEpoch;
  }

  /** The schedule's position for a checkpoint: {@code last_epoch} and the base rates. */
  public final Map<String, String> stateDict() {
    Map<String, String> out = new LinkedHashMap<>();
    out.put("scheduler", getClass().getSimpleName());
    out.put("last_epoch", Integer.toString(lastEpoch));
    for (int i = 0; i < baseLrs.size(); i++) {
      out.put("base_lrs." + i, Double.toString(baseLrs.get(i)));
    }
    return out;
  }

  /**
   * Restores {@link #stateDict} output (the optimizer's learning rates come back with its own
   * state dict).
   */
  public final void loadStateDict(Map<String, String> state) {
    if (!getClass().getSimpleName().equals(state.get("scheduler"))) {
      throw new IllegalArgumentException("loaded state is for scheduler "
          + state.get("scheduler") + ", this one is " + getClass().getSimpleName());
    }
    List<Double> bases = new ArrayList<>();
    for (int i = 0; i < baseLrs.size(); i++) {
      String v = state.get("base_lrs." + i);
      if (v == null) {
        throw new IllegalArgumentException("loaded scheduler state lacks base_lrs." + i);
      }
      bases.add(Double.parseDouble(v));
    }
    lastEpoch = Integer.parseInt(state.get("last_epoch"));
    baseLrs.clear();
    baseLrs.addAll(bases);
  }
}
