package dev.netspec.compiler.infer;

import dev.netspec.compiler.check.Checker;
import dev.netspec.compiler.check.Names;
import dev.netspec.compiler.check.Model.Arg;
import dev.netspec.compiler.check.Model.ArgExpr;
import dev.netspec.compiler.check.Model.ArgRef;
import dev.netspec.compiler.check.Model.ArgType;
import dev.netspec.compiler.check.Model.Block;
import dev.netspec.compiler.check.Model.BlockUse;
import dev.netspec.compiler.check.Model.BuiltinUse;
import dev.netspec.compiler.check.Model.Child;
import dev.netspec.compiler.check.Model.Container;
import dev.netspec.compiler.check.Model.ContainerUse;
import dev.netspec.compiler.check.Model.DimRef;
import dev.netspec.compiler.check.Model.FixedDim;
import dev.netspec.compiler.check.Model.InitRule;
import dev.netspec.compiler.check.Model.InitSpec;
import dev.netspec.compiler.check.Model.InputDecl;
import dev.netspec.compiler.check.Model.LazyDim;
import dev.netspec.compiler.check.Model.Literal;
import dev.netspec.compiler.check.Model.NamedDim;
import dev.netspec.compiler.check.Model.SameAs;
import dev.netspec.compiler.check.Model.SequentialUse;
import dev.netspec.compiler.check.Model.TensorDecl;
import dev.netspec.compiler.check.Model.Tie;
import dev.netspec.compiler.check.Model.Unreadable;
import dev.netspec.compiler.check.Model.Value;
import dev.netspec.compiler.diag.Position;
import dev.netspec.compiler.diag.Reporter;
import dev.netspec.compiler.infer.Ops.ShapeError;
import dev.netspec.compiler.layers.ArgDef;
import dev.netspec.compiler.layers.Args;
import dev.netspec.compiler.layers.Inferred;
import dev.netspec.compiler.layers.InferredArg;
import dev.netspec.compiler.layers.LayerKind;
import dev.netspec.compiler.parse.Ast;
import dev.netspec.compiler.parse.Ast.Expr;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Shape inference. A block is instantiated with argument values and an input shape; its
 * children are instantiated at their first call, and every layer, operation and block use is
 * checked against the shapes that reach it. The generic instantiation of each block (its
 * int arguments symbolic, its declared input or the shape of its first use) drives code
 * generation; a concrete one drives {@code inspect}.
 */
public final class Inference {
  /**
   * The instantiation of one block.
   *
   * @param types the type of every forward expression (by identity)
   * @param inferredArgs the arguments each builtin layer read from its input's shape, such as
   *     {@code in_features} (by identity)
   * @param calls the bound arguments of every builtin-function call (by identity)
   * @param flops multiply-adds counted twice, plus one per element of other ops; -1 if unknown
   * @param input the first input's shape; {@code inputs} has every input's type by name, in order
   * @param output the output's shape, or null when it is unknown or a tuple; {@code outputType}
   *     is its type (a tensor or a tuple), or null when unknown
   */
  public record Result(Block block, Shape input, Shape output, Inst inst, long flops,
      Map<Expr, Type> types, Map<BuiltinUse, Map<String, Dim>> inferredArgs,
      Map<Ast.Call, Map<String, Object>> calls, Map<String, Type.TensorT> inputs, Type outputType) {
    /** What layer {@code b} read from its input's shape; empty if nothing. */
    public Map<String, Dim> inferred(BuiltinUse b) {
      return inferredArgs.getOrDefault(b, Map.of());
    }

    /** Whether layer {@code b} waits for its first forward to know an argument (a lazy layer). */
    public boolean lazy(BuiltinUse b) {
      return inferred(b).values().stream().anyMatch(Dim::isLazy);
    }
  }

  private record Key(Block block, Map<String, Object> args, Shape input, DType dtype) {}

  /** A child as built at its first call, and its output there. */
  private record Built(Inst inst, Shape output) {}

  private final Map<String, Block> blocks;
  /** Blocks whose input or forward could not be read: not inferred, their uses unknown. */
  private final Set<String> broken;
  /** Where errors go; a throwaway one while a loop's further modules repeat the first's errors. */
  private Reporter reporter;
  private final boolean generic;
  private final Map<Key, Result> memo = new HashMap<>();
  private final Map<Block, Shape> firstUse = new LinkedHashMap<>();
  private final Map<Block, Position> firstUsePos = new LinkedHashMap<>();
  private final Map<Block, DType> firstUseDType = new LinkedHashMap<>();
  /** The first use of each block with arguments and no input: which child, its input, where. */
  private final Map<Block, String> argsBlockUse = new HashMap<>();
  private final Set<Key> running = new LinkedHashSet<>();
  /** Whether the input is a concrete shape given to inspect: a forward has run at it. */
  private boolean afterForward;

  private Inference(Map<String, Block> blocks, Set<String> broken, Reporter reporter, boolean generic) {
    this.blocks = blocks;
    this.broken = broken;
    this.reporter = reporter;
    this.generic = generic;
  }

