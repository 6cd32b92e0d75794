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
import dev.netspec.compiler.check.Model.Value;
import dev.netspec.compiler.check.Names;
import dev.netspec.compiler.diag.Position;
import dev.netspec.compiler.diag.Reporter;
import dev.netspec.compiler.infer.Ops.ShapeError;
import dev.netspec.compiler.parse.Ast;
import dev.netspec.compiler.parse.Ast.Expr;
import dev.netspec.compiler.parse.Ast.Stmt;
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

  private final Map<String, Block> blocks;
  private final Reporter reporter;
  private final boolean generic;
  private final Map<Key, Result> memo = new HashMap<>();
  private final Map<Block, Shape> firstUse = new LinkedHashMap<>();
  private final Map<Block, Position> firstUsePos = new LinkedHashMap<>();
  private final Set<Key> running = new LinkedHashSet<>();

  private Inference(Map<String, Block> blocks, Reporter reporter, boolean generic) {
    this.blocks = blocks;
    this.reporter = reporter;
    this.generic = generic;
  }

  /**
   * The generic instantiation of every sound block of one file, in file order; blocks named
   * in {@code broken} (they have errors already) are skipped.
   */
  public static Map<Block, Result> inferAll(List<Block> fileBlocks, Set<String> broken, Reporter reporter) {
    Map<String, Block> byName = new LinkedHashMap<>();
    fileBlocks.forEach(b -> byName.put(b.name(), b));
    Inference inf = new Inference(byName, reporter, true);
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
    Map<String, Block> byName = new LinkedHashMap<>();
    fileBlocks.forEach(b -> byName.put(b.name(), b));
    Inference inf = new Inference(byName, reporter, false);
    Shape declared = inf.declaredInput(block);
    if (input == null) {
      return inf.instantiate(block, inf.symbolicArgs(block), declared);
    }
    if (block.input() != null) {
      String err = inf.unify(block, inf.symbolicArgs(block), input, new HashMap<>());
      if (err != null) {
        reporter.error(block.inputPos(), block.name() + ": expects input " + declared + ", got " + input);
        return null;
      }
    }
    return inf.instantiate(block, inf.symbolicArgs(block), input);
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
  private final class BlockRun {
    private final Block block;
    private final Map<String, Object> args;
    private final Shape input;
    private final Inst inst;
    private final Map<String, ChildState> children = new LinkedHashMap<>();
    private final Map<Expr, Type> types = new IdentityHashMap<>();
    private final Map<BuiltinUse, Dim> inFeatures = new IdentityHashMap<>();
    private final Map<Ast.Call, Map<String, Object>> calls = new IdentityHashMap<>();
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
        forward();
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

    private void addFlops(long n) {
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
                + in.dim(-1) + " (input " + in + ")");
            return c.built.output;
          }
        } else if (!(c.child.use() instanceof BuiltinUse)) {
          reporter.error(pos, label(c) + ": shared layer was first called with input " + c.firstInput
              + ", now with " + in);
          return c.built.output;
        }
      }
      Shape out;
      Inst made;
      if (c.child.use() instanceof BuiltinUse b) {
        Object[] r = builtin(c, b, in);
        made = (Inst) r[0];
        out = (Shape) r[1];
      } else if (c.child.use() instanceof BlockUse u) {
        Object[] r = blockCall(c, u, in, pos);
        made = (Inst) r[0];
        out = (Shape) r[1];
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
        c.firstInput = in;
      }
      return out;
    }

    private Object[] builtin(ChildState c, BuiltinUse b, Shape in) {
      String name = b.def().name();
      Inst made;
      Shape out = in;
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
                throw new ShapeError("expects " + inF + " input features, got " + last);
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
            boolean lazy = inF.isLazy() || forcedLazy;
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
            if (p instanceof Double d && (d < 0 || d > 1)) {
              reporter.error(b.args().get("p").pos(), label(c) + ": dropout probability has to be between 0 and 1, got " + d);
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
            @SuppressWarnings("unchecked")
            List<Long> ns = (List<Long>) valueOf(b.args().get("normalized_shape"), null);
            Object eps = valueOf(b.args().get("eps"), 1e-5);
            boolean affine = boolArg(b, "elementwise_affine", true);
            List<Dim> nd = new ArrayList<>();
            ns.forEach(n -> nd.add(Dim.of(n.intValue())));
            if (in.knownRank()) {
              boolean fits = in.rank() >= nd.size();
              for (int i = 0; fits && i < nd.size(); i++) {
                fits = Dim.compatible(nd.get(i), in.dim(in.rank() - nd.size() + i));
              }
              if (!fits) {
                throw new ShapeError("expects input ending in " + new Shape(nd) + ", got " + in);
              }
            }
            List<String> parts = new ArrayList<>();
            ns.forEach(n -> parts.add(n.toString()));
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
        reporter.error(c.child.pos(), label(c) + ": " + e.getMessage());
        made = new Inst(name, b.def().runtimeClass(), "");
        out = Shape.ANY;
      }
      made.output = out;
      return new Object[] {made, out};
    }

    private Object[] blockCall(ChildState c, BlockUse u, Shape in, Position pos) {
      Block target = blocks.get(u.blockName());
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
          Shape want = new Inference(blocks, new Reporter(), false).declaredInput(target);
          reporter.error(pos, label(c) + ": expects input " + substitute(want, targetArgs) + ", got " + in);
          return new Object[] {placeholder(target), Shape.ANY};
        }
      } else if (generic && in.knownRank() && target.args().isEmpty()) {
        Shape first = firstUse.putIfAbsent(target, in);
        if (first == null) {
          firstUsePos.put(target, pos);
        } else if (!first.equals(in)) {
          Position p = firstUsePos.get(target);
          reporter.error(pos, label(c) + ": block " + target.name() + " has no 'input:' and is used with input "
              + in + " here but " + first + " at line " + p.line() + "; declare 'input:' on it");
        }
      }
      Result r = instantiate(target, targetArgs, in);
      if (r == null) {
        return new Object[] {placeholder(target), Shape.ANY};
      }
      addFlops(r.flops());
      Shape out = r.output() == null ? Shape.ANY : r.output();
      return new Object[] {r.inst(), out};
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

    // ---------------------------------------------------------------- forward

    private void forward() {
      Map<String, Type> env = new LinkedHashMap<>();
      env.put("x", new Type.TensorT(input));
      List<Stmt> body = block.forward();
      statements(body, env, true);
      if (body.isEmpty() || !(body.get(body.size() - 1) instanceof Ast.Return)) {
        Position p = body.isEmpty() ? block.forwardText().pos() : at(body.get(body.size() - 1).loc());
        reporter.error(p, block.name() + ": forward must end with 'return'");
      }
    }

    private Position at(Ast.Loc loc) {
      return block.forwardText().at(loc.line(), loc.column());
    }

    private void error(Ast.Loc loc, String message) {
      reporter.error(at(loc), block.name() + ": " + message);
    }

    private void statements(List<Stmt> body, Map<String, Type> env, boolean top) {
      for (int i = 0; i < body.size(); i++) {
        Stmt s = body.get(i);
        if (i > 0 && body.get(i - 1) instanceof Ast.Return) {
          error(s.loc(), "unreachable statement after 'return'");
          return;
        }
        statement(s, env);
      }
    }

    private void statement(Stmt s, Map<String, Type> env) {
      if (s instanceof Ast.Assign a) {
        if (children.containsKey(a.name()) || block.params().containsKey(a.name())
            || block.buffers().containsKey(a.name()) || args.containsKey(a.name())) {
          error(a.loc(), "cannot assign to '" + a.name() + "': it names a layer, parameter, buffer or argument");
          eval(a.value(), env);
          return;
        }
        Type t;
        if (a.op().equals("=")) {
          t = eval(a.value(), env);
        } else {
          Type old = env.get(a.name());
          if (old == null) {
            error(a.loc(), "'" + a.name() + "' is not defined before '" + a.op() + "'");
            return;
          }
          t = arithmetic(a.loc(), a.op().substring(0, 1), old, eval(a.value(), env));
          if (!(t instanceof Type.TensorT) && old instanceof Type.TensorT) {
            t = old;
          }
          if (old instanceof Type.TensorT o && t instanceof Type.TensorT n && !sameShape(o.shape(), n.shape())) {
            error(a.loc(), "'" + a.name() + " " + a.op() + "' would change its shape from " + o.shape()
                + " to " + n.shape() + "; write '" + a.name() + " = ...'");
          }
        }
        if (t instanceof Type.TupleT) {
          error(a.loc(), "a tuple can only be a function argument");
          return;
        }
        Type old = env.get(a.name());
        if (old != null && !old.getClass().equals(t.getClass())) {
          error(a.loc(), "'" + a.name() + "' was " + old + " and cannot become " + t);
          return;
        }
        env.put(a.name(), t);
      } else if (s instanceof Ast.Return r) {
        Type t = eval(r.value(), env);
        if (!(t instanceof Type.TensorT tt)) {
          error(r.value().loc(), "forward must return a tensor, got " + t);
          return;
        }
        if (output == null) {
          output = tt.shape();
        } else if (!sameShape(output, tt.shape())) {
          error(r.loc(), "returns " + tt.shape() + " here but " + output + " elsewhere");
        }
      } else if (s instanceof Ast.While w) {
        condition(w.condition(), env, "while");
        Map<String, Type> inner = new LinkedHashMap<>(env);
        statements(w.body(), inner, false);
        merge(w.loc(), env, inner, "inside the while loop");
        addFlops(-1);
      } else if (s instanceof Ast.If f) {
        condition(f.condition(), env, "if");
        Map<String, Type> then = new LinkedHashMap<>(env);
        statements(f.then(), then, false);
        Map<String, Type> otherwise = new LinkedHashMap<>(env);
        statements(f.otherwise(), otherwise, false);
        merge(f.loc(), env, then, "in the 'if' branch");
        merge(f.loc(), env, otherwise, "in the 'else' branch");
      }
    }

    /** Variables defined before a block keep their shapes through it. */
    private void merge(Ast.Loc loc, Map<String, Type> outer, Map<String, Type> inner, String where) {
      for (Map.Entry<String, Type> e : outer.entrySet()) {
        Type after = inner.get(e.getKey());
        if (e.getValue() instanceof Type.TensorT a && after instanceof Type.TensorT b
            && !sameShape(a.shape(), b.shape())) {
          error(loc, "'" + e.getKey() + "' changes shape " + where + ", from " + a.shape() + " to " + b.shape());
        }
      }
    }

    private boolean sameShape(Shape a, Shape b) {
      if (!a.knownRank() || !b.knownRank()) {
        return true;
      }
      if (a.rank() != b.rank()) {
        return false;
      }
      for (int i = 0; i < a.rank(); i++) {
        if (!Dim.compatible(a.dim(i), b.dim(i))) {
          return false;
        }
      }
      return true;
    }

    private void condition(Expr e, Map<String, Type> env, String what) {
      Type t = eval(e, env);
      if (t instanceof Type.TensorT tt && tt.shape().knownRank() && tt.shape().numel() != 1) {
        error(e.loc(), "a '" + what + "' condition must be a scalar, got " + t
            + "; reduce it, e.g. sum(...) or mean(...)");
      } else if (t instanceof Type.TupleT) {
        error(e.loc(), "a '" + what + "' condition must be a scalar, got a tuple");
      }
    }

    private Type eval(Expr e, Map<String, Type> env) {
      Type t = evalRaw(e, env);
      types.put(e, t);
      return t;
    }

    private Type evalRaw(Expr e, Map<String, Type> env) {
      if (e instanceof Ast.Num n) {
        return new Type.NumT(n.integral());
      }
      if (e instanceof Ast.Bool) {
        return new Type.BoolT();
      }
      if (e instanceof Ast.Name n) {
        return name(n, env);
      }
      if (e instanceof Ast.Unary u) {
        Type t = eval(u.operand(), env);
        if (u.op().equals("not")) {
          return new Type.BoolT();
        }
        if (t instanceof Type.TensorT tt) {
          addFlops(tt.shape().numel());
        } else if (!(t instanceof Type.NumT)) {
          error(u.loc(), "cannot negate " + t);
        }
        return t;
      }
      if (e instanceof Ast.Binary b) {
        Type l = eval(b.left(), env);
        Type r = eval(b.right(), env);
        return binary(b, l, r);
      }
      if (e instanceof Ast.Attr a) {
        Type t = eval(a.target(), env);
        if (!(t instanceof Type.TensorT tt)) {
          error(a.loc(), "'.T' needs a tensor, got " + t);
          return Type.unknownTensor();
        }
        Shape s = tt.shape();
        if (!s.knownRank() || s.rank() < 2) {
          return t;
        }
        if (s.rank() > 2) {
          error(a.loc(), "'.T' needs a tensor of at most 2 dims, got " + s + "; use transpose(x, dim0, dim1)");
          return Type.unknownTensor();
        }
        return new Type.TensorT(new Shape(List.of(s.dim(1), s.dim(0))));
      }
      if (e instanceof Ast.Tuple t) {
        for (Expr item : t.items()) {
          eval(item, env);
        }
        return new Type.TupleT(t.items().size());
      }
      return callExpr((Ast.Call) e, env);
    }

    private Type name(Ast.Name n, Map<String, Type> env) {
      Type v = env.get(n.name());
      if (v != null) {
        return v;
      }
      if (inst.params.containsKey(n.name())) {
        return new Type.TensorT(inst.params.get(n.name()));
      }
      if (inst.buffers.containsKey(n.name())) {
        return new Type.TensorT(inst.buffers.get(n.name()));
      }
      Arg a = block.args().get(n.name());
      if (a != null) {
        return a.type() == ArgType.BOOL ? new Type.BoolT() : new Type.NumT(a.type() == ArgType.INT);
      }
      if (children.containsKey(n.name())) {
        error(n.loc(), "'" + n.name() + "' is a layer; call it, as in " + n.name() + "(x)");
        return Type.unknownTensor();
      }
      List<String> known = new ArrayList<>(env.keySet());
      known.addAll(inst.params.keySet());
      known.addAll(inst.buffers.keySet());
      known.addAll(block.args().keySet());
      error(n.loc(), "unknown name '" + n.name() + "'" + Names.suggest(n.name(), known));
      return Type.unknownTensor();
    }

    private Type binary(Ast.Binary b, Type l, Type r) {
      switch (b.op()) {
        case "and":
        case "or":
          for (Type t : List.of(l, r)) {
            if (t instanceof Type.TensorT tt && tt.shape().knownRank() && tt.shape().numel() != 1) {
              error(b.loc(), "'" + b.op() + "' needs scalar conditions, got " + t);
            }
          }
          return new Type.BoolT();
        case "@": {
          if (!(l instanceof Type.TensorT a) || !(r instanceof Type.TensorT c)) {
            error(b.loc(), "'@' needs two tensors, got " + l + " and " + r);
            return Type.unknownTensor();
          }
          try {
            Shape s = Ops.matmul(a.shape(), c.shape());
            long k = a.shape().knownRank() && a.shape().rank() > 0 ? a.shape().dim(-1).size() : -1;
            addFlops(s.numel() < 0 || k < 0 ? -1 : 2 * s.numel() * k);
            return new Type.TensorT(s);
          } catch (ShapeError e) {
            error(b.loc(), e.getMessage());
            return Type.unknownTensor();
          }
        }
        case "<": case ">": case "<=": case ">=": case "==": case "!=": {
          Type t = arithmetic(b.loc(), b.op(), l, r);
          return t instanceof Type.NumT ? new Type.BoolT() : t;
        }
        default:
          return arithmetic(b.loc(), b.op(), l, r);
      }
    }

    private Type arithmetic(Ast.Loc loc, String op, Type l, Type r) {
      if (l instanceof Type.NumT a && r instanceof Type.NumT c) {
        return new Type.NumT(a.integral() && c.integral() && !op.equals("/"));
      }
      if (!(l instanceof Type.TensorT || l instanceof Type.NumT) || !(r instanceof Type.TensorT || r instanceof Type.NumT)) {
        error(loc, "'" + op + "' needs tensors or numbers, got " + l + " and " + r);
        return Type.unknownTensor();
      }
      Shape a = l instanceof Type.TensorT t ? t.shape() : Shape.SCALAR;
      Shape c = r instanceof Type.TensorT t ? t.shape() : Shape.SCALAR;
      try {
        Shape s = Ops.broadcast(a, c);
        addFlops(s.numel());
        return new Type.TensorT(s);
      } catch (ShapeError e) {
        error(loc, "'" + op + "': " + e.getMessage());
        return Type.unknownTensor();
      }
    }

    private Type callExpr(Ast.Call call, Map<String, Type> env) {
      ChildState child = children.get(call.callee());
      if (child != null) {
        if (call.args().size() != 1 || !call.kwargs().isEmpty()) {
          error(call.loc(), "layer '" + call.callee() + "' takes one tensor, got "
              + (call.args().size() + call.kwargs().size()) + " arguments");
          call.args().forEach(a -> eval(a, env));
          return Type.unknownTensor();
        }
        Type in = eval(call.args().get(0), env);
        if (!(in instanceof Type.TensorT t)) {
          error(call.args().get(0).loc(), "layer '" + call.callee() + "' takes a tensor, got " + in);
          return Type.unknownTensor();
        }
        return new Type.TensorT(call(child, t.shape(), at(call.loc())));
      }
      Functions.Fn fn = Functions.get(call.callee());
      if (fn == null) {
        List<String> known = new ArrayList<>(children.keySet());
        known.addAll(Functions.names());
        error(call.loc(), "unknown function or layer '" + call.callee() + "'" + Names.suggest(call.callee(), known));
        call.args().forEach(a -> eval(a, env));
        return Type.unknownTensor();
      }
      Map<String, Object> bound = bind(call, fn, env);
      if (bound == null) {
        return Type.unknownTensor();
      }
      calls.put(call, bound);
      try {
        return new Type.TensorT(apply(call, fn, bound));
      } catch (ShapeError e) {
        error(call.loc(), call.callee() + ": " + e.getMessage());
        return Type.unknownTensor();
      }
    }

    /** Binds positional and keyword arguments to the function's parameters. */
    private Map<String, Object> bind(Ast.Call call, Functions.Fn fn, Map<String, Type> env) {
      Map<String, Object> out = new LinkedHashMap<>();
      List<Functions.Param> params = fn.params();
      if (call.args().size() > params.size()) {
        error(call.loc(), call.callee() + " takes at most " + params.size() + " arguments, got " + call.args().size());
        return null;
      }
      for (int i = 0; i < call.args().size(); i++) {
        out.put(params.get(i).name(), call.args().get(i));
      }
      for (Ast.Kwarg k : call.kwargs()) {
        Functions.Param p = params.stream().filter(x -> x.name().equals(k.name())).findFirst().orElse(null);
        if (p == null) {
          List<String> names = new ArrayList<>();
          params.forEach(x -> names.add(x.name()));
          error(k.loc(), call.callee() + " has no argument '" + k.name() + "'" + Names.suggest(k.name(), names));
          return null;
        }
        if (out.put(k.name(), k.value()) != null) {
          error(k.loc(), call.callee() + " got '" + k.name() + "' twice");
          return null;
        }
      }
      for (Functions.Param p : params) {
        if (!out.containsKey(p.name())) {
          if (p.defaultValue() == null) {
            error(call.loc(), call.callee() + " needs '" + p.name() + "'");
            return null;
          }
          out.put(p.name(), p.defaultValue());
        }
      }
      // Tensor operands are evaluated; dims, flags and sizes must be constants.
      Map<String, Object> resolved = new LinkedHashMap<>();
      for (Map.Entry<String, Object> e : out.entrySet()) {
        Object v = e.getValue();
        String n = e.getKey();
        if (!(v instanceof Expr x)) {
          resolved.put(n, v);
        } else if (n.equals("input") || n.equals("other") || n.equals("exponent") || n.equals("tensors")) {
          resolved.put(n, x);
          eval(x, env);
        } else if (n.equals("keepdim")) {
          if (!(x instanceof Ast.Bool bo)) {
            error(x.loc(), call.callee() + ": keepdim must be True or False");
            return null;
          }
          resolved.put(n, bo.value());
        } else if (n.equals("shape")) {
          List<Long> sizes = new ArrayList<>();
          List<Expr> items = x instanceof Ast.Tuple t ? t.items() : List.of(x);
          for (Expr item : items) {
            Long c = constInt(item);
            if (c == null) {
              error(item.loc(), call.callee() + ": sizes must be int constants");
              return null;
            }
            sizes.add(c);
          }
          resolved.put(n, sizes);
        } else {
          Long c = constInt(x);
          if (c == null) {
            error(x.loc(), call.callee() + ": '" + n + "' must be an int constant");
            return null;
          }
          resolved.put(n, c);
        }
      }
      return resolved;
    }

    private Long constInt(Expr e) {
      if (e instanceof Ast.Num n && n.integral() && Math.abs(n.value()) < Integer.MAX_VALUE) {
        types.put(e, new Type.NumT(true));
        return (long) n.value();
      }
      if (e instanceof Ast.Unary u && u.op().equals("-")) {
        Long v = constInt(u.operand());
        if (v != null) {
          types.put(e, new Type.NumT(true));
        }
        return v == null ? null : -v;
      }
      return null;
    }

    private Shape tensorArg(Ast.Call call, Object v, String what) throws ShapeError {
      Type t = types.get((Expr) v);
      if (t instanceof Type.TensorT tt) {
        return tt.shape();
      }
      if (t instanceof Type.NumT && what.equals("exponent")) {
        return null;
      }
      throw new ShapeError("'" + what + "' must be a tensor, got " + t);
    }

    private Shape apply(Ast.Call call, Functions.Fn fn, Map<String, Object> a) throws ShapeError {
      switch (fn.kind()) {
        case ELEMENTWISE: {
          Shape s = tensorArg(call, a.get("input"), "input");
          addFlops(s.numel());
          return s;
        }
        case POW: {
          Shape s = tensorArg(call, a.get("input"), "input");
          Shape p = tensorArg(call, a.get("exponent"), "exponent");
          Shape out = p == null ? s : Ops.broadcast(s, p);
          addFlops(out.numel());
          return out;
        }
        case REDUCE: {
          Shape s = tensorArg(call, a.get("input"), "input");
          Object dim = a.get("dim");
          addFlops(s.numel());
          return Ops.reduce(s, dim instanceof Long d ? d : null, (Boolean) a.get("keepdim"));
        }
        case SOFTMAX: {
          Shape s = tensorArg(call, a.get("input"), "input");
          if (s.knownRank()) {
            Ops.dimIndex(s, (Long) a.get("dim"), "dim");
          }
          addFlops(s.numel() < 0 ? -1 : 3 * s.numel());
          return s;
        }
        case TRANSPOSE:
          return Ops.transpose(tensorArg(call, a.get("input"), "input"), (Long) a.get("dim0"), (Long) a.get("dim1"));
        case FLATTEN:
          return Ops.flatten(tensorArg(call, a.get("input"), "input"), (Long) a.get("start_dim"), (Long) a.get("end_dim"));
        case RESHAPE: {
          @SuppressWarnings("unchecked")
          List<Long> sizes = (List<Long>) a.get("shape");
          return Ops.reshape(tensorArg(call, a.get("input"), "input"), sizes);
        }
        case MATMUL: {
          Shape l = tensorArg(call, a.get("input"), "input");
          Shape r = tensorArg(call, a.get("other"), "other");
          return Ops.matmul(l, r);
        }
        case CONCAT: {
          Object t = a.get("tensors");
          if (!(t instanceof Ast.Tuple tuple) || tuple.items().isEmpty()) {
            throw new ShapeError("expects a list of tensors, such as concat([a, b], dim=1)");
          }
          List<Shape> shapes = new ArrayList<>();
          for (Expr item : tuple.items()) {
            shapes.add(tensorArg(call, item, "tensors"));
          }
          return Ops.concat(shapes, (Long) a.get("dim"));
        }
        default:
          throw new ShapeError("unsupported function");
      }
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
