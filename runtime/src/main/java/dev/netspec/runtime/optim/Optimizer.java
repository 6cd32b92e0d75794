package dev.netspec.runtime.optim;

import dev.netspec.runtime.kernels.Updates;
import dev.netspec.runtime.nn.Parameter;
import dev.netspec.runtime.nn.ParameterMirror;
import dev.netspec.runtime.tensor.DType;
import dev.netspec.runtime.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The base of every optimizer ({@code torch.optim.Optimizer}): parameter groups with their
 * options, per-parameter state, {@link #step}, {@link #zeroGrad} and the state dict. A
 * subclass supplies its defaults, checks a group's options and updates one parameter; the
 * subclasses live in this package (the update reads the package's per-parameter state).
 */
public abstract class Optimizer {
  private final Map<String, Object> defaults;
  private final List<ParamGroup> groups = new ArrayList<>();
  private final Map<Parameter, ParamState> state = new IdentityHashMap<>();

  /** An optimizer over {@code groups}; options they lack come from {@code defaults}. */
  protected Optimizer(List<ParamGroup> groups, Map<String, Object> defaults) {
    this.defaults = new LinkedHashMap<>(defaults);
    if (groups.isEmpty()) {
      throw new IllegalArgumentException("optimizer got an empty parameter list");
    }
    for (ParamGroup g : groups) {
      addParamGroup(g);
    }
  }

  /** One group of {@code params} (for the constructors taking a parameter list). */
  protected static List<ParamGroup> single(Collection<Parameter> params) {
    return List.of(ParamGroup.of(params));
  }

  /** The options map of the defaults, in order, from name/value pairs. */
  protected static Map<String, Object> options(Object... pairs) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      out.put((String) pairs[i], pairs[i + 1]);
    }
    return out;
  }

  /**
   * Adds a group ({@code add_param_group}): its missing options take the defaults, then
   * {@link #check} validates them; a refused group is left as it was given.
   *
   * @throws IllegalArgumentException if a parameter is already in a group, or an option is
   *     invalid
   */
  public final void addParamGroup(ParamGroup group) {
    Set<Parameter> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (ParamGroup g : groups) {
      seen.addAll(g.params());
    }
    for (Parameter p : group.params()) {
      if (!seen.add(p)) {
        throw new IllegalArgumentException(
            "some parameters appear in more than one parameter group");
      }
    }
    List<String> filled = new ArrayList<>();
    defaults.forEach((name, value) -> {
      if (!group.has(name)) {
        group.put(name, value);
        filled.add(name);
      }
    });
    try {
      check(group);
    } catch (IllegalArgumentException e) {
      // As PyTorch, which checks its arguments before it touches a group: a refused group
      // keeps only its own options, so it can be passed again with valid ones.
      filled.forEach(group::remove);
      throw e;
    }
    groups.add(group);
  }

  /** The groups ({@code optimizer.param_groups}); a schedule edits their {@code lr}. */
  public final List<ParamGroup> paramGroups() {
    return Collections.unmodifiableList(groups);
  }

  /** Throws if an option of {@code group} is out of range (PyTorch's messages). */
  protected abstract void check(ParamGroup group);

  /**
   * Updates one parameter from its gradient: {@code p} and {@code grad} are contiguous, of
   * one shape; {@code state}'s step count has been incremented for this step. {@code mirror}
   * (or null) is passed to the update kernel, to be told of each updated block.
   */
  abstract void update(ParamGroup group, Tensor p, Tensor grad, ParamState state,
      Updates.Mirror mirror);

  /**
   * One optimization step ({@code optimizer.step()}): every parameter with a gradient is
   * updated, once (a tied parameter is one parameter); those without are skipped.
   */
  public final void step() {
    // indexed loops: no iterators, so a warm step allocates nothing
    for (int gi = 0; gi < groups.size(); gi++) {
      ParamGroup group = groups.get(gi);
      List<Parameter> params = group.params();
      for (int pi = 0; pi < params.size(); pi++) {
        Parameter p = params.get(pi);
        Tensor grad = p.grad();
        if (grad == null) {
          continue;
        }
        Tensor data = p.data();
        if (!data.isContiguous()) {
          throw new IllegalStateException("optimizer: a parameter of shape "
              + Arrays.toString(data.shape()) + " is not contiguous");
        }
        if (!data.sameShape(grad)) {
          throw new IllegalStateException("optimizer: gradient of shape "
              + Arrays.toString(grad.shape()) + " for a parameter of shape "
              + Arrays.toString(data.shape()));
        }
        ParamState s = state.computeIfAbsent(p, k -> new ParamState());
        s.step++;
        ParameterMirror mirror = p.mirror();
        if (mirror != null && !mirror.begin(data)) {
          mirror = null;
        }
        update(group, data, grad.contiguous(), s, mirror);
        data.bumpVersion();
        if (mirror != null) {
          mirror.end(data);
        }
      }
    }
  }

  /** Clears every gradient to null ({@code zero_grad(set_to_none=True)}, PyTorch 2's default). */
  public final void zeroGrad() {
    zeroGrad(true);
  }

  /** {@code zero_grad(set_to_none)}: null, or zeros in place (PyTorch 1.13's default). */
  public final void zeroGrad(boolean setToNone) {
    for (int gi = 0; gi < groups.size(); gi++) {
      List<Parameter> params = groups.get(gi).params();
      for (int pi = 0; pi < params.size(); pi++) {
        Parameter p = params.get(pi);
        if (p.grad() != null) {
          if (setToNone) {
            p.setGrad(null);
          } else {
            p.grad().zero_();
          }
        }
      }
    }
  }

  /** Checks {@code ok}, else throws PyTorch's {@code Invalid <what> value: <v>}. */
  protected static void require(boolean ok, String what, Object value) {
    if (!ok) {
      throw new IllegalArgumentException("Invalid " + what + ": " + value);
    }
  }

  // ---------------------------------------------------------------- state dict

  /** The state for a checkpoint ({@code state_dict()}); tensors are copies. */
  public final OptimizerState stateDict() {
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("optimizer", getClass().getSimpleName());
    meta.put("param_groups", Integer.toString(groups.size()));
    int index = 0;
    for (int g = 0; g < groups.size(); g++) {
      ParamGroup group = groups.get(g);
      String groupPrefix = "param_groups." + g + ".";
      meta.put(groupPrefix + "params", Integer.toString(group.params().size()));
      group.options().forEach((name, value) -> meta.put(groupPrefix + name, value.toString()));
      for (Parameter p : group.params()) {
        ParamState s = state.get(p);
        if (s != null) {
          String prefix = "state." + index + ".";
          tensors.put(prefix + "step", Tensor.scalar(s.step));
          s.buffers.forEach((name, t) -> tensors.put(prefix + name, t.clone()));
        }
        index++;
      }
    }
    return new OptimizerState(tensors, meta);
  }

  /**
   * Restores {@link #stateDict} output into this optimizer, built over the same parameters
   * ({@code load_state_dict}): options, step counts and buffers. Every problem is collected
   * and reported at once; on failure nothing is changed.
   *
   * @throws IllegalArgumentException naming every mismatch
   */
  public final void loadStateDict(OptimizerState saved) {
    Map<String, String> meta = saved.metadata();
    List<String> problems = new ArrayList<>();
    String name = getClass().getSimpleName();
    if (!name.equals(meta.get("optimizer"))) {
      throw new IllegalArgumentException("loaded state dict is for optimizer "
          + meta.get("optimizer") + ", this one is " + name);
    }
    if (!Integer.toString(groups.size()).equals(meta.get("param_groups"))) {
      throw new IllegalArgumentException(
          "loaded state dict has a different number of parameter groups");
    }
    List<Parameter> all = new ArrayList<>();
    Map<String, Object> newOptions = new LinkedHashMap<>();
    for (int g = 0; g < groups.size(); g++) {
      ParamGroup group = groups.get(g);
      if (!Integer.toString(group.params().size()).equals(meta.get(
          "param_groups." + g + ".params"))) {
        problems.add("loaded state dict contains a parameter group that doesn't match the size"
            + " of optimizer's group " + g);
      }
      all.addAll(group.params());
      for (Map.Entry<String, Object> e : group.options().entrySet()) {
        String key = "param_groups." + g + "." + e.getKey();
        String text = meta.get(key);
        if (text == null) {
          problems.add("missing option " + key);
        } else if (e.getValue() instanceof Boolean) {
          newOptions.put(key, Boolean.parseBoolean(text));
        } else {
          try {
            newOptions.put(key, Double.parseDouble(text));
          } catch (NumberFormatException ex) {
            problems.add("option " + key + " is not a number: " + text);
          }
        }
      }
    }
    Map<Parameter, ParamState> loaded = new IdentityHashMap<>();
    for (Map.Entry<String, Tensor> e : saved.tensors().entrySet()) {
      String[] parts = e.getKey().split("\\.", 3);
      int i = parts.length == 3 && parts[0].equals("state") ? index(parts[1]) : -1;
      if (i < 0 || i >= all.size()) {
        problems.add("unexpected key " + e.getKey());
        continue;
      }
      ParamState s = loaded.computeIfAbsent(all.get(i), k -> new ParamState());
      Tensor t = e.getValue();
      if (parts[2].equals("step")) {
        if (t.dtype() != DType.INT64 || t.numel() != 1) {
          problems.add(e.getKey() + " must be an int64 scalar");
        } else {
          s.step = t.toLongArray()[0];
        }
      } else if (!Arrays.equals(t.shape(), all.get(i).shape()) || t.dtype() != DType.FLOAT32) {
        problems.add("size mismatch for " + e.getKey() + ": " + Arrays.toString(t.shape())
            + ", the parameter is " + Arrays.toString(all.get(i).shape()));
      } else {
        s.buffers.put(parts[2], t.clone());
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("cannot load the optimizer state:\n\t"
          + String.join("\n\t", problems));
    }
    for (int g = 0; g < groups.size(); g++) {
      String prefix = "param_groups." + g + ".";
      ParamGroup group = groups.get(g);
      newOptions.forEach((key, value) -> {
        if (key.startsWith(prefix)) {
          group.put(key.substring(prefix.length()), value);
        }
      });
    }
    state.clear();
    state.putAll(loaded);
  }

  private static int index(String s) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