  /**
   * The generic instantiation of every block of one file, in file order; blocks named in
   * {@code broken} (their input or forward could not be read) are skipped. The file's blocks
   * may also use {@code imported} blocks (inferred at each use; their own file infers them
   * generically).
   */
  public static Map<Block, Result> inferAll(List<Block> fileBlocks, List<Block> imported,
      Set<String> broken, Reporter reporter) {
    Map<String, Block> byName = new LinkedHashMap<>();
    fileBlocks.forEach(b -> byName.put(b.name(), b));
    imported.forEach(b -> byName.putIfAbsent(b.name(), b));
    Inference inf = new Inference(byName, broken, reporter, true);
    Set<Block> used = new LinkedHashSet<>();
    for (Block b : fileBlocks) {
      for (BlockUse u : Checker.blockUses(b.children())) {
        used.add(byName.get(u.blockName()));
      }
    }
    Map<Block, Result> out = new LinkedHashMap<>();
    // A block with arguments and no input is generic over its input: checked at each use, and
    // once generically after its users, so that an error there can name the shape they give it.
    for (boolean genericInput : new boolean[] {false, true}) {
      for (Block b : fileBlocks) {
        boolean root = b.input() != null || !used.contains(b) || !b.args().isEmpty();
        boolean late = b.input() == null && used.contains(b) && !b.args().isEmpty();
        if (!broken.contains(b.name()) && root && late == genericInput) {
          out.put(b, inf.instantiate(b, inf.symbolicArgs(b), DeclaredSizes.input(b), firstDType(b, DType.FLOAT32)));
        }
      }
    }
    // Blocks without an input: take the shape of their first use, parents first.
    boolean progress = true;
    while (progress) {
      progress = false;
      for (Block b : fileBlocks) {
        if (!out.containsKey(b) && !broken.contains(b.name()) && inf.firstUse.containsKey(b)) {
          out.put(b, inf.instantiate(b, inf.symbolicArgs(b), inf.firstUse.get(b),
              inf.firstUseDType.getOrDefault(b, DType.FLOAT32)));
          progress = true;
        }
      }
    }
    Map<Block, Result> ordered = new LinkedHashMap<>();
    for (Block b : fileBlocks) {
      if (out.containsKey(b)) {
        ordered.put(b, out.get(b));
      }
    }
    return ordered;
  }

  /**
   * Instantiates {@code block} for an input of concrete (or symbolic) shape, for
   * {@code inspect}; null input means the block's declared input.
   */
  public static Result inspect(List<Block> fileBlocks, Block block, Shape input, Reporter reporter) {
    return inspect(fileBlocks, block, Map.of(), input, reporter);
  }

  /**
   * {@link #inspect(List, Block, Shape, Reporter)} with some of the block's arguments given:
   * an int argument as a {@link Dim}, a float as a Double, a bool as a Boolean; the others stay
   * symbolic.
   */
  public static Result inspect(List<Block> fileBlocks, Block block, Map<String, Object> args,
      Shape input, Reporter reporter) {
    Map<String, Block> byName = new LinkedHashMap<>();
    fileBlocks.forEach(b -> byName.put(b.name(), b));
    Inference inf = new Inference(byName, Set.of(), reporter, false);
    inf.afterForward = input != null;
    Map<String, Object> env = inf.symbolicArgs(block);
    env.putAll(args);
    Shape declared = DeclaredSizes.input(block);
    if (input == null) {
      return inf.instantiate(block, env, withArgs(declared, env), firstDType(block, DType.FLOAT32));
    }
    if (block.input() != null) {
      String err = inf.unify(block, env, input, new HashMap<>());
      if (err != null) {
        reporter.error(block.inputPos(), block.name() + ": expects input "
            + withArgs(declared, env) + ", got " + input);
        return null;
      }
    }
    return inf.instantiate(block, env, input, firstDType(block, DType.FLOAT32));
  }

  /** The dtype of the block's first input, or {@code otherwise} when it declares none. */
  static DType firstDType(Block b, DType otherwise) {
    return b.inputs().isEmpty() ? otherwise : b.inputs().get(0).dtype();
  }

  /** {@code shape} with the int arguments of {@code env} in place of their names. */
  private static Shape withArgs(Shape shape, Map<String, Object> env) {
    if (!shape.knownRank()) {
      return shape;
    }
    List<Dim> dims = new ArrayList<>();
    for (Dim d : shape.dims()) {
      dims.add(d instanceof Dim.Sym s && env.get(s.name()) instanceof Dim given ? given : d);
    }
    return new Shape(dims);
  }

  private Map<String, Object> symbolicArgs(Block b) {
    Map<String, Object> env = new LinkedHashMap<>();
    for (Arg a : b.args().values()) {
      env.put(a.name(), a.type() == ArgType.INT ? new Dim.Sym(a.name()) : new ArgSymbol(a.name(), a.type()));
    }
    return env;
  }

  /** A float or bool argument whose value is not known (generic instantiation). */
  record ArgSymbol(String name, ArgType type) {
    @Override
    public String toString() {
      return name;
    }
  }

  // ------------------------------------------------------------------ blocks

  private Result instantiate(Block block, Map<String, Object> args, Shape input, DType dtype) {
    Key key = new Key(block, args, input, dtype);
    Result cached = memo.get(key);
    if (cached != null) {
      return new Result(cached.block(), cached.input(), cached.output(), cached.inst().copy(),
          cached.flops(), cached.types(), cached.inferredArgs(), cached.calls(), cached.inputs(),
          cached.outputType());
    }
    if (!running.add(key)) {
      return null; // a cycle; reported by the checker
    }
    if (DeclaredSizes.refused(block, args, reporter)) {
      running.remove(key);
      return null;
    }
    BlockRun run = new BlockRun(block, args, input, dtype);
    Result r = run.run();
    running.remove(key);
    memo.put(key, r);
    return r;
  }

