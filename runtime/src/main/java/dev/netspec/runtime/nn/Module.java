package dev.netspec.runtime.nn;

import dev.netspec.runtime.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The base of every layer and block ({@code nn.Module}). Parameters, buffers and child
 * modules live in ordered registries; one traversal ({@link #namedMembers}) makes every
 * dotted name, and {@link #namedParameters}, {@link #stateDict} and friends are thin
 * wrappers over it, as in PyTorch's {@code module.py}.
 */
public abstract class Module {
  private final Map<String, Parameter> parameters = new LinkedHashMap<>();
  private final Map<String, Tensor> buffers = new LinkedHashMap<>();
  private final Set<String> nonPersistentBuffers = new LinkedHashSet<>();
  private final Map<String, Module> modules = new LinkedHashMap<>();
  private boolean training = true;

  /** The forward computation ({@code module(x)}). */
  public abstract Tensor forward(Tensor x);

  // ---------------------------------------------------------------- registration

  /** Registers (or replaces) a parameter ({@code register_parameter}); returns it. */
  protected Parameter registerParameter(String name, Parameter param) {
    checkName(name, "parameter");
    parameters.put(name, param);
    return param;
  }

  /** Registers a persistent buffer: saved in the state dict, never trained. */
  protected Tensor registerBuffer(String name, Tensor buffer) {
    return registerBuffer(name, buffer, true);
  }

  /** {@code register_buffer(name, tensor, persistent)}; returns the buffer. */
  protected Tensor registerBuffer(String name, Tensor buffer, boolean persistent) {
    checkName(name, "buffer");
    buffers.put(name, buffer);
    if (persistent) {
      nonPersistentBuffers.remove(name);
    } else {
      nonPersistentBuffers.add(name);
    }
    return buffer;
  }

  /** Replaces the value of a registered buffer (for {@link #loadStateDict}). */
  protected void setBuffer(String name, Tensor buffer) {
    if (!buffers.containsKey(name)) {
      throw new IllegalArgumentException("no buffer named '" + name + "'");
    }
    buffers.put(name, buffer);
  }

  /** The buffer registered as {@code name}. */
  public Tensor buffer(String name) {
    Tensor t = buffers.get(name);
    if (t == null) {
      throw new IllegalArgumentException("no buffer named '" + name + "'");
    }
    return t;
  }

  /** Adds (or replaces) a child module ({@code add_module}); returns it. */
  public <M extends Module> M addModule(String name, M module) {
    checkName(name, "module");
    modules.put(name, module);
    return module;
  }

  private void checkName(String name, String what) {
    if (name == null || name.isEmpty() || name.contains(".")) {
      throw new IllegalArgumentException(what + " name must be non-empty and contain no '.': '"
          + name + "'");
    }
    boolean taken = (parameters.containsKey(name) && !"parameter".equals(what))
        || (buffers.containsKey(name) && !"buffer".equals(what))
        || (modules.containsKey(name) && !"module".equals(what));
    if (taken) {
      throw new IllegalArgumentException("attribute '" + name + "' already exists");
    }
  }

  // ---------------------------------------------------------------- traversal

  /** The direct children in registration order ({@code named_children}). */
  public Map<String, Module> namedChildren() {
    return Collections.unmodifiableMap(modules);
  }

  public List<Module> children() {
    return new ArrayList<>(modules.values());
  }

  /** The child registered as {@code name}. */
  public Module child(String name) {
    Module m = modules.get(name);
    if (m == null) {
      throw new IllegalArgumentException("no child module named '" + name + "'");
    }
    return m;
  }

  /**
   * This module and every descendant, each once, with dotted names; this module's name is
   * {@code ""} ({@code named_modules}).
   */
  public Map<String, Module> namedModules() {
    Map<String, Module> out = new LinkedHashMap<>();
    collectModules("", this, out, Collections.newSetFromMap(new IdentityHashMap<>()));
    return out;
  }

  public List<Module> modules() {
    return new ArrayList<>(namedModules().values());
  }

  private static void collectModules(String prefix, Module m, Map<String, Module> out,
      Set<Module> seen) {
    if (!seen.add(m)) {
      return;
    }
    out.put(prefix, m);
    for (Map.Entry<String, Module> e : m.modules.entrySet()) {
      collectModules(join(prefix, e.getKey()), e.getValue(), out, seen);
    }
  }

  /** The descendant at a dotted path, such as {@code "0.block1.2"} ({@code get_submodule}). */
  public Module getSubmodule(String path) {
    if (path.isEmpty()) {
      return this;
    }
    Module m = this;
    for (String part : path.split("\\.", -1)) {
      Module next = m.modules.get(part);
      if (next == null) {
        throw new IllegalArgumentException(
            m.typeName() + " has no submodule '" + part + "' (in path '" + path + "')");
      }
      m = next;
    }
    return m;
  }

  /** The parameter at a dotted path, such as {@code "2.bias"} ({@code get_parameter}). */
  public Parameter getParameter(String path) {
    int dot = path.lastIndexOf('.');
    Module owner = dot < 0 ? this : getSubmodule(path.substring(0, dot));
    Parameter p = owner.parameters.get(path.substring(dot + 1));
    if (p == null) {
      throw new IllegalArgumentException("no parameter '" + path + "'");
    }
    return p;
  }

  /**
   * The one traversal behind every dotted name: for each module reached (each once), its
   * own members of one kind, prefixed. With {@code dedupe}, a member reached twice (a tied
   * weight) is reported once, under its first name.
   */
  private <T> Map<String, T> namedMembers(MemberKind<T> kind, boolean dedupe) {
    Map<String, T> out = new LinkedHashMap<>();
    Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Map.Entry<String, Module> e : namedModules().entrySet()) {
      for (Map.Entry<String, T> member : kind.members(e.getValue()).entrySet()) {
        if (member.getValue() == null || (dedupe && !seen.add(member.getValue()))) {
          continue;
        }
        out.put(join(e.getKey(), member.getKey()), member.getValue());
      }
    }
    return out;
  }

  private interface MemberKind<T> {
    Map<String, T> members(Module m);
  }

  /** Every parameter with its dotted name, a shared one once ({@code named_parameters}). */
  public Map<String, Parameter> namedParameters() {
    return namedMembers(m -> m.parameters, true);
  }

  public List<Parameter> parameters() {
    return new ArrayList<>(namedParameters().values());
  }

  /** Every buffer with its dotted name ({@code named_buffers}). */
  public Map<String, Tensor> namedBuffers() {
    return namedMembers(m -> m.buffers, true);
  }

  public List<Tensor> buffers() {
    return new ArrayList<>(namedBuffers().values());
  }

  /**
   * Parameters and persistent buffers by dotted name ({@code state_dict}). The values are
   * the live tensors, not copies; a shared parameter appears under each of its names.
   *
   * @throws IllegalStateException if a lazy parameter is not materialized yet
   */
  public Map<String, Tensor> stateDict() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    List<String> lazy = new ArrayList<>();
    for (Map.Entry<String, Module> e : namedModules().entrySet()) {
      Module m = e.getValue();
      for (Map.Entry<String, Parameter> p : m.parameters.entrySet()) {
        if (p.getValue() == null) {
          continue;
        }
        String key = join(e.getKey(), p.getKey());
        if (!p.getValue().isMaterialized()) {
          lazy.add(key);
          continue;
        }
        out.put(key, p.getValue().data());
      }
      for (Map.Entry<String, Tensor> b : m.buffers.entrySet()) {
        if (b.getValue() != null && !m.nonPersistentBuffers.contains(b.getKey())) {
          out.put(join(e.getKey(), b.getKey()), b.getValue());
        }
      }
    }
    if (!lazy.isEmpty()) {
      throw new IllegalStateException("state dict of a module with uninitialized parameters "
          + lazy + ": run a forward first so the lazy layers learn their input size");
    }
    return out;
  }

  /**
   * Copies {@code stateDict} into this module's parameters and persistent buffers
   * ({@code load_state_dict}). Every problem is collected first: with {@code strict}, any
   * missing or unexpected key fails; a shape mismatch always fails; and on failure nothing
   * is changed. Lazy parameters are materialized with the incoming shape.
   *
   * @return the missing and unexpected keys (both empty under {@code strict})
   * @throws StateDictException listing every problem at once
   */
  public LoadResult loadStateDict(Map<String, Tensor> stateDict, boolean strict) {
    Map<String, Parameter> params = new LinkedHashMap<>();
    Map<String, Module> bufferOwners = new LinkedHashMap<>();
    for (Map.Entry<String, Module> e : namedModules().entrySet()) {
      Module m = e.getValue();
      m.parameters.forEach((k, p) -> {
        if (p != null) {
          params.put(join(e.getKey(), k), p);
        }
      });
      m.buffers.forEach((k, b) -> {
        if (b != null && !m.nonPersistentBuffers.contains(k)) {
          bufferOwners.put(join(e.getKey(), k), m);
        }
      });
    }
    List<String> missing = new ArrayList<>();
    List<String> mismatched = new ArrayList<>();
    for (Map.Entry<String, Parameter> e : params.entrySet()) {
      Tensor src = stateDict.get(e.getKey());
      if (src == null) {
        missing.add(e.getKey());
      } else if (e.getValue().isMaterialized()
          && !Arrays.equals(src.shape(), e.getValue().shape())) {
        mismatched.add(mismatch(e.getKey(), src.shape(), e.getValue().shape()));
      }
    }
    for (Map.Entry<String, Module> e : bufferOwners.entrySet()) {
      Tensor src = stateDict.get(e.getKey());
      String local = e.getKey().substring(e.getKey().lastIndexOf('.') + 1);
      if (src == null) {
        missing.add(e.getKey());
      } else if (!Arrays.equals(src.shape(), e.getValue().buffers.get(local).shape())) {
        mismatched.add(mismatch(e.getKey(), src.shape(), e.getValue().buffers.get(local).shape()));
      }
    }
    List<String> unexpected = new ArrayList<>();
    for (String key : stateDict.keySet()) {
      if (!params.containsKey(key) && !bufferOwners.containsKey(key)) {
        unexpected.add(key);
      }
    }
    List<String> tied = tiedConflicts(params, stateDict);
    if (!mismatched.isEmpty() || !tied.isEmpty()
        || (strict && (!missing.isEmpty() || !unexpected.isEmpty()))) {
      throw new StateDictException(typeName(), strict ? missing : List.of(),
          strict ? unexpected : List.of(), mismatched, tied);
    }
    for (Map.Entry<String, Parameter> e : params.entrySet()) {
      Tensor src = stateDict.get(e.getKey());
      if (src != null) {
        Parameter p = e.getValue();
        if (!p.isMaterialized()) {
          p.materialize(src.shape());
        }
        p.data().copy_(src);
      }
    }
    for (Map.Entry<String, Module> e : bufferOwners.entrySet()) {
      Tensor src = stateDict.get(e.getKey());
      if (src != null) {
        String local = e.getKey().substring(e.getKey().lastIndexOf('.') + 1);
        e.getValue().buffers.get(local).copy_(src);
      }
    }
    return new LoadResult(missing, unexpected);
  }

  /** Keys that name one shared parameter but carry different values. */
  private static List<String> tiedConflicts(Map<String, Parameter> params,
      Map<String, Tensor> stateDict) {
    Map<Parameter, String> first = new IdentityHashMap<>();
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, Parameter> e : params.entrySet()) {
      String prev = first.putIfAbsent(e.getValue(), e.getKey());
      if (prev != null) {
        Tensor a = stateDict.get(prev);
        Tensor b = stateDict.get(e.getKey());
        if (a != null && b != null && !a.contentEquals(b)) {
          out.add("'" + e.getKey() + "' and '" + prev
              + "' are one shared parameter but the state dict gives them different values");
        }
      }
    }
    return out;
  }

  private static String mismatch(String key, int[] found, int[] expected) {
    return "size mismatch for " + key + ": copying a param with shape "
        + Arrays.toString(found) + " from checkpoint, the shape in current model is "
        + Arrays.toString(expected) + ".";
  }

  /** What a non-strict {@link #loadStateDict} skipped ({@code _IncompatibleKeys}). */
  public record LoadResult(List<String> missingKeys, List<String> unexpectedKeys) {
    public LoadResult {
      missingKeys = List.copyOf(missingKeys);
      unexpectedKeys = List.copyOf(unexpectedKeys);
    }
  }

  // ---------------------------------------------------------------- modes and apply

  /** Applies {@code fn} to every child (recursively) and then to this module. */
  public Module apply(Consumer<? super Module> fn) {
    for (Module child : modules.values()) {
      child.apply(fn);
    }
    fn.accept(this);
    return this;
  }

  /**
   * Initializes every parameter of the tree from {@code seed}: children first, then each
   * parent (so a block's own init rules override its children's defaults, like
   * {@code net.apply(init_fn)}), each module once, through {@link #resetParameters}.
   */
  public Module initialize(long seed) {
    initializeTree("", seed, Collections.newSetFromMap(new IdentityHashMap<>()));
    return this;
  }

  private void initializeTree(String prefix, long seed, Set<Module> seen) {
    if (!seen.add(this)) {
      return;
    }
    for (Map.Entry<String, Module> e : modules.entrySet()) {
      e.getValue().initializeTree(join(prefix, e.getKey()), seed, seen);
    }
    resetParameters(new ParameterSeeds(seed, prefix));
  }

  /**
   * Initializes this module's own parameters and buffers (not its children's) with
   * generators from {@code seeds} ({@code reset_parameters}). Layers override it with their
   * PyTorch default; a generated block overrides it to apply its init rules. Does nothing by
   * default.
   */
  protected void resetParameters(ParameterSeeds seeds) {}

  public Module train() {
    return train(true);
  }

  /** Sets training mode here and in every descendant. */
  public Module train(boolean mode) {
    training = mode;
    for (Module child : modules.values()) {
      child.train(mode);
    }
    return this;
  }

  public Module eval() {
    return train(false);
  }

  public boolean isTraining() {
    return training;
  }

  // ---------------------------------------------------------------- repr

  /** The name in the repr: the class's simple name unless overridden. */
  protected String typeName() {
    return getClass().getSimpleName();
  }

  /** The text inside the parentheses of the repr ({@code extra_repr}); empty by default. */
  public String extraRepr() {
    return "";
  }

  /** PyTorch's {@code Module.__repr__}, character for character. */
  @Override
  public String toString() {
    List<String> extra = new ArrayList<>();
    String er = extraRepr();
    if (!er.isEmpty()) {
      extra.addAll(Arrays.asList(er.split("\n", -1)));
    }
    List<String> childLines = new ArrayList<>();
    for (Map.Entry<String, Module> e : modules.entrySet()) {
      childLines.add("(" + e.getKey() + "): " + indent(String.valueOf(e.getValue()), 2));
    }
    List<String> lines = new ArrayList<>(extra);
    lines.addAll(childLines);
    StringBuilder sb = new StringBuilder(typeName()).append('(');
    if (!lines.isEmpty()) {
      if (extra.size() == 1 && childLines.isEmpty()) {
        sb.append(extra.get(0));
      } else {
        sb.append("\n  ").append(String.join("\n  ", lines)).append('\n');
      }
    }
    return sb.append(')').toString();
  }

  private static String indent(String s, int spaces) {
    String[] parts = s.split("\n", -1);
    if (parts.length == 1) {
      return s;
    }
    String pad = " ".repeat(spaces);
    StringBuilder sb = new StringBuilder(parts[0]);
    for (int i = 1; i < parts.length; i++) {
      sb.append('\n').append(pad).append(parts[i]);
    }
    return sb.toString();
  }

  private static String join(String prefix, String name) {
    return prefix.isEmpty() ? name : prefix + "." + name;
  }
}
