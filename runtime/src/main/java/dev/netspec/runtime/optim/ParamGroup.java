package dev.netspec.runtime.optim;

import dev.netspec.runtime.nn.Parameter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One parameter group ({@code optimizer.param_groups[i]}): parameters and the options that
 * apply to them. Options not set here take the optimizer's defaults when the group is added;
 * values are {@link Double} or {@link Boolean} ({@code betas} is the two doubles {@code
 * beta1}, {@code beta2}). A schedule changes {@code lr} between steps.
 */
public final class ParamGroup {
  private final List<Parameter> params;
  private final Map<String, Object> options = new LinkedHashMap<>();

  private ParamGroup(Collection<Parameter> params) {
    this.params = Collections.unmodifiableList(new ArrayList<>(params));
  }

  /** A group of {@code params} with no options of its own yet. */
  public static ParamGroup of(Collection<Parameter> params) {
    return new ParamGroup(params);
  }

  /** Sets option {@code name} ({@code {"params": ..., "lr": 0.01}}); returns this group. */
  public ParamGroup set(String name, double value) {
    options.put(name, value);
    return this;
  }

  /** Sets a boolean option such as {@code nesterov}; returns this group. */
  public ParamGroup set(String name, boolean value) {
    options.put(name, value);
    return this;
  }

  /** The parameters, in order. */
  public List<Parameter> params() {
    return params;
  }

  /** The learning rate ({@code group["lr"]}). */
  public double lr() {
    return getDouble("lr");
  }

  /** Sets the learning rate, as a schedule does. */
  public void setLr(double lr) {
    options.put("lr", lr);
  }

  /** A numeric option. */
  public double getDouble(String name) {
    Object v = options.get(name);
    if (!(v instanceof Double)) {
      throw new IllegalArgumentException("parameter group has no number '" + name + "'");
    }
    return (Double) v;
  }

  /** A boolean option. */
  public boolean getBoolean(String name) {
    Object v = options.get(name);
    if (!(v instanceof Boolean)) {
      throw new IllegalArgumentException("parameter group has no flag '" + name + "'");
    }
    return (Boolean) v;
  }

  /** Every option by name, in the order set (read-only). */
  public Map<String, Object> options() {
    return Collections.unmodifiableMap(options);
  }

  boolean has(String name) {
    return options.containsKey(name);
  }

  void put(String name, Object value) {
    options.put(name, value);
  }

  void remove(String name) {
    options.remove(name);
  }
}