  /**
   * Checks an actual input shape against a block's declared input, binding its symbols;
   * returns null when it fits, else what went wrong.
   */
  private String unify(Block target, Map<String, Object> args, Shape actual, Map<String, Dim> bindings) {
    if (target.input() == null || !actual.knownRank()) {
      return null;
    }
    if (actual.rank() != target.input().size()) {
      return "rank";
    }
    for (int i = 0; i < actual.rank(); i++) {
      DimRef ref = target.input().get(i);
      Dim got = actual.dim(i);
      Dim want;
      if (ref instanceof FixedDim f) {
        want = Dim.of(f.size());
      } else if (ref instanceof LazyDim) {
        continue;
      } else {
        String n = ((NamedDim) ref).name();
        Object a = args.get(n);
        if (a instanceof Dim d) {
          want = d;
        } else {
          Dim bound = bindings.putIfAbsent(n, got);
          if (bound == null) {
            continue;
          }
          want = bound;
        }
      }
      if (!Dim.compatible(want, got)) {
        return "dim";
      }
    }
    return null;
  }

  /** The state of one block instantiation. */
  private final class BlockRun implements ForwardInference.Layers {
    private final Block block;
    private final Map<String, Object> args;
    private final Shape input;
    private final DType dtype;
    private final Inst inst;
    private final Map<String, ChildState> children = new LinkedHashMap<>();
    private Map<Expr, Type> types = Map.of();
    private final Map<BuiltinUse, Map<String, Dim>> inferredArgs = new IdentityHashMap<>();
    private Map<Ast.Call, Map<String, Object>> calls = Map.of();
    /** The outputs of linears run on a 4-dim input (a conv's, not flattened), by shape. */
    private final Map<Shape, ChildState> unflattened = new HashMap<>();
    private long flops;
    private Shape output;
    private Type outputType;

    BlockRun(Block block, Map<String, Object> args, Shape input, DType dtype) {
      this.block = block;
      this.args = args;
      this.input = input;
      this.dtype = dtype;
      this.inst = new Inst(block.name(), block.sequentialOnly() ? "Sequential" : block.name(), "");
    }

    Result run() {
      for (TensorDecl p : block.params().values()) {
        inst.params.put(p.name(), shapeOf(p.shape()));
      }
      for (TensorDecl b : block.buffers().values()) {
        inst.buffers.put(b.name(), shapeOf(b.shape()));
        inst.persistent.put(b.name(), b.persistent());
      }
      List<Child> existing = new ArrayList<>();
      for (Child c : block.children()) {
        if (c.when() == null || !Boolean.FALSE.equals(ArgCondition.decide(c.when(), args))) {
          existing.add(c); // a child whose 'when' is false for these arguments does not exist
        }
      }
      for (ChildState c : states(block.name(), existing)) {
        children.put(c.child.name(), c);
      }
      Map<String, Type.TensorT> inputs = BlockSignature.inputs(block, args, input, dtype);
      if (block.forward() == null) {
        Type t = inputs.values().iterator().next();
        for (ChildState c : children.values()) {
          t = takesSeveral(c) ? new Type.TensorT(call(c, t instanceof Type.TensorT x ? x.shape() : Shape.ANY,
              c.child.pos())) : callTyped(c, List.of(t), c.child.pos());
          if (t instanceof Type.TupleT tuple) { // PyTorch's Sequential would pass the tuple on
            String name = Character.isDigit(c.child.name().charAt(0)) && c.child.use() instanceof BuiltinUse b
                ? b.kind().name() : c.child.name();
            reporter.error(c.child.pos(), label(c) + ": returns " + tuple + ", which a 'sequential'"
                + " cannot pass on; use 'layers' and a forward that unpacks it, such as "
                + Unpacking.example(tuple) + " = " + name + "(x)");
            t = Type.unknownTensor();
          }
        }
        outputType = t;
        output = t instanceof Type.TensorT tt ? tt.shape() : null;
      } else {
        ForwardInference f = new ForwardInference(block, args, inst, inputs, reporter, this);
        f.run();
        output = f.output();
        outputType = f.outputType();
        types = f.types();
        calls = f.calls();
      }
      for (ChildState c : children.values()) {
        inst.children.put(c.child.name(), c.finish());
      }
      inst.output = output;
      inst.outputType = outputType;
      checkTies();
      checkInitRules();
      return new Result(block, input, output, inst, flops, types, inferredArgs, calls, inputs, outputType);
    }

    private List<ChildState> states(String path, List<Child> list) {
      Map<String, ChildState> byName = new LinkedHashMap<>();
      for (Child c : list) {
        ChildState s = c.use() instanceof SameAs same ? byName.get(same.target())
            : new ChildState(path + "." + c.name(), c);
        byName.put(c.name(), s);
      }
      List<ChildState> out = new ArrayList<>();
      for (Child c : list) {
        ChildState s = byName.get(c.name());
        out.add(s.child == c ? s : new ChildState(s, c));
      }
      return out;
    }

    private Shape shapeOf(List<DimRef> refs) {
      List<Dim> dims = new ArrayList<>();
      for (DimRef d : refs) {
        if (d instanceof FixedDim f) {
          dims.add(Dim.of(f.size()));
        } else if (d instanceof NamedDim n) {
          Object a = args.get(n.name());
          dims.add(a instanceof Dim dim ? dim : new Dim.Sym(n.name()));
        }
      }
      return new Shape(dims);
    }

    @Override
    public boolean isChild(String name) {
      return children.containsKey(name);
    }

    @Override
    public Set<String> childNames() {
      return children.keySet();
    }

    @Override
    public Shape call(String name, Shape in, Position pos) {
      return call(children.get(name), in, pos);
    }

    @Override
    public Type call(String name, List<Type> in, Position pos) {
      return callTyped(children.get(name), in, pos);
    }

