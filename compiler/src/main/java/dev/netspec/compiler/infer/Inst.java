package dev.netspec.compiler.infer;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One module of an inferred model tree: what the generated code builds at that place, with
 * its parameters, buffers and children. A child listed twice ({@code same_as}) is the same
 * object under two names, as in PyTorch.
 */
public final class Inst {
  /** The spec type: {@code linear}, a block name, or {@code sequential}. */
  public final String kind;
  /** The class name in the repr: {@code Linear}, {@code LazyLinear}, {@code Sequential}, a block. */
  public final String reprName;
  /** The text inside the repr's parentheses. */
  public final String extraRepr;
  /** Parameters by local name (in registration order). */
  public final Map<String, Shape> params = new LinkedHashMap<>();
  /** Buffers by local name, and whether each is persistent. */
  public final Map<String, Shape> buffers = new LinkedHashMap<>();
  public final Map<String, Boolean> persistent = new LinkedHashMap<>();
  /** Children by name, in registration order. */
  public final Map<String, Inst> children = new LinkedHashMap<>();
  /** The shape of the module's output at the first call, or null if never called. */
  public Shape output;
  /** The type of the module's result at the first call (a tensor or a tuple), or null if unknown. */
  public Type outputType;
  /** Parameters tied to another ({@code tie:}), by local path, each to its source's path. */
  public final Map<String, String> ties = new LinkedHashMap<>();

  public Inst(String kind, String reprName, String extraRepr) {
    this.kind = kind;
    this.reprName = reprName;
    this.extraRepr = extraRepr;
  }

  /** A deep copy in which shared children stay shared. */
  public Inst copy() {
    return copy(new IdentityHashMap<>());
  }

  private Inst copy(Map<Inst, Inst> done) {
    Inst seen = done.get(this);
    if (seen != null) {
      return seen;
    }
    Inst c = new Inst(kind, reprName, extraRepr);
    done.put(this, c);
    c.params.putAll(params);
    c.buffers.putAll(buffers);
    c.persistent.putAll(persistent);
    c.output = output;
    c.outputType = outputType;
    c.ties.putAll(ties);
    children.forEach((k, v) -> c.children.put(k, v.copy(done)));
    return c;
  }

  /** PyTorch's {@code Module.__repr__} of this tree. */
  public String repr() {
    List<String> lines = new ArrayList<>();
    if (!extraRepr.isEmpty()) {
      lines.addAll(List.of(extraRepr.split("\n", -1)));
    }
    boolean onlyExtra = children.isEmpty();
    for (Map.Entry<String, Inst> e : children.entrySet()) {
      lines.add("(" + e.getKey() + "): " + e.getValue().repr().replace("\n", "\n  "));
    }
    StringBuilder sb = new StringBuilder(reprName).append('(');
    if (!lines.isEmpty()) {
      if (onlyExtra && lines.size() == 1) {
        sb.append(lines.get(0));
      } else {
        sb.append("\n  ").append(String.join("\n  ", lines)).append('\n');
      }
    }
    return sb.append(')').toString();
  }

  /** Every module below and including this one, each once, by dotted path ({@code ""} = this). */
  public Map<String, Inst> namedModules() {
    Map<String, Inst> out = new LinkedHashMap<>();
    collect("", this, out, java.util.Collections.newSetFromMap(new IdentityHashMap<>()));
    return out;
  }

  private static void collect(String prefix, Inst m, Map<String, Inst> out, Set<Inst> seen) {
    if (!seen.add(m)) {
      return;
    }
    out.put(prefix, m);
    m.children.forEach((k, v) -> collect(prefix.isEmpty() ? k : prefix + "." + k, v, out, seen));
  }

  /**
   * Parameters and persistent buffers by full name, every name of a shared tensor included,
   * as {@code state_dict()} lists them.
   */
  public Map<String, Shape> stateDict() {
    Map<String, Shape> out = new LinkedHashMap<>();
    stateDict("", this, out);
    return out;
  }

  private static void stateDict(String prefix, Inst m, Map<String, Shape> out) {
    m.params.forEach((k, v) -> out.put(prefix + k, v));
    m.buffers.forEach((k, v) -> {
      if (m.persistent.get(k)) {
        out.put(prefix + k, v);
      }
    });
    m.children.forEach((k, v) -> stateDict(prefix + k + ".", v, out));
  }

  /**
   * The number of parameter scalars, a shared module and a tied parameter counted once; -1 if
   * not all known.
   */
  public long parameterCount() {
    Set<String> tied = new java.util.HashSet<>();
    namedModules().forEach((prefix, m) -> m.ties.keySet().forEach(
        t -> tied.add(prefix.isEmpty() ? t : prefix + "." + t)));
    long n = 0;
    for (Map.Entry<String, Inst> e : namedModules().entrySet()) {
      Inst m = e.getValue();
      for (Map.Entry<String, Shape> p : m.params.entrySet()) {
        if (tied.contains(e.getKey().isEmpty() ? p.getKey() : e.getKey() + "." + p.getKey())) {
          continue; // a tied parameter is its source's, counted there
        }
        Shape s = p.getValue();
        long k = s.numel();
        if (k < 0) {
          return -1;
        }
        n += k;
      }
    }
    return n;
  }
}
