package dev.netspec.runtime.nn;

import dev.netspec.runtime.autograd.GradMode;
import dev.netspec.runtime.tensor.DType;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * The base of every layer and block ({@code nn.Module}). Parameters, buffers and child
 * modules live in ordered registries; two walks make every dotted name, as in PyTorch's
 * {@code module.py}:
 *
 * <ul>
 *   <li>the unique walk ({@link #namedModules}) reaches each module once, under its first
 *       name; {@link #namedParameters}, {@link #namedBuffers}, {@link #initialize} use it, so
 *       a shared layer counts once;
 *   <li>the path walk reaches a module under every name it has, as PyTorch's recursive
 *       {@code state_dict} does; {@link #stateDict}, {@link #loadStateDict} and
 *       {@link #toString} use it, so a shared layer's keys appear under each of its names.
 * </ul>
 */
public abstract class Module {
  private final Map<String, Parameter> parameters = new LinkedHashMap<>();
  private final Map<String, Tensor> buffers = new LinkedHashMap<>();
  private final Set<String> nonPersistentBuffers = new LinkedHashSet<>();
  private final Set<String> ignoredOnLoad = new LinkedHashSet<>();
  private final Map<String, Module> modules = new LinkedHashMap<>();
  private boolean training = true;
  private int childEdits;
  /** The thread inside a forward that uses this instance's buffers, or null: see {@link #enterForward}. */
  @SuppressWarnings("unused") // read and written through OWNER
  private volatile Thread forwardOwner;
  /** How many nested {@link #enterForward} calls the owner is inside; only the owner touches it. */
  private int forwardDepth;
  /**
   * The thread that entered a forward of this instance last (read by other threads only as a
   * hint, by {@link #claim}: a thread keeps using the same buffers, which stay in its core's
   * cache, instead of taking turns with the others).
   */
  private Thread lastOwner;
  /** The replicas {@link #concurrentForward} runs on while another thread is in this instance. */
  private volatile ReplicaPool replicas;
  /** For a replica: the links to its original, refreshed at each forward; else null. */
  private ReplicaLinks links;

  /** The forward computation ({@code module(x)}). */
  public abstract Tensor forward(Tensor x);

  /**
   * The forward computation written into {@code out}, a tensor the caller owns, of exactly
   * the output's shape and sharing no storage with {@code x}; returns {@code out}. It never
   * records for a backward pass (the inference path). This default runs {@link
   * #forward(Tensor)} under {@link GradMode#noGrad()} and copies; builtin layers and
   * generated blocks override it so that, once warm, a call allocates nothing.
   */
  public Tensor forward(Tensor x, Tensor out) {
    try (GradMode.Scope scope = GradMode.noGrad()) {
      return forward(x).copyInto(out);
    }
  }

  /**
   * Whether a forward of {@code inputs} must record the graph a backward pass walks: recording
   * is on ({@link GradMode#isEnabled()}) and an input or a parameter of this module or its
   * children requires a gradient. Generated blocks take their allocating, recording path
   * then and their buffered one otherwise. Allocates nothing.
   */
  protected final boolean records(Tensor... inputs) {
    if (!GradMode.isEnabled()) {
      return false;
    }
    for (Tensor t : inputs) {
      if (t != null && t.requiresGrad()) {
        return true;
      }
    }
    return anyParameterRequiresGrad(this);
  }

  private static boolean anyParameterRequiresGrad(Module m) {
    for (Parameter p : m.parameters.values()) {
      if (p != null && p.requiresGrad()) {
        return true;
      }
    }
    for (Module child : m.modules.values()) {
      if (child != null && anyParameterRequiresGrad(child)) {
        return true;
      }
    }
    return false;
  }

  // ---------------------------------------------------------------- one thread at a time

  private static final VarHandle OWNER;

  static {
    try {
      OWNER = MethodHandles.lookup().findVarHandle(Module.class, "forwardOwner", Thread.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * Claims this instance for a forward that writes into its own buffers; throws if another
   * thread is inside one. Call it first, then run the forward in {@code try} and call
   * {@link #exitForward} in {@code finally}. One compare-and-set, no allocation: a second
   * concurrent call fails loudly instead of overwriting the first one's intermediates (which
   * would return wrong numbers). The thread inside may enter again (a block's
   * {@code forward(x)} claims it, then runs {@code forward(x, out)}). Generated blocks and
   * {@link Sequential} do this; stateless layers need not.
   *
   * @throws IllegalStateException if another thread is inside a forward of this instance
   */
  protected final void enterForward() {
    if (!tryEnterForward()) {
      throw new IllegalStateException(getClass().getSimpleName()
          + ": forward called from two threads at once on one instance, whose forward buffers"
          + " belong to it; give each thread its own replica() (a generated block's, which"
          + " shares the weights), or call a generated block's forward(x), which runs on a free"
          + " replica while the instance is busy");
    }
  }

  private boolean tryEnterForward() {
    Thread me = Thread.currentThread();
    if (forwardOwner == me) {
      forwardDepth++;
      return true;
    }
    if (!OWNER.compareAndSet(this, null, me)) {
      return false;
    }
    forwardDepth = 1;
    if (lastOwner != me) {
      lastOwner = me;
    }
    if (links != null) {
      links.refresh(); // the original's buffers and modes, as they are now
    }
    return true;
  }

  /** Releases the claim of {@link #enterForward}. */
  protected final void exitForward() {
    if (--forwardDepth == 0) {
      OWNER.setRelease(this, null);
    }
  }

  // ---------------------------------------------------------------- replicas

  /**
   * {@code forward(x, out)} on this instance, or, while another thread is inside a forward of
   * it, on a free replica of it (made on first need, then kept for the next busy call): the
   * {@code forward(x)} of a generated block calls this, so one instance serves any number of
   * threads, each call with buffers no other thread touches.
   */
  protected final Tensor concurrentForward(Tensor x, Tensor out) {
    Module free = claim();
    try {
      return free.forward(x, out);
    } finally {
      release(free);
    }
  }

  /**
   * This instance, claimed for the calling thread as by {@link #enterForward}, if no other
   * thread is inside a forward of it; else a free replica, made on first need and claimed the
   * same way. Give it back with {@link #release}. Generated blocks whose forward takes other
   * arguments use this pair.
   *
   * <p>Each thread keeps to the buffers it used last when they are free: the instance if
   * this thread entered it last (or nobody did), else the free replica it used last, else any
   * free replica, else the instance if free, and a new replica only when all are busy. A
   * newcomer takes a replica before the instance so that the instance stays with the thread
   * that used it last, whose next call claims it with one compare-and-set, without the pool's
   * lock. So with as many threads as cores every thread runs on its own buffers, which stay in
   * its core's cache, and the replicas made are as many as were ever busy at once.
   */
  @SuppressWarnings("unchecked") // a replica is of this instance's class
  protected final <M extends Module> M claim() {
    Thread me = Thread.currentThread();
    ReplicaPool pool = replicas;
    Thread last = lastOwner;
    if ((pool == null || last == me || last == null) && tryEnterForward()) {
      return (M) this;
    }
    if (pool == null) {
      synchronized (this) {
        pool = replicas;
        if (pool == null) {
          pool = new ReplicaPool();
          replicas = pool;
        }
      }
    }
    Module free = pool.borrow(me);
    if (free == null && tryEnterForward()) {
      return (M) this;
    }
    if (free == null) {
      free = replica();
    }
    if (!free.tryEnterForward()) { // only the pool hands it out, so it is free
      throw new IllegalStateException("a free replica of " + typeName() + " is busy");
    }
    return (M) free;
  }

  /** The thread that entered a forward of this instance last, or null: a hint for pools. */
  final Thread lastOwner() {
    return lastOwner;
  }

  /** Gives back what {@link #claim} returned. */
  protected final void release(Module claimed) {
    claimed.exitForward();
    if (claimed != this) {
      replicas.giveBack(claimed);
    }
  }

  /**
   * A new instance of this block that shares its parameters (one tensor each, so weight
   * updates, loads and optimizer steps are seen by both, and their packed forms) and has
   * forward buffers and caches of its own: give each serving thread one, and its
   * {@code forward(x, out)} allocates nothing with the weights once in memory. Buffers
   * (running statistics) are copied, and copied again at a forward after the original's
   * changed; the training mode follows the original's the same way. Generated blocks
   * implement it; other modules throw.
   *
   * @throws UnsupportedOperationException for a module that cannot be rebuilt by itself
   */
  public Module replica() {
    throw new UnsupportedOperationException(typeName() + " cannot make replicas (generated"
        + " blocks can); build one instance per thread and load the same state dict into each");
  }

  /**
   * The replica of this module that {@code make} builds (a new instance of the same block
   * with the same arguments): its initializers are skipped, its parameters tied to this
   * module's, its buffers copied. Generated blocks implement {@link #replica} with it.
   */
  protected final <M extends Module> M replicaOf(java.util.function.Supplier<M> make) {
    M copy = ReplicaLinks.build(make);
    ((Module) copy).links = new ReplicaLinks(this, copy);
    return copy;
  }

  /**
   * Called on each module of a new replica with its counterpart in the original, after the
   * parameters were tied: a layer shares what it derives from its weights (a
   * {@link Linear}'s packed weight) so it too exists once. Does nothing by default.
   */
  protected void shareDerived(Module original) {}

  /** The local parameters, buffers and mode of this module, for {@link ReplicaLinks}. */
  final Map<String, Parameter> localParameters() {
    return parameters;
  }

  final Map<String, Tensor> localBuffers() {
    return buffers;
  }

  final void setTrainingFlag(boolean mode) {
    training = mode;
  }

  // ---------------------------------------------------------------- registration

  /**
   * Registers (or replaces) a parameter ({@code register_parameter}); returns it. The same
   * parameter may be registered in several modules (tied weights).
   */
  protected final Parameter registerParameter(String name, Parameter param) {
    checkName(name, "parameter", param);
    parameters.put(name, param);
    return param;
  }

  /**
   * Ties the parameter at {@code path} to the one at {@code sourcePath}, as PyTorch's
   * {@code self.lm_head.weight = self.transformer.wte.weight} does: afterwards both names
   * hold one tensor (the state dict has both keys, the parameters list it once, a load
   * copies into it, and keys with different values are refused).
   *
   * @throws IllegalArgumentException if either is not a parameter or their shapes differ
   */
  public final void tieParameter(String path, String sourcePath) {
    Parameter source = getParameter(sourcePath);
    Parameter target = getParameter(path);
    if (source == target) {
      return;
    }
    if (source.isMaterialized() && target.isMaterialized()
        && !Arrays.equals(source.shape(), target.shape())) {
      throw new IllegalArgumentException("cannot tie " + path + " " + sizeString(target.shape())
          + " to " + sourcePath + " " + sizeString(source.shape()) + ": the shapes differ");
    }
    int dot = path.lastIndexOf('.');
    Module owner = dot < 0 ? this : getSubmodule(path.substring(0, dot));
    target.tieTo(source);
    owner.parameters.put(path.substring(dot + 1), source);
  }

  /**
   * Marks {@code key} (relative to this module, such as {@code position_ids}) as a state-dict
   * entry that {@link #loadStateDict} ignores: present, it is neither loaded nor unexpected;
   * absent, it is not missing. transformers' {@code _keys_to_ignore_on_load_unexpected} does
   * this for BERT's {@code embeddings.position_ids}, a constant that older versions saved.
   */
  protected final void ignoreOnLoad(String key) {
    ignoredOnLoad.add(key);
  }

  /** Registers a persistent buffer: saved in the state dict, never trained. */
  protected final Tensor registerBuffer(String name, Tensor buffer) {
    return registerBuffer(name, buffer, true);
  }

  /**
   * {@code register_buffer(name, tensor, persistent)}; returns the buffer. A non-persistent
   * buffer is a named tensor of the module that the state dict leaves out.
   */
  protected final Tensor registerBuffer(String name, Tensor buffer, boolean persistent) {
    checkName(name, "buffer", buffer);
    buffers.put(name, buffer);
    if (persistent) {
      nonPersistentBuffers.remove(name);
    } else {
      nonPersistentBuffers.add(name);
    }
    return buffer;
  }

  /** Replaces the value of a registered buffer ({@code self.name = tensor}). */
  protected final void setBuffer(String name, Tensor buffer) {
    if (!buffers.containsKey(name)) {
      throw new IllegalArgumentException(typeName() + " has no buffer '" + name + "'");
    }
    checkName(name, "buffer", buffer);
    buffers.put(name, buffer);
  }

  /** The buffer registered as {@code name}. */
  public Tensor buffer(String name) {
    Tensor t = buffers.get(name);
    if (t == null) {
      throw new IllegalArgumentException(typeName() + " has no buffer '" + name + "'");
    }
    return t;
  }

  /** Adds (or replaces) a child module ({@code add_module}); returns it. */
  public final <M extends Module> M addModule(String name, M module) {
    checkName(name, "module", module);
    if (module == this) {
      throw new IllegalArgumentException("a module cannot be its own child ('" + name + "')");
    }
    modules.put(name, module);
    childEdits++;
    return module;
  }

  /**
   * Adds {@code count} children, child {@code i} made by {@code make.apply(i)} and named
   * {@code name.apply(i)}, as PyTorch's {@code for i in range(n): self.add_module(f"block{i}",
   * Block())}; returns them in order (an unmodifiable list). Generated blocks build a
   * {@code repeat} this way, so the state dict and repr are those of the children added one
   * by one.
   */
  public final <M extends Module> List<M> addModules(int count, IntFunction<String> name,
      IntFunction<? extends M> make) {
    if (count < 0) {
      throw new IllegalArgumentException("cannot add " + count + " modules");
    }
    List<M> added = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      added.add(addModule(name.apply(i), make.apply(i)));
    }
    return Collections.unmodifiableList(added);
  }

  /** How many times a child was added or replaced: caches of the children compare it. */
  final int childEdits() {
    return childEdits;
  }

  private void checkName(String name, String what, Object value) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException(what + " name can't be empty");
    }
    if (name.contains(".")) {
      throw new IllegalArgumentException(what + " name can't contain \".\", got: " + name);
    }
    if (value == null) {
      throw new IllegalArgumentException(what + " '" + name + "' is null");
    }
    boolean taken = (parameters.containsKey(name) && !"parameter".equals(what))
        || (buffers.containsKey(name) && !"buffer".equals(what))
        || (modules.containsKey(name) && !"module".equals(what));
    if (taken) {
      throw new IllegalArgumentException("attribute '" + name + "' already exists");
    }
  }

  // ---------------------------------------------------------------- traversal

  /**
   * The direct children in registration order, a child registered under two names once
   * ({@code named_children}).
   */
  public Map<String, Module> namedChildren() {
    Map<String, Module> out = new LinkedHashMap<>();
    Set<Module> seen = identitySet();
    modules.forEach((name, m) -> {
      if (seen.add(m)) {
        out.put(name, m);
      }
    });
    return out;
  }

  /** The direct children, each once ({@code children()}). */
  public List<Module> children() {
    return new ArrayList<>(namedChildren().values());
  }

  /** Every registered child in order, a child registered twice twice (for Sequential). */
  final List<Module> registeredChildren() {
    return new ArrayList<>(modules.values());
  }

  /** The child registered as {@code name}. */
  public Module child(String name) {
    Module m = modules.get(name);
    if (m == null) {
      throw new IllegalArgumentException(typeName() + " has no child module '" + name + "'");
    }
    return m;
  }

  /**
   * This module and every descendant, each once, with dotted names; this module's name is
   * {@code ""} ({@code named_modules}).
   */
  public Map<String, Module> namedModules() {
    Map<String, Module> out = new LinkedHashMap<>();
    walk("", identitySet(), null, out::put);
    return out;
  }

  /** This module and every descendant, each once ({@code modules()}). */
  public List<Module> modules() {
    return new ArrayList<>(namedModules().values());
  }

  /**
   * Pre-order walk with dotted names. With {@code seen}, each module is visited once (the
   * unique walk); otherwise under every path to it, with {@code onPath} guarding cycles.
   */
  private void walk(String name, Set<Module> seen, Set<Module> onPath,
      BiConsumer<String, Module> visitor) {
    if (seen != null && !seen.add(this)) {
      return;
    }
    if (onPath != null && !onPath.add(this)) {
      throw new IllegalStateException("module cycle: '" + name + "' contains itself");
    }
    visitor.accept(name, this);
    for (Map.Entry<String, Module> e : modules.entrySet()) {
      e.getValue().walk(join(name, e.getKey()), seen, onPath, visitor);
    }
    if (onPath != null) {
      onPath.remove(this);
    }
  }

  /** Every path to every module, pre-order: the order of PyTorch's state-dict recursion. */
  private void walkPaths(BiConsumer<String, Module> visitor) {
    walk("", null, identitySet(), visitor);
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
      throw new IllegalArgumentException(owner.typeName() + " has no parameter '"
          + path.substring(dot + 1) + "' (in path '" + path + "')");
    }
    return p;
  }

  /**
   * Members of one kind of every module of the unique walk, with dotted names; a member
   * reached twice (a tied weight) is reported once, under its first name.
   */
  private <T> Map<String, T> namedMembers(MemberKind<T> kind) {
    Map<String, T> out = new LinkedHashMap<>();
    Set<Object> seen = identitySet();
    namedModules().forEach((prefix, m) -> kind.members(m).forEach((name, member) -> {
      if (seen.add(member)) {
        out.put(join(prefix, name), member);
      }
    }));
    return out;
  }

  private interface MemberKind<T> {
    Map<String, T> members(Module m);
  }

  /** Every parameter with its dotted name, a shared one once ({@code named_parameters}). */
  public Map<String, Parameter> namedParameters() {
    return namedMembers(m -> m.parameters);
  }

  /** Every parameter, a shared one once ({@code parameters()}). */
  public List<Parameter> parameters() {
    return new ArrayList<>(namedParameters().values());
  }

  /**
   * Every buffer, persistent or not, with its dotted name, a shared one once
   * ({@code named_buffers}).
   */
  public Map<String, Tensor> namedBuffers() {
    return namedMembers(m -> m.buffers);
  }

  /** Every buffer, a shared one once ({@code buffers()}). */
  public List<Tensor> buffers() {
    return new ArrayList<>(namedBuffers().values());
  }

  // ---------------------------------------------------------------- state dict

  /** This module's own parameters and persistent buffers, in PyTorch's order. */
  private Map<String, Object> localState() {
    Map<String, Object> out = new LinkedHashMap<>(parameters);
    buffers.forEach((name, b) -> {
      if (!nonPersistentBuffers.contains(name)) {
        out.put(name, b);
      }
    });
    return out;
  }

  /**
   * Parameters and persistent buffers by dotted name ({@code state_dict}): for each module in
   * pre-order, its parameters, then its buffers. The values are the live tensors, not
   * copies; a shared parameter appears under each of its names.
   *
   * @throws IllegalStateException if a lazy parameter has no shape yet, naming every one
   */
  public Map<String, Tensor> stateDict() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    List<String> lazy = new ArrayList<>();
    walkPaths((name, m) -> m.localState().forEach((local, value) -> {
      String key = join(name, local);
      if (value instanceof Parameter && !((Parameter) value).isMaterialized()) {
        lazy.add(key);
      } else {
        out.put(key, value instanceof Parameter ? ((Parameter) value).data() : (Tensor) value);
      }
    }));
    if (!lazy.isEmpty()) {
      throw new IllegalStateException("cannot take the state dict of " + typeName()
          + ": uninitialized parameters " + String.join(", ", lazy)
          + "; run a forward first so the lazy layers learn their input size");
    }
    return out;
  }

  /**
   * Copies {@code stateDict} into this module's parameters and persistent buffers
   * ({@code load_state_dict}). Every problem is collected first, in PyTorch's order and
   * wording: missing keys, unexpected keys (both only fail under {@code strict}), then every
   * shape mismatch, and keys of one shared parameter with different values. On failure
   * nothing is changed (PyTorch copies what it can before it raises). An uninitialized lazy
   * parameter takes the shape it is given. Keys marked by {@link #ignoreOnLoad} are skipped.
   *
   * @return the missing and unexpected keys, in PyTorch's order (both empty if strict)
   * @throws StateDictException listing every problem at once
   */
  public LoadResult loadStateDict(Map<String, Tensor> stateDict, boolean strict) {
    List<Slot> slots = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    List<String> unexpected = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    List<StateDictException.SizeMismatch> mismatches = new ArrayList<>();
    List<String> others = new ArrayList<>();
    walkPaths((name, m) -> {
      String prefix = name.isEmpty() ? "" : name + ".";
      Map<String, Object> local = m.localState();
      local.forEach((localName, target) -> {
        String key = prefix + localName;
        if (!stateDict.containsKey(key)) {
          missing.add(key);
          return;
        }
        Tensor src = stateDict.get(key);
        int sizeMismatches = mismatches.size();
        String problem = src == null ? "value for " + key + " is null"
            : m.shapeProblem(key, localName, target, src.shape(), mismatches);
        if (problem == null) {
          problem = dtypeProblem(key, target, src);
        }
        if (problem != null) {
          problems.add(problem);
          if (mismatches.size() == sizeMismatches) {
            others.add(problem);
          }
        } else {
          slots.add(new Slot(key, target, src));
        }
      });
      for (String key : stateDict.keySet()) {
        if (key.startsWith(prefix)) {
          String rest = key.substring(prefix.length());
          String head = rest.split("\\.", 2)[0];
          if (!m.modules.containsKey(head) && !local.containsKey(head) && !m.ignoredOnLoad.contains(rest)) {
            unexpected.add(key);
          }
        }
      }
    });
    List<String> tied = tiedConflicts(slots);
    problems.addAll(tied);
    others.addAll(tied);
    if (!problems.isEmpty() || (strict && (!missing.isEmpty() || !unexpected.isEmpty()))) {
      throw new StateDictException(typeName(), strict ? missing : List.of(),
          strict ? unexpected : List.of(), problems, mismatches, others);
    }
    for (Slot slot : slots) {
      if (slot.target instanceof Parameter) {
        Parameter p = (Parameter) slot.target;
        if (!p.isMaterialized()) {
          p.materialize(slot.src.shape());
        }
        p.data().copy_(slot.src);
      } else {
        ((Tensor) slot.target).copy_(slot.src);
      }
    }
    for (Module m : modules()) {
      m.afterLoadStateDict();
    }
    return new LoadResult(missing, unexpected);
  }

  /** One state-dict entry that will be copied into {@code target} (a parameter or buffer). */
  private record Slot(String key, Object target, Tensor src) {}

  /**
   * Why {@code shape} cannot be loaded into {@code target} (registered here as
   * {@code localName}), or null. An uninitialized parameter asks {@link #lazyShapeProblem}; a
   * plain mismatch is also added to {@code mismatches}.
   */
  private String shapeProblem(String key, String localName, Object target, int[] shape,
      List<StateDictException.SizeMismatch> mismatches) {
    if (target instanceof Parameter && !((Parameter) target).isMaterialized()) {
      String why = lazyShapeProblem(localName, shape);
      return why == null ? null : "cannot load " + key + " with shape " + sizeString(shape)
          + " into " + typeName() + ": " + why;
    }
    int[] expected = target instanceof Parameter ? ((Parameter) target).shape()
        : ((Tensor) target).shape();
    if (Arrays.equals(shape, expected)) {
      return null;
    }
    mismatches.add(new StateDictException.SizeMismatch(key, shape, expected));
    return "size mismatch for " + key + ": copying a param with shape " + sizeString(shape)
        + " from checkpoint, the shape in current model is " + sizeString(expected) + ".";
  }

  /**
   * Why {@code src} cannot be loaded into {@code target} for its element type, or null.
   * PyTorch's {@code copy_} would convert silently; netspec refuses, so an int64 counter
   * never becomes a float and a float weight never truncates.
   */
  private static String dtypeProblem(String key, Object target, Tensor src) {
    DType expected = !(target instanceof Parameter p) ? ((Tensor) target).dtype()
        : p.isMaterialized() ? p.data().dtype() : DType.FLOAT32;
    if (src.dtype() == expected) {
      return null;
    }
    return "dtype mismatch for " + key + ": copying a param with dtype " + src.dtype()
        + " from checkpoint, the dtype in current model is " + expected + ".";
  }

  /** Keys that name one shared tensor but carry different values. */
  private static List<String> tiedConflicts(List<Slot> slots) {
    Map<Object, Slot> first = new IdentityHashMap<>();
    List<String> out = new ArrayList<>();
    for (Slot slot : slots) {
      Slot prev = first.putIfAbsent(slot.target, slot);
      if (prev != null && !prev.src.contentEquals(slot.src)) {
        out.add(slot.key + " and " + prev.key
            + " are one shared tensor, but the state dict gives them different values");
      }
    }
    return out;
  }

  /** {@code torch.Size([2, 3])}, as PyTorch prints a shape. */
  static String sizeString(int[] shape) {
    StringBuilder sb = new StringBuilder("torch.Size([");
    for (int i = 0; i < shape.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(shape[i]);
    }
    return sb.append("])").toString();
  }

  /**
   * Why an uninitialized parameter of this module, registered as {@code localName}, cannot
   * take {@code shape} from a state dict, or null if it can (the default). Lazy layers
   * override it to refuse shapes they could never have inferred.
   */
  protected String lazyShapeProblem(String localName, int[] shape) {
    return null;
  }

  /**
   * Called on every module after {@link #loadStateDict} copied the values, so a lazy layer
   * can finish materializing. Does nothing by default.
   */
  protected void afterLoadStateDict() {}

  /** What a non-strict {@link #loadStateDict} skipped ({@code _IncompatibleKeys}). */
  public record LoadResult(List<String> missingKeys, List<String> unexpectedKeys) {
    /** Copies both lists. */
    public LoadResult {
      missingKeys = List.copyOf(missingKeys);
      unexpectedKeys = List.copyOf(unexpectedKeys);
    }
  }

  // ---------------------------------------------------------------- modes and apply

  /**
   * Applies {@code fn} to every child (recursively, each child of a module once) and then to
   * this module, as PyTorch's {@code apply}; returns this module.
   */
  public Module apply(Consumer<? super Module> fn) {
    for (Module child : children()) {
      child.apply(fn);
    }
    fn.accept(this);
    return this;
  }

  /**
   * Initializes every parameter of the tree from {@code seed}: children first, then each
   * parent (so a block's own init rules override its children's defaults, like
   * {@code net.apply(init_fn)}), each module once, through {@link #resetParameters}. Each
   * parameter draws from a stream named by its full state-dict name, so the result does not
   * depend on construction order and adding a layer never changes the others.
   */
  public Module initialize(long seed) {
    if (!InitScope.skipping()) { // see beginChildren
      initializeTree("", seed, identitySet());
    }
    return this;
  }

  /**
   * Starts building the children of a block that initializes its whole tree when they exist
   * (a generated block's constructor ends with {@code initialize(seed)}): until
   * {@link #endChildren}, the children's own {@code initialize} calls, at the end of their
   * constructors, are skipped on this thread, so each block's parameters are drawn once.
   * Call {@code endChildren()} in {@code finally}.
   */
  protected static void beginChildren() {
    InitScope.enter();
  }

  /** Ends what {@link #beginChildren} started. */
  protected static void endChildren() {
    InitScope.exit();
  }

  private void initializeTree(String name, long seed, Set<Module> seen) {
    if (!seen.add(this)) {
      return;
    }
    for (Map.Entry<String, Module> e : modules.entrySet()) {
      e.getValue().initializeTree(join(name, e.getKey()), seed, seen);
    }
    resetParameters(new ParameterSeeds(seed, name));
  }

  /**
   * Initializes this module's own parameters and buffers (not its children's) with
   * generators from {@code seeds} ({@code reset_parameters}). Layers override it with their
   * PyTorch default; a generated block overrides it to apply its init rules. Does nothing by
   * default.
   */
  protected void resetParameters(ParameterSeeds seeds) {}

  /**
   * Sets training mode ({@code train()}); returns this module. Every layer and generated
   * block overrides {@code train()}, {@code train(boolean)} and {@code eval()} to return its
   * own type, so that {@code Mlp net = new Mlp().eval();} compiles; a subclass of your own
   * should do the same.
   */
  public Module train() {
    return train(true);
  }

  /**
   * The random streams the modules draw from while training (dropout masks), by dotted name
   * ({@code "3.mask"}), each module once: what a checkpoint saves so that a resumed run draws
   * the masks an uninterrupted one would. The values are the live generators.
   */
  public final Map<String, Generator> namedGenerators() {
    Map<String, Generator> out = new LinkedHashMap<>();
    walkPaths((name, m) -> m.localGenerators().forEach((local, g) -> out.put(join(name, local), g)));
    return out;
  }

  /** This module's own random streams used in training (not its children's); none by default. */
  protected Map<String, Generator> localGenerators() {
    return Map.of();
  }

  /** Sets training mode here and in every descendant; returns this module. */
  public Module train(boolean mode) {
    training = mode;
    for (Module child : children()) {
      child.train(mode);
    }
    return this;
  }

  /** Sets evaluation mode ({@code train(false)}); returns this module. */
  public Module eval() {
    return train(false);
  }

  /** Whether this module is in training mode ({@code module.training}). */
  public boolean isTraining() {
    return training;
  }

  // ---------------------------------------------------------------- repr

  /** The name in the repr and in load errors ({@code _get_name}): the simple class name. */
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
      childLines.add("(" + e.getKey() + "): " + indent(String.valueOf(e.getValue())));
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

  /** PyTorch's {@code _addindent(s, 2)}: every line but the first gets two spaces. */
  private static String indent(String s) {
    return s.replace("\n", "\n  ");
  }

  private static String join(String prefix, String name) {
    return prefix.isEmpty() ? name : prefix + "." + name;
  }

  private static <T> Set<T> identitySet() {
    return Collections.newSetFromMap(new IdentityHashMap<>());
  }
}