    /**
     * Runs a child on typed arguments: the input tensor (its dtype checked against what the
     * child takes), then the optional ones such as an LSTM's initial states; the child's result.
     */
    private Type callTyped(ChildState c, List<Type> in, Position pos) {
      ChildState t = c.target != null ? c.target : c;
      Type.TensorT x = in.get(0) instanceof Type.TensorT tt ? tt : (Type.TensorT) Type.unknownTensor();
      DType want = inputDType(t);
      if (want != null && x.dtype() != want && x.shape().knownRank()) { // unknown: reported already
        reporter.error(pos, label(c) + ": takes " + DTypeRules.aTensor(want) + ", got " + x + "; "
            + DTypeRules.advice(want) + declaredAt(c, pos));
      }
      if (t.child.use() instanceof BlockUse u && blocks.get(u.blockName()).inputs().isEmpty() && generic) {
        firstUseDType.putIfAbsent(blocks.get(u.blockName()), x.dtype()); // a block without 'input:' takes its first use's
      }
      Shape out = call(c, x.shape(), pos);
      if (t.child.use() instanceof Unreadable) {
        return Type.unknownTensor(); // declared with errors, reported: no second error for its call
      }
      List<Type> extra = in.subList(1, in.size());
      Block several = t.child.use() instanceof BlockUse u && blocks.get(u.blockName()).inputs().size() > 1
          ? blocks.get(u.blockName()) : null;
      if (several != null) { // a block's inputs are all required, each checked by name
        List<String> names = several.inputs().stream().map(InputDecl::name).toList();
        if (in.size() != names.size()) {
          reporter.error(pos, label(c) + ": takes " + names.size() + " inputs (" + String.join(", ", names)
              + "), got " + in.size() + " argument" + (in.size() == 1 ? "" : "s") + declaredAt(c, pos));
        } else {
          for (int i = 0; i < extra.size() && i < t.extraIns.size(); i++) {
            if (!DTypeRules.sameStructure(t.extraIns.get(i), extra.get(i))) {
              reporter.error(pos, label(c) + ": input '" + names.get(i + 1) + "' must be " + t.extraIns.get(i)
                  + ", got " + extra.get(i) + declaredAt(c, pos));
            }
          }
        }
      } else if (extra.size() > t.extraIns.size()) {
        reporter.error(pos, label(c) + ": takes " + (t.extraIns.isEmpty() ? "one tensor"
            : "the input and " + t.extraIns.size() + " more argument" + (t.extraIns.size() == 1 ? "" : "s"))
            + ", got " + in.size() + " arguments" + declaredAt(c, pos));
      } else {
        for (int i = 0; i < extra.size(); i++) {
          if (!DTypeRules.sameStructure(t.extraIns.get(i), extra.get(i))) {
            reporter.error(pos, label(c) + ": argument " + (i + 2) + " must be " + t.extraIns.get(i)
                + ", got " + extra.get(i) + declaredAt(c, pos));
          }
        }
      }
      return t.outType != null ? t.outType : new Type.TensorT(out);
    }

    @Override
    public LayerKind kind(String name) {
      ChildState c = children.get(name);
      ChildState t = c == null ? null : c.target != null ? c.target : c;
      return t != null && t.child.use() instanceof BuiltinUse b ? b.kind() : null;
    }

    @Override
    public Type call(String name, Map<String, Type.TensorT> tensors, Map<String, Boolean> flags, Position pos) {
      ChildState c = children.get(name);
      ChildState t = c.target != null ? c.target : c;
      LayerKind kind = ((BuiltinUse) t.child.use()).kind();
      Type.TensorT first = tensors.get(kind.callParams().get(0).name());
      int before = reporter.errorCount();
      Type plain = callTyped(c, List.of(first), pos);
      if (t.inferred == null || reporter.errorCount() > before) {
        // a layer that gives a tuple and was refused gives an unknown value: no second error
        return kind.outputAccessors().isEmpty() ? plain : Type.unknownTensor();
      }
      try {
        return kind.callType(t.kindArgs, t.inferred, tensors, flags);
      } catch (ShapeError e) {
        reporter.error(pos, label(c) + ": " + e.getMessage() + declaredAt(c, pos));
        return Type.unknownTensor();
      }
    }

    /** The dtype child {@code c} takes, or null when it takes either (a block without 'input:'). */
    private DType inputDType(ChildState c) {
      if (c.child.use() instanceof BuiltinUse b) {
        return b.kind().inputDType();
      }
      if (c.child.use() instanceof BlockUse u && blocks.get(u.blockName()) != null) {
        return firstDType(blocks.get(u.blockName()), null);
      }
      return null;
    }

    @Override
    public Container container(List<String> path) {
      ChildState c = resolve(path);
      return c != null && c.child.use() instanceof ContainerUse k ? k.kind() : null;
    }

    @Override
    public List<String> members(List<String> path) {
      ChildState c = resolve(path);
      List<String> out = new ArrayList<>();
      if (c != null && c.child.use() instanceof ContainerUse k) {
        items(c, k).forEach(i -> out.add(i.child.name()));
      }
      return out;
    }

    @Override
    public Type call(List<String> path, List<Type> in, Position pos, boolean quiet) {
      if (!quiet) {
        return callTyped(resolve(path), in, pos);
      }
      Reporter saved = reporter;
      reporter = new Reporter();
      try {
        return callTyped(resolve(path), in, pos);
      } finally {
        reporter = saved;
      }
    }

