package dev.netspec.compiler.infer;

import dev.netspec.compiler.check.Checker;
import dev.netspec.compiler.check.Model.Arg;
import dev.netspec.compiler.check.Model.ArgRef;
import dev.netspec.compiler.check.Model.ArgType;
import dev.netspec.compiler.check.Model.Block;
import dev.netspec.compiler.check.Model.BlockUse;
import dev.netspec.compiler.check.Model.BuiltinUse;
import dev.netspec.compiler.check.Model.Child;
import dev.netspec.compiler.check.Model.DimRef;
import dev.netspec.compiler.check.Model.FixedDim;
import dev.netspec.compiler.check.Model.InitRule;
import dev.netspec.compiler.check.Model.InitSpec;
import dev.netspec.compiler.check.Model.LazyDim;
import dev.netspec.compiler.check.Model.Literal;
import dev.netspec.compiler.check.Model.NamedDim;
import dev.netspec.compiler.check.Model.SameAs;
import dev.netspec.compiler.check.Model.SequentialUse;
import dev.netspec.compiler.check.Model.TensorDecl;
import dev.netspec.compiler.check.Model.Unreadable;
import dev.netspec.compiler.check.Model.Value;
import dev.netspec.compiler.diag.Position;
import dev.netspec.compiler.diag.Reporter;
import dev.netspec.compiler.infer.Ops.ShapeError;
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
   * @param inFeatures the input size of every linear layer in the block (by identity)
   * @param calls the bound arguments of every builtin-function call (by identity)
   * @param flops multiply-adds counted twice, plus one per element of other ops; -1 if unknown
   */
  public record Result(Block block, Shape input, Shape output, Inst inst, long flops,
      Map<Expr, Type> types, Map<BuiltinUse, Dim> inFeatures, Map<Ast.Call, Map<String, Object>> calls) {}

  private record Key(Block block, Map<String, Object> args, Shape input) {}

  /** A child as built at its first call, and its output there. */
  private record Built(Inst inst, Shape output) {}

  private final Map<String, Block> blocks;
  /** Blocks whose input or forward could not be read: not inferred, their uses unknown. */
  private final Set<String> broken;
  private final Reporter reporter;
  private final boolean generic;
  private final Map<Key, Result> memo = new HashMap<>();
  private final Map<Block, Shape> firstUse = new LinkedHashMap<>();
  private final Map<Block, Position> firstUsePos = new LinkedHashMap<>();
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
   * {@code broken} (their input or forward could not be read) are skipped.
   */
  public static Map<Block, Result> inferAll(List<Block> fileBlocks, Set<String> broken, Reporter reporter) {
    Map<String, Block> byName = new LinkedHashMap<>();
    fileBlocks.forEach(b -> byName.put(b.name(), b));
    Inference inf = new Inference(byName, broken, reporter, true);
    Set<Block> used = new LinkedHashSet<>();
    for (Block b : fileBlocks) {
      for (BlockUse u : Checker.blockUses(b.children())) {
        used.add(byName.get(u.blockName()));
      }
    }
    Map<Block, Result> out = new LinkedHashMap<>();
    for (Block b : fileBlocks) {
      // A block with arguments and no input is generic over its input: checked at each use.
      boolean root = b.input() != null || !used.contains(b) || !b.args().isEmpty();
      if (!broken.contains(b.name()) && root) {
        out.put(b, inf.instantiate(b, inf.symbolicArgs(b), inf.declaredInput(b)));
      }
    }
    // Blocks without an input: take the shape of their first use, parents first.
    boolean progress = true;
    while (progress) {
      progress = false;
      for (Block b : fileBlocks) {
        if (!out.containsKey(b) && !broken.contains(b.name()) && inf.firstUse.containsKey(b)) {
          out.put(b, inf.instantiate(b, inf.symbolicArgs(b), inf.firstUse.get(b)));
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
    Shape declared = inf.declaredInput(block);
    if (input == null) {
      return inf.instantiate(block, env, withArgs(declared, env));
    }
    if (block.input() != null) {
      String err = inf.unify(block, env, input, new HashMap<>());
      if (err != null) {
        reporter.error(block.inputPos(), block.name() + ": expects input "
            + withArgs(declared, env) + ", got " + input);
        return null;
      }
    }
    return inf.instantiate(block, env, input);
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

  private Shape declaredInput(Block b) {
    if (b.input() == null) {
      return Shape.ANY;
    }
    List<Dim> dims = new ArrayList<>();
    int lazy = 0;
    for (DimRef d : b.input()) {
      if (d instanceof FixedDim f) {
        dims.add(Dim.of(f.size()));
      } else if (d instanceof NamedDim n) {
        dims.add(new Dim.Sym(n.name()));
      } else {
        dims.add(new Dim.Sym("?" + (++lazy)));
      }
    }
    return new Shape(dims);
  }

  // ------------------------------------------------------------------ blocks

  private Result instantiate(Block block, Map<String, Object> args, Shape input) {
    Key key = new Key(block, args, input);
    Result cached = memo.get(key);
    if (cached != null) {
      return new Result(cached.block(), cached.input(), cached.output(), cached.inst().copy(),
          cached.flops(), cached.types(), cached.inFeatures(), cached.calls());
    }
    if (!running.add(key)) {
      return null; // a cycle; reported by the checker
    }
    BlockRun run = new BlockRun(block, args, input);
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
    private final Inst inst;
    private final Map<String, ChildState> children = new LinkedHashMap<>();
    private Map<Expr, Type> types = Map.of();
    private final Map<BuiltinUse, Dim> inFeatures = new IdentityHashMap<>();
    private Map<Ast.Call, Map<String, Object>> calls = Map.of();
    private long flops;
    private Shape output;

    BlockRun(Block block, Map<String, Object> args, Shape input) {
      this.block = block;
      this.args = args;
      this.input = input;
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
      for (ChildState c : states(block.name(), block.children())) {
        children.put(c.child.name(), c);
      }
      if (block.forward() == null) {
        Shape s = input;
        for (ChildState c : children.values()) {
          s = call(c, s, c.child.pos());
        }
        output = s;
      } else {
        ForwardInference f = new ForwardInference(block, args, inst, input, reporter, this);
        f.run();
        output = f.output();
        types = f.types();
        calls = f.calls();
      }
      for (ChildState c : children.values()) {
        inst.children.put(c.child.name(), c.finish());
      }
      inst.output = output;
      checkInitRules();
      return new Result(block, input, output, inst, flops, types, inFeatures, calls);
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
      return d.equals(pos) ? "" : "; '" + c.child.name() + "' is declared at line " + d.line();
    }

    private String label(ChildState c) {
      String type;
      if (c.child.use() instanceof BuiltinUse b) {
        type = b.def().name();
      } else if (c.child.use() instanceof BlockUse u) {
        type = u.blockName();
      } else {
        type = "sequential";
      }
      return c.path + " (" + type + ")";
    }

    /** Runs a child on {@code in} (null: never called, build it with what is known). */
    private Shape call(ChildState c, Shape in, Position pos) {
      if (c.target != null) {
        return call(c.target, in, pos);
      }
      if (in == null) {
        if (c.child.use() instanceof BuiltinUse b && b.def().name().equals("linear")
            && !b.args().containsKey("in_features")) {
          reporter.error(c.child.pos(), label(c) + ": never called, so its input features are unknown;"
              + " call it in 'forward' or give 'in_features'");
        }
        in = Shape.ANY;
      } else if (c.firstInput != null && !c.firstInput.equals(in) && c.built != null) {
        if (c.child.use() instanceof BuiltinUse b && b.def().name().equals("linear")) {
          Dim want = inFeatures.get(b);
          if (in.knownRank() && in.rank() > 0 && want != null && !Dim.compatible(want, in.dim(-1))) {
            reporter.error(pos, label(c) + ": shared layer expects " + want + " input features, got "
                + in.dim(-1) + " (input " + in + ")" + declaredAt(c, pos));
            return c.built.output;
          }
        } else if (!(c.child.use() instanceof BuiltinUse)) {
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
      return out;
    }

    private Built builtin(ChildState c, BuiltinUse b, Shape in, Position pos) {
      String name = b.def().name();
      Inst made;
      Shape out = in;
      // A wrong input is reported, and the layer's output for the input it expects goes on, so
      // the layers after it are checked too (their errors do not depend on this one).
      String wrongInput = null;
      try {
        switch (name) {
          case "linear":
          case "lazy_linear": {
            Dim outF = intArg(b, "out_features");
            Dim inF = b.args().containsKey("in_features") ? intArg(b, "in_features") : null;
            boolean forcedLazy = name.equals("lazy_linear");
            boolean bias = boolArg(b, "bias", true);
            if (in.knownRank()) {
              if (in.rank() == 0) {
                throw new ShapeError("expects a tensor of at least 1 dim, got a scalar");
              }
              Dim last = in.dim(-1);
              if (forcedLazy) {
                inF = generic ? new Dim.Sym("?") : last;
              } else if (inF == null) {
                inF = last;
              } else if (!Dim.compatible(inF, last)) {
                wrongInput = "expects " + inF + " input features, got " + last;
              }
              out = in.withLast(outF);
              Dim rows = Dim.of(1);
              for (int i = 0; i < in.rank() - 1; i++) {
                rows = Dim.times(rows, in.dim(i));
              }
              addFlops(rows instanceof Dim.Known r && inF instanceof Dim.Known i && outF instanceof Dim.Known o
                  ? 2L * r.size() * i.size() * o.size() : -1);
            } else if (forcedLazy) {
              inF = new Dim.Sym("?");
            } else if (inF == null) {
              if (c.built == null && block.input() == null) {
                throw new ShapeError("input features are unknown: declare 'input:' on block "
                    + block.name() + " or give 'in_features'");
              }
              inF = new Dim.Sym("?");
            } else {
              out = Shape.ANY;
            }
            inFeatures.put(b, inF);
            // a forward has materialized a lazy_linear: it prints as Linear, as in PyTorch
            boolean lazy = inF.isLazy() || forcedLazy && !afterForward;
            made = new Inst(name, lazy ? "LazyLinear" : "Linear", "in_features=" + (lazy ? "0" : inF)
                + ", out_features=" + outF + ", bias=" + (bias ? "True" : "False"));
            if (!inF.isLazy() || !generic) {
              made.params.put("weight", new Shape(List.of(outF, inF)));
              if (bias) {
                made.params.put("bias", new Shape(List.of(outF)));
              }
            }
            break;
          }
          case "softmax":
          case "log_softmax": {
            long dim = longArg(b, "dim");
            if (in.knownRank()) {
              Ops.dimIndex(in, dim, "dim");
            }
            made = new Inst(name, b.def().runtimeClass(), "dim=" + dim);
            addFlops(in.numel() < 0 ? -1 : 3 * in.numel());
            break;
          }
          case "dropout": {
            Object p = valueOf(b.args().get("p"), 0.5);
            String range = Checker.outOfRange(name, "p", p);
            if (range != null) {
              reporter.error(b.args().get("p").pos(), label(c) + ": " + range);
            }
            made = new Inst(name, "Dropout", "p=" + pyFloat(p) + ", inplace=False");
            break;
          }
          case "flatten": {
            long start = b.args().containsKey("start_dim") ? longArg(b, "start_dim") : 1;
            long end = b.args().containsKey("end_dim") ? longArg(b, "end_dim") : -1;
            out = Ops.flatten(in, start, end);
            made = new Inst(name, "Flatten", "start_dim=" + start + ", end_dim=" + end);
            break;
          }
          case "layer_norm": {
            Object ns = valueOf(b.args().get("normalized_shape"), null);
            Object eps = valueOf(b.args().get("eps"), 1e-5);
            boolean affine = boolArg(b, "elementwise_affine", true);
            List<Dim> nd = new ArrayList<>();
            if (ns instanceof List<?> sizes) {
              sizes.forEach(n -> nd.add(Dim.of(((Long) n).intValue())));
            } else if (ns instanceof Long n) {
              nd.add(Dim.of(n.intValue()));
            } else {
              nd.add((Dim) ns);
            }
            if (in.knownRank()) {
              boolean fits = in.rank() >= nd.size();
              for (int i = 0; fits && i < nd.size(); i++) {
                fits = Dim.compatible(nd.get(i), in.dim(in.rank() - nd.size() + i));
              }
              if (!fits) {
                wrongInput = "expects input ending in " + new Shape(nd) + ", got " + in;
                List<Dim> expected = new ArrayList<>(in.dims().subList(0, Math.max(0, in.rank() - nd.size())));
                expected.addAll(nd);
                out = new Shape(expected);
              }
            }
            List<String> parts = new ArrayList<>();
            nd.forEach(n -> parts.add(n.toString()));
            String tuple = "(" + String.join(", ", parts) + (parts.size() == 1 ? ",)" : ")");
            made = new Inst(name, "LayerNorm", tuple + ", eps=" + pyFloat(eps)
                + ", elementwise_affine=" + (affine ? "True" : "False"));
            if (affine) {
              made.params.put("weight", new Shape(nd));
              made.params.put("bias", new Shape(nd));
            }
            addFlops(in.numel() < 0 ? -1 : 5 * in.numel());
            break;
          }
          case "gelu":
            made = new Inst(name, "GELU", "approximate='none'");
            addFlops(in.numel());
            break;
          default:
            made = new Inst(name, b.def().runtimeClass(), "");
            addFlops(name.equals("identity") ? 0 : in.numel());
            break;
        }
      } catch (ShapeError e) {
        reporter.error(pos, label(c) + ": " + e.getMessage() + declaredAt(c, pos));
        made = new Inst(name, b.def().runtimeClass(), "");
        out = Shape.ANY;
      }
      if (wrongInput != null) {
        reporter.error(pos, label(c) + ": " + wrongInput + declaredAt(c, pos));
      }
      made.output = out;
      return new Built(made, out);
    }

    private Built blockCall(ChildState c, BlockUse u, Shape in, Position pos) {
      Block target = blocks.get(u.blockName());
      if (broken.contains(target.name())) {
        return new Built(placeholder(target), Shape.ANY); // its input or forward is unreadable
      }
      Map<String, Object> targetArgs = new LinkedHashMap<>();
      for (Arg a : target.args().values()) {
        Object v = valueOf(u.args().get(a.name()), null);
        if (a.type() == ArgType.INT && v instanceof Long n) {
          v = Dim.of(n.intValue());
        }
        targetArgs.put(a.name(), v);
      }
      if (target.input() != null) {
        if (unify(target, targetArgs, in, new HashMap<>()) != null) {
          Shape want = new Inference(blocks, broken, new Reporter(), false).declaredInput(target);
          reporter.error(pos, label(c) + ": expects input " + substitute(want, targetArgs) + ", got " + in
              + declaredAt(c, pos));
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
      }
      Result r = instantiate(target, targetArgs, in);
      if (r == null) {
        return new Built(placeholder(target), Shape.ANY);
      }
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
        Object v = d instanceof Dim.Sym sym ? env.get(sym.name()) : null;
        out.add(v instanceof Dim dim ? dim : d);
      }
      return new Shape(out);
    }

    private Object valueOf(Value v, Object fallback) {
      if (v == null) {
        return fallback;
      }
      if (v instanceof Literal l) {
        return l.value();
      }
      Object a = args.get(((ArgRef) v).name());
      return a instanceof Dim.Known k ? (Object) (long) k.size() : a;
    }

    private Dim intArg(BuiltinUse b, String name) {
      Value v = b.args().get(name);
      if (v instanceof ArgRef r) {
        Object a = args.get(r.name());
        return a instanceof Dim d ? d : new Dim.Sym(r.name());
      }
      return Dim.of(((Long) ((Literal) v).value()).intValue());
    }

    private long longArg(BuiltinUse b, String name) throws ShapeError {
      Object v = valueOf(b.args().get(name), null);
      if (!(v instanceof Long n)) {
        throw new ShapeError(name + " must be a known int here, got " + v);
      }
      return n;
    }

    private boolean boolArg(BuiltinUse b, String name, boolean fallback) {
      Object v = valueOf(b.args().get(name), fallback);
      return !(v instanceof Boolean x) || x;
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
      Map<String, InitSpec> init = c.child.use() instanceof BuiltinUse b ? b.init()
          : c.child.use() instanceof BlockUse u ? u.init() : Map.of();
      for (Map.Entry<String, InitSpec> e : init.entrySet()) {
        Inst built = c.built;
        Shape s = built == null ? null : paramShape(built, e.getKey());
        if (built != null && s == null && !(c.child.use() instanceof BuiltinUse b && b.def().name().equals("linear")
            && inFeatures.containsKey(b) && inFeatures.get(b).isLazy())) {
          reporter.error(e.getValue().pos(), label(c) + ": has no parameter '" + e.getKey() + "'");
        } else if (c.child.use() instanceof BuiltinUse b && inFeatures.containsKey(b) && inFeatures.get(b).isLazy()) {
          reporter.error(e.getValue().pos(), label(c) + ": cannot initialize '" + e.getKey()
              + "' of a lazy layer; its shape is known only at the first forward");
        }
      }
      if (c.seq != null) {
        c.seq.forEach(this::checkLayerInit);
      }
    }

    private Shape paramShape(Inst m, String path) {
      int dot = path.lastIndexOf('.');
      Inst owner = dot < 0 ? m : m.namedModules().get(path.substring(0, dot));
      return owner == null ? null : owner.params.get(path.substring(dot + 1));
    }

  }

  /** Python's float repr for the values a layer prints ({@code 0.5}, {@code 1e-05}). */
  static String pyFloat(Object v) {
    if (!(v instanceof Number n)) {
      return String.valueOf(v);
    }
    double d = n.doubleValue();
    if (d == Math.rint(d) && Math.abs(d) < 1e16) {
      return (long) d + ".0";
    }
    String s = Double.toString(d);
    if (Math.abs(d) < 1e-4 && d != 0) {
      java.math.BigDecimal bd = new java.math.BigDecimal(s);
      int exp = bd.precision() - bd.scale() - 1;
      String mant = bd.movePointRight(-exp).stripTrailingZeros().toPlainString();
      return mant + "e-" + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
    }
    return s;
  }
}