    /** The child at a path of names through containers ({@code transformer, h, 0}), or null. */
    private ChildState resolve(List<String> path) {
      ChildState c = children.get(path.get(0));
      for (int i = 1; c != null && i < path.size(); i++) {
        if (!(c.child.use() instanceof ContainerUse k)) {
          return null;
        }
        ChildState next = null;
        for (ChildState item : items(c, k)) {
          next = item.child.name().equals(path.get(i)) ? item : next;
        }
        c = next;
      }
      return c;
    }

    private List<ChildState> items(ChildState c, ContainerUse k) {
      if (c.seq == null) {
        c.seq = states(c.path, k.children());
      }
      return c.seq;
    }

    /**
     * A module list or dict: it has no forward, so a call is an error; built (never called)
     * at the end, from its items as the forward called them.
     */
    private Shape container(ChildState c, ContainerUse k, Shape in, Position pos) {
      if (in != null) {
        String how = containerAdvice(c.child.name(), k);
        reporter.error(pos, label(c) + ": a " + k.kind().specName() + " has no forward of its own; " + how
            + declaredAt(c, pos));
        items(c, k).forEach(item -> item.calledWhole = true);
        return Shape.ANY;
      }
      Inst made = new Inst(k.kind().specName(), k.kind().runtimeClass(), "");
      for (ChildState item : items(c, k)) {
        made.children.put(item.child.name(), item.finish());
      }
      c.built = made;
      return Shape.ANY;
    }

    /**
     * How to run what a container holds, called as {@code name(x)}. An item of a sequential
     * (named by its index) cannot be looped over by name: the advice is the nested sequential
     * that runs its modules in turn, or a named layer and a forward.
     */
    private static String containerAdvice(String name, ContainerUse k) {
      String first = k.children().isEmpty() ? "name" : k.children().get(0).name();
      boolean inSequential = isIndex(name);
      if (k.kind() == Container.MODULE_LIST) {
        return inSequential
            ? "a sequential runs each item in turn, so write its modules as a nested {sequential: [...]},"
                + " or name it under 'layers' (as h) and loop over it in a forward: for layer in h: x = layer(x)"
            : "loop over it in a forward: for layer in " + name + ": x = layer(x)";
      }
      return inSequential
          ? "a sequential runs each item in turn, so name it under 'layers' (as d) and call its modules"
              + " in a forward, as in d." + first + "(x)"
          : "call its modules in a forward, as in " + name + "." + first + "(x)";
    }

    /** Each {@code tie} names two parameters of one shape. */
    private void checkTies() {
      Map<String, Shape> state = new LinkedHashMap<>();
      inst.namedModules().forEach((prefix, m) -> m.params.forEach(
          (k, v) -> state.put(prefix.isEmpty() ? k : prefix + "." + k, v)));
      for (Tie t : block.ties()) {
        Shape target = state.get(t.path());
        Shape source = state.get(t.source());
        if (target == null && unbuilt(t.path()) || source == null && unbuilt(t.source())) {
          continue; // a layer whose own errors are reported: its parameters are unknown
        }
        if (target == null) {
          reporter.error(t.pos(), block.name() + ": tie '" + t.path() + "' names no parameter"
              + Names.suggest(t.path(), state.keySet()));
        } else if (source == null) {
          reporter.error(t.sourcePos(), block.name() + ": tie source '" + t.source() + "' names no parameter"
              + Names.suggest(t.source(), state.keySet()));
        } else if (!ForwardInference.sameShape(target, source)) {
          reporter.error(t.pos(), block.name() + ": cannot tie " + t.path() + " " + target + " to "
              + t.source() + " " + source + ": the shapes differ");
        } else {
          inst.ties.put(t.path(), t.source());
        }
      }
    }

    /** Whether {@code path} names a parameter its layer declares but did not build (after an error). */
    private boolean unbuilt(String path) {
      int dot = path.lastIndexOf('.');
      Inst owner = dot < 0 ? null : inst.namedModules().get(path.substring(0, dot));
      LayerKind kind = owner == null ? null : dev.netspec.compiler.layers.LayerKinds.get(owner.kind);
      return kind != null && owner.params.isEmpty() && kind.params().contains(path.substring(dot + 1));
    }

    /**
     * For a value refused for its shape: if a linear made it from a 4-dim input (PyTorch's
     * nn.Linear then acts on the last dim, a valid spec but seldom what is meant after a
     * conv), the flatten that was likely forgotten; else "".
     */
    @Override
    public String flattenHint(Shape refused) {
      ChildState linear = unflattened.get(refused);
      if (linear == null) {
        return "";
      }
      boolean inSequential = isIndex(linear.child.name());
      return "; " + label(linear) + " acted on the last dim of a 4-dim input, as PyTorch's nn.Linear"
          + " does: did you mean " + (inSequential ? "a 'flatten' item" : "flatten(x, 1)") + " before it?";
    }

    @Override
    public void addFlops(long n) {
      if (flops >= 0) {
        flops = n < 0 ? -1 : flops + n;
      }
    }

    // ---------------------------------------------------------------- children

    /** One child: built at its first call; a {@code same_as} alias points at its target. */
    private final class ChildState {
      final String path;
      final Child child;
      final ChildState target;
      Inst built;
      Shape firstInput;
      /** The child's result when not a float32 tensor (a tuple, int64), else null. */
      Type outType;
      /** The types of the arguments it takes after the input (an LSTM's initial states). */
      List<Type> extraIns = List.of();
      /** A builtin's arguments and what its shape rule found, for a call with a signature. */
      Args kindArgs;
      Inferred inferred;
      boolean neverCalled;
      /** An item of a container called as a whole: "never called" would repeat that error. */
      boolean calledWhole;
      List<ChildState> seq;

      ChildState(String path, Child child) {
        this.path = path;
        this.child = child;
        this.target = null;
      }

      ChildState(ChildState target, Child alias) {
        this.path = target.path;
        this.child = alias;
        this.target = target;
      }

      Inst finish() {
        if (target != null) {
          return target.finish();
        }
        if (built == null) {
          call(this, null, child.pos());
        }
        return built;
      }
    }

    /** Where a layer reported at a call elsewhere (in the forward) is declared. */
    private String declaredAt(ChildState c, Position pos) {
      Position d = c.child.pos();
      return d.equals(pos) ? "" : "; '" + written(c) + "' is declared at line " + d.line();
    }

    /**
     * The child as the forward writes it: its name, or for an item of a list ({@code B.h.1}) its
     * index, {@code h[1]}, as in PyTorch.
     */
    private static String written(ChildState c) {
      String name = c.child.name();
      if (!isIndex(name)) {
        return name;
      }
      String[] parts = c.path.split("\\.");
      StringBuilder out = new StringBuilder();
      for (int i = 1; i < parts.length; i++) { // parts[0] is the block
        boolean index = isIndex(parts[i]);
        boolean first = out.length() == 0; // a sequential block's own child: 0, not [0]
        out.append(index && !first ? "[" + parts[i] + "]" : (first ? "" : ".") + parts[i]);
      }
      return out.toString();
    }

    /** Whether a child's name is an index: an item of a sequential or of a module list. */
    private static boolean isIndex(String name) {
      return !name.isEmpty() && name.chars().allMatch(Character::isDigit);
    }

    /**
     * The child's path and type, {@code Net.fc (linear)}, which messages start with; a {@code
     * same_as} child is named by its own path, with the layer it shares: {@code Net.4 (same_as
     * 3: embedding)}.
     */
    private String label(ChildState c) {
      if (c.target != null) {
        String own = c.path.substring(0, c.path.lastIndexOf('.') + 1) + c.child.name();
        String shared = label(c.target);
        return own + " (same_as " + c.target.child.name() + ": " + shared.substring(shared.indexOf('(') + 1);
      }
      String type;
      if (c.child.use() instanceof BuiltinUse b) {
        type = b.kind().name();
      } else if (c.child.use() instanceof BlockUse u) {
        type = u.blockName();
      } else if (c.child.use() instanceof ContainerUse k) {
        type = k.kind().specName();
      } else {
        type = c.child.use() instanceof SequentialUse ? "sequential" : "layer";
      }
      return c.path + " (" + type + ")";
    }

    /** Runs a child on {@code in} (null: never called, build it with what is known). */
    private Shape call(ChildState c, Shape in, Position pos) {
      if (c.target != null) {
        return call(c.target, in, pos);
      }
      if (c.child.use() instanceof ContainerUse k) {
        return container(c, k, in, pos);
      }
      long flopsBefore = flops;
      boolean unused = in == null;
      if (unused) {
        if (c.child.use() instanceof BuiltinUse b && !c.calledWhole) {
          for (InferredArg a : b.kind().inferredArgs()) {
            if (!b.args().containsKey(a.name())) {
              reporter.error(c.child.pos(), label(c) + ": never called, so its " + a.what() + " are unknown;"
                  + " call it in 'forward' or give '" + a.name() + "'");
            }
          }
        }
        in = Shape.ANY;
        c.neverCalled = true; // said once, here
      } else if (c.firstInput != null && !c.firstInput.equals(in) && c.built != null
          && !(c.child.use() instanceof Unreadable)) { // its own errors are reported already
        if (c.child.use() instanceof BuiltinUse b) {
          for (InferredArg a : b.kind().inferredArgs()) {
            Dim want = inferredArgs.getOrDefault(b, Map.of()).get(a.name());
            int i = a.dim() < 0 ? a.dim() + (in.knownRank() ? in.rank() : 0) : a.dim();
            if (in.knownRank() && i >= 0 && i < in.rank() && want != null && !Dim.compatible(want, in.dim(i))) {
              reporter.error(pos, label(c) + ": shared layer expects " + want + " " + a.what() + ", got "
                  + in.dim(i) + " (input " + in + ")" + declaredAt(c, pos));
              return c.built.output;
            }
          }
        } else {
          reporter.error(pos, label(c) + ": shared layer was first called with input " + c.firstInput
              + ", now with " + in + declaredAt(c, pos));
          return c.built.output;
        }
      }
      Shape out;
      Inst made;
      if (c.child.use() instanceof Unreadable) {
        made = new Inst(c.child.name(), "Module", ""); // its errors are reported; nothing to check
        out = Shape.ANY;
        made.output = out;
      } else if (c.child.use() instanceof BuiltinUse b) {
        Built r = builtin(c, b, in, pos);
        made = r.inst();
        out = r.output();
      } else if (c.child.use() instanceof BlockUse u) {
        Built r = blockCall(c, u, in, pos);
        made = r.inst();
        out = r.output();
      } else {
        SequentialUse s = (SequentialUse) c.child.use();
        if (c.seq == null) {
          c.seq = states(c.path, s.children());
        }
        made = new Inst("sequential", "Sequential", "");
        out = in;
        for (ChildState k : c.seq) {
          takesSeveral(k);
          out = call(k, out, k.child.pos());
        }
        for (ChildState k : c.seq) {
          made.children.put(k.child.name(), k.finish());
        }
        made.output = out;
      }
      if (c.built == null) {
        c.built = made;
        if (c.firstInput == null) { // a block given a wrong input set the one it expects
          c.firstInput = in;
        }
      }
      if (unused) {
        flops = flopsBefore; // built only to be listed: a layer the forward never calls costs nothing
      }
      return out;
    }

    /**
     * Whether {@code k} is a block with several inputs where children run in order (a
     * {@code sequential}, or {@code layers} without a forward), which passes it one: said here.
     */
    private boolean takesSeveral(ChildState k) {
      Block b = k.child.use() instanceof BlockUse u ? blocks.get(u.blockName()) : null;
      if (b == null || b.inputs().size() < 2) {
        return false;
      }
      reporter.error(k.child.pos(), label(k) + ": takes " + b.inputs().size() + " inputs, but a 'sequential'"
          + " passes one; call it in a forward with all of them");
      return true;
    }

    private Built builtin(ChildState c, BuiltinUse b, Shape in, Position pos) {
      LayerKind kind = b.kind();
      Inst made;
      Shape out;
      // A wrong input is reported, and the layer's output for the input it expects goes on, so
      // the layers after it are checked too (their errors do not depend on this one).
      List<String> wrongInput = new ArrayList<>();
      if (refusedArgs(c, b)) {
        made = new Inst(kind.name(), kind.runtimeClass(), "");
        made.output = Shape.ANY;
        return new Built(made, Shape.ANY);
      }
      try {
        Inferred r = kind.infer(new Args(b.args(), args), in, context(c, wrongInput));
        checkElements(r.params());
        checkElements(r.buffers());
        made = new Inst(kind.name(), r.runtimeClass(), r.repr());
        made.params.putAll(r.params());
        made.buffers.putAll(r.buffers());
        for (String k : r.buffers().keySet()) {
          made.persistent.put(k, true);
        }
        if (!r.args().isEmpty()) {
          inferredArgs.put(b, r.args());
        }
        c.outType = r.type();
        c.extraIns = r.extraInputs();
        c.kindArgs = new Args(b.args(), args);
        c.inferred = r;
        made.outputType = r.resultType();
        addFlops(r.flops());
        out = r.output();
        if (kind.name().endsWith("linear") && in.knownRank() && in.rank() == 4) {
          unflattened.putIfAbsent(out, c);
        }
      } catch (ShapeError e) {
        reporter.error(pos, label(c) + ": " + e.getMessage() + declaredAt(c, pos) + flattenHint(in));
        made = new Inst(kind.name(), kind.runtimeClass(), "");
        out = Shape.ANY;
      }
      for (String w : wrongInput) {
        reporter.error(pos, label(c) + ": " + w + declaredAt(c, pos) + flattenHint(in));
      }
      made.output = out;
      return new Built(made, out);
    }

    /**
     * Reports the arguments of layer {@code b} whose values here, given by the block's
     * arguments, the layer refuses ({@code layer_norm: dim} with {@code dim} 0); true if any.
     * Literals were checked by the same rules where the spec writes them.
     */
    private boolean refusedArgs(ChildState c, BuiltinUse b) {
      boolean refused = false;
      for (Map.Entry<String, Value> e : b.args().entrySet()) {
        ArgDef def = b.kind().arg(e.getKey());
        if (def == null || e.getValue() instanceof Literal) {
          continue;
        }
        String why = b.kind().refused(def, Args.resolve(e.getValue(), args, null));
        if (why != null) {
          String from = e.getValue() instanceof ArgExpr x ? x.text() : ((ArgRef) e.getValue()).name();
          reporter.error(e.getValue().pos(), label(c) + ": " + why + " (from " + from + ")");
          refused = true;
        }
      }
      return refused;
    }

    /**
     * The limit a declared parameter has, for every tensor a layer creates: a runtime tensor
     * is one Java array, so at most {@link Integer#MAX_VALUE} elements.
     */
    private static void checkElements(Map<String, Shape> tensors) throws ShapeError {
      for (Map.Entry<String, Shape> t : tensors.entrySet()) {
        if (!t.getValue().knownRank()) {
          continue;
        }
        long elements = 1;
        for (Dim d : t.getValue().dims()) {
          if (d instanceof Dim.Known k) {
            elements = Math.min(elements * k.size(), 1L << 31); // no overflow: at most 2^62
          }
        }
        if (elements > Integer.MAX_VALUE) {
          throw new ShapeError(t.getKey() + " " + t.getValue() + " has more than "
              + Integer.MAX_VALUE + " elements");
        }
      }
    }

    private LayerKind.Context context(ChildState c, List<String> wrongInput) {
      return new LayerKind.Context() {
        @Override
        public boolean generic() {
          return generic;
        }

        @Override
        public String blockName() {
          return block.name();
        }

        @Override
        public boolean afterForward() {
          return afterForward;
        }

        @Override
        public boolean mayBeLazy() {
          return c.built != null || block.input() != null || c.neverCalled;
        }

        @Override
        public String declareInput() {
          if (block.args().isEmpty() || block.input() != null) {
            return LayerKind.Context.super.declareInput();
          }
          String use = argsBlockUse.get(block);
          return "block " + block.name() + " has arguments and no 'input:', so it is checked once for all"
              + " its uses, without their input shapes; declare 'input:' on it" + (use == null ? "" : " (" + use + ")");
        }

        @Override
        public void error(String arg, String message) {
          BuiltinUse b = (BuiltinUse) c.child.use();
          reporter.error(b.args().get(arg).pos(), label(c) + ": " + message);
        }

        @Override
        public void wrongInput(String message) {
          wrongInput.add(message);
        }
      };
    }

    private Built blockCall(ChildState c, BlockUse u, Shape in, Position pos) {
      Block target = blocks.get(u.blockName());
      if (broken.contains(target.name())) {
        return new Built(placeholder(target), Shape.ANY); // its input or forward is unreadable
      }
      Map<String, Object> targetArgs = new LinkedHashMap<>();
      for (Arg a : target.args().values()) {
        Object v = Args.resolve(u.args().get(a.name()), args, null);
        if (a.type() == ArgType.INT && v instanceof Long n) {
          v = Dim.of(n.intValue());
        }
        targetArgs.put(a.name(), v);
      }
      String given = givenValues(targetArgs);
      if (!given.isEmpty()) { // an error inside the block may come from these: say where they are given
        reporter.beginNote(c.child.pos(), c.path + " builds " + target.name() + " here with " + given);
      }
      try {
        return blockCall(c, target, targetArgs, in, pos);
      } finally {
        if (!given.isEmpty()) {
          reporter.endNote();
        }
      }
    }

    /** The argument values known here ({@code width=10, heads=3}), or "" if all are symbolic. */
    private static String givenValues(Map<String, Object> targetArgs) {
      List<String> out = new ArrayList<>();
      targetArgs.forEach((name, v) -> {
        if (v != null && !(v instanceof ArgSymbol) && !(v instanceof Dim && !(v instanceof Dim.Known))) {
          out.add(name + "=" + v);
        }
      });
      return String.join(", ", out);
    }

    private Built blockCall(ChildState c, Block target, Map<String, Object> targetArgs, Shape in, Position pos) {
      if (DeclaredSizes.refused(target, targetArgs, reporter)) {
        return new Built(placeholder(target), Shape.ANY); // before the input check it would blame
      }
      if (target.input() != null) {
        if (unify(target, targetArgs, in, new HashMap<>()) != null) {
          Shape want = DeclaredSizes.input(target);
          reporter.error(pos, label(c) + ": expects input " + substitute(want, targetArgs) + ", got " + in
              + declaredAt(c, pos) + flattenHint(in));
          in = substitute(want, targetArgs); // go on with the input it expects, as builtin layers do
          if (c.built == null) {
            c.firstInput = in; // so a later call with that input is no second error
          }
        }
      } else if (generic && in.knownRank() && target.args().isEmpty()) {
        Shape first = firstUse.putIfAbsent(target, in);
        if (first == null) {
          firstUsePos.put(target, pos);
        } else if (!first.equals(in)) {
          Position p = firstUsePos.get(target);
          reporter.error(pos, label(c) + ": block " + target.name() + " has no 'input:' and is used with input "
              + in + " here but " + first + " at line " + p.line() + ", column " + p.column()
              + "; declare 'input:' on it");
        }
      } else if (generic && in.knownRank() && target.input() == null) {
        argsBlockUse.putIfAbsent(target, c.path + " calls it with " + in + " at line " + pos.line()
            + ", column " + pos.column());
      }
      DType inType = firstDType(target, firstUseDType.getOrDefault(target, DType.FLOAT32));
      Result r = instantiate(target, targetArgs, in, inType);
      if (r == null) {
        return new Built(placeholder(target), Shape.ANY);
      }
      // The inputs after the first, with the sizes the first bound: what the caller must give.
      c.extraIns = new ArrayList<Type>(r.inputs().values()).subList(1, r.inputs().size());
      c.outType = r.outputType() instanceof Type.TensorT t && t.dtype() == DType.FLOAT32 ? null : r.outputType();
      addFlops(r.flops());
      Shape out = r.output() == null ? Shape.ANY : r.output();
      return new Built(r.inst(), out);
    }

    private Inst placeholder(Block target) {
      return new Inst(target.name(), target.sequentialOnly() ? "Sequential" : target.name(), "");
    }

    private Shape substitute(Shape s, Map<String, Object> env) {
      if (!s.knownRank()) {
        return s;
      }
      List<Dim> out = new ArrayList<>();
      for (Dim d : s.dims()) {
        out.add(d.substitute(name -> env.get(name) instanceof Dim dim ? dim : null));
      }
      return new Shape(out);
    }

    // ---------------------------------------------------------------- init rules

    private void checkInitRules() {
      for (InitRule rule : block.initRules()) {
        List<InitRules.Match> matched = InitRules.match(rule, inst, reporter, block.name());
        if (matched != null && matched.isEmpty()) {
          reporter.error(rule.pos(), block.name() + ": init rule '" + rule.selector() + "' matches no parameter");
        }
      }
      for (ChildState c : children.values()) {
        checkLayerInit(c);
      }
    }

    private void checkLayerInit(ChildState c) {
      if (c.target != null) {
        return;
      }
      Map<String, InitSpec> init = c.child.init();
      for (Map.Entry<String, InitSpec> e : init.entrySet()) {
        Inst built = c.built;
        Shape s = built == null ? null : paramShape(built, e.getKey());
        boolean lazy = c.child.use() instanceof BuiltinUse b && lazy(b);
        if (built != null && s == null && !lazy) {
          reporter.error(e.getValue().pos(), label(c) + ": has no parameter '" + e.getKey() + "'");
        } else if (lazy) {
          reporter.error(e.getValue().pos(), label(c) + ": cannot initialize '" + e.getKey()
              + "' of a lazy layer; its shape is known only at the first forward");
        }
      }
      if (c.seq != null) {
        c.seq.forEach(this::checkLayerInit);
      }
    }

    private boolean lazy(BuiltinUse b) {
      return inferredArgs.getOrDefault(b, Map.of()).values().stream().anyMatch(Dim::isLazy);
    }

    private Shape paramShape(Inst m, String path) {
      int dot = path.lastIndexOf('.');
      Inst owner = dot < 0 ? m : m.namedModules().get(path.substring(0, dot));
      return owner == null ? null : owner.params.get(path.substring(dot + 1));
    }

  }
}
