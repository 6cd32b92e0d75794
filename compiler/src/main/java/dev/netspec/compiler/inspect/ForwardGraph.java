package dev.netspec.compiler.inspect;

import dev.netspec.compiler.check.Model.Arg;
import dev.netspec.compiler.check.Model.ArgExpr;
import dev.netspec.compiler.check.Model.ArgRef;
import dev.netspec.compiler.check.Model.ArgType;
import dev.netspec.compiler.check.Model.Block;
import dev.netspec.compiler.check.Model.BlockUse;
import dev.netspec.compiler.check.Model.BuiltinUse;
import dev.netspec.compiler.check.Model.Child;
import dev.netspec.compiler.check.Model.Literal;
import dev.netspec.compiler.check.Model.SameAs;
import dev.netspec.compiler.check.Model.SequentialUse;
import dev.netspec.compiler.check.Model.Value;
import dev.netspec.compiler.diag.Reporter;
import dev.netspec.compiler.infer.ArgArithmetic;
import dev.netspec.compiler.infer.ArgCondition;
import dev.netspec.compiler.infer.Dim;
import dev.netspec.compiler.infer.Inference;
import dev.netspec.compiler.infer.Inference.Result;
import dev.netspec.compiler.infer.Inst;
import dev.netspec.compiler.infer.Shape;
import dev.netspec.compiler.infer.Type;
import dev.netspec.compiler.infer.Unpacking;
import dev.netspec.compiler.parse.Ast;
import dev.netspec.compiler.parse.Ast.Expr;
import dev.netspec.compiler.parse.Ast.Stmt;
import dev.netspec.compiler.parse.ExprText;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The data flow of one inferred block as a Graphviz digraph: the input, one node per layer
 * call and per operation of the forward (or per step of a {@code sequential}), the shape of
 * every tensor on its edge. A child block is a box ({@code cluster_}) holding its own forward,
 * inferred at the shape that reaches it; {@code if} and {@code while} are boxes too, a
 * variable that leaves one of them by several paths meets at a small node named after it,
 * and a loop's next turn is a dashed edge back to it. A module used at several places (called
 * twice, or a {@code same_as}) gets a note joined to each use by a dashed line.
 *
 * <p>Walking the tree, it meets every block instance the forward runs, with its inferred
 * {@link Result}: {@link #instances()} gives them to the workspace count.
 */
public final class ForwardGraph {
  /** A value of the forward: a node's output (with its shape), or a constant's text. */
  private record Val(String node, Shape shape, String text) {}

  /**
   * The intermediate outputs of one inline {@code sequential} (all but its last step's), which
   * the runtime {@code Sequential} keeps as buffers when its {@code forward(x, out)} runs.
   *
   * @param path its module path
   * @param owner the path of the block instance holding it
   */
  public record SequentialBuffers(String path, String owner, List<Shape> shapes) {
    public SequentialBuffers {
      shapes = List.copyOf(shapes);
    }
  }

  /** One use of a module: its node, or the first node and name of its cluster. */
  private record Use(String node, String cluster) {}

  private final Map<String, Block> blocks = new LinkedHashMap<>();
  private final List<Block> fileBlocks;
  private final Dot dot = new Dot();
  private final Map<String, Result> instances = new LinkedHashMap<>();
  private final Map<String, Map<String, Object>> instanceArgs = new LinkedHashMap<>();
  private final Map<String, SequentialBuffers> sequentials = new LinkedHashMap<>();

  private ForwardGraph(List<Block> fileBlocks) {
    this.fileBlocks = fileBlocks;
    fileBlocks.forEach(b -> blocks.put(b.name(), b));
  }

  /**
   * The graph of {@code root}, the inspected instantiation of a block of {@code fileBlocks}
   * with argument values {@code args} (as given to {@link Inference#inspect}).
   */
  public static ForwardGraph of(List<Block> fileBlocks, Result root, Map<String, Object> args) {
    ForwardGraph g = new ForwardGraph(fileBlocks);
    g.build(root, args);
    return g;
  }

  /** The DOT text; the same program gives the same bytes. */
  public String dot() {
    return rendered;
  }

  /** Every block instance the forward runs, by module path ({@code ""}: the block itself). */
  public Map<String, Result> instances() {
    return instances;
  }

  /** The argument values of the block instance at {@code path} (a key of {@link #instances()}). */
  public Map<String, Object> instanceArgs(String path) {
    return instanceArgs.get(path);
  }

  /** The buffers of every inline {@code sequential} the forward runs, each once. */
  public List<SequentialBuffers> sequentialBuffers() {
    return List.copyOf(sequentials.values());
  }

  private String rendered;

  private void build(Result root, Map<String, Object> args) {
    Block b = root.block();
    String input = dot.node(root.inputs().keySet().iterator().next(), "shape=oval, style=filled, fillcolor=\"#eeeeee\"");
    Val in = new Val(input, root.input(), null);
    List<Val> outs = instance(new Scope(b, root, args, ""), in);
    String output = dot.node("output", "shape=oval, style=filled, fillcolor=\"#eeeeee\"");
    for (Val v : outs) {
      flow(v, output);
    }
    String out = root.outputType() instanceof Type.TupleT t ? Type.structure(t)
        : String.valueOf(root.output() == null ? Shape.ANY : root.output());
    rendered = dot.render(b.name(), b.name() + ": input " + root.input() + " -> output " + out);
  }

  /** The state of one block instance's walk. */
  private static final class Scope {
    final Block block;
    final Result result;
    final Map<String, Object> args;
    final String path;
    final Map<String, String> tensors = new LinkedHashMap<>();
    final Map<String, List<Use>> uses = new LinkedHashMap<>();
    final Map<String, Inst> used = new LinkedHashMap<>();

    Scope(Block block, Result result, Map<String, Object> args, String path) {
      this.block = block;
      this.result = result;
      this.args = args;
      this.path = path;
    }

    String prefix() {
      return path.isEmpty() ? "" : path + ".";
    }
  }

  /** Walks one block instance from {@code in}; the values it returns (one per return). */
  private List<Val> instance(Scope s, Val in) {
    instances.putIfAbsent(s.path, s.result);
    instanceArgs.putIfAbsent(s.path, s.args == null ? Map.of() : s.args);
    List<Val> out = new ArrayList<>();
    if (s.block.forward() == null) {
      out.add(chain(s, s.block.children(), s.result.inst(), in, s.prefix()));
    } else {
      Map<String, Val> vars = new LinkedHashMap<>();
      for (Map.Entry<String, Type.TensorT> i : s.result.inputs().entrySet()) {
        vars.put(i.getKey(), vars.isEmpty() ? in : new Val(dot.node(i.getKey(),
            "shape=oval, style=filled, fillcolor=\"#eeeeee\""), i.getValue().shape(), null));
      }
      statements(s, s.block.forward(), vars, out);
    }
    for (Map.Entry<String, List<Use>> e : s.uses.entrySet()) {
      if (e.getValue().size() < 2) {
        continue;
      }
      Inst m = s.used.get(e.getKey());
      String note = dot.node(e.getKey() + "\n" + m.reprName + ", " + e.getValue().size() + " uses",
          "shape=note, style=dashed, tooltip=" + Dot.quote("one module, its parameters shared: "
              + m.repr()));
      for (Use u : e.getValue()) {
        dot.edge(note, u.node(), null, "style=dashed, arrowhead=none, constraint=false"
            + (u.cluster() == null ? "" : ", lhead=" + u.cluster()));
      }
    }
    return out;
  }

  /** Runs {@code kids} one after the other (a {@code sequential}). */
  private Val chain(Scope s, List<Child> kids, Inst container, Val in, String prefix) {
    for (Child k : kids) {
      Inst m = container.children.get(k.name());
      if (m == null && k.when() != null) {
        continue; // its 'when' is false here: it does not exist
      }
      in = child(s, kids, container, k.name(), in, prefix, m == null ? null : m.output);
    }
    return in;
  }

  private static Child find(List<Child> kids, String name) {
    for (Child c : kids) {
      if (c.name().equals(name)) {
        return c.use() instanceof SameAs same ? find(kids, same.target()) : c;
      }
    }
    throw new IllegalStateException("no child " + name);
  }

  /** A call of child {@code name} of {@code kids} on {@code in}; {@code out} its output shape. */
  private Val child(Scope s, List<Child> kids, Inst container, String name, Val in, String prefix,
      Shape out) {
    Child def = find(kids, name);
    Inst m = container.children.get(name);
    String path = prefix + name;
    String key = prefix + def.name();
    s.used.putIfAbsent(key, m);
    Use use;
    Val result;
    if (def.use() instanceof BlockUse u && blocks.get(u.blockName()) != null) {
      String first = dot.nextId();
      String cluster = dot.open(path + ": " + u.blockName(), "style=rounded; color=\"#6c8ebf\"");
      Block target = blocks.get(u.blockName());
      Map<String, Object> args = blockArgs(s, target, u);
      Reporter quiet = new Reporter();
      Result r = Inference.inspect(fileBlocks, target, args,
          in.shape() != null && in.shape().knownRank() ? in.shape() : null, quiet);
      if (r == null || quiet.hasErrors()) {
        String node = dot.node(name + "\n" + u.blockName(), "shape=box");
        flow(in, node);
        result = new Val(node, out, null);
      } else {
        Scope inner = new Scope(target, r, args, key);
        List<Val> returns = instance(inner, in);
        result = returns.size() == 1 ? returns.get(0) : join("return", returns, r.output());
      }
      if (first.equals(dot.nextId())) {
        String node = dot.node("(identity)", "shape=plaintext");
        flow(in, node);
        result = new Val(node, out, null);
      }
      dot.close();
      use = new Use(first, cluster);
    } else if (def.use() instanceof SequentialUse seq) {
      String first = dot.nextId();
      String cluster = dot.open(path + ": Sequential", "style=rounded; color=\"#999999\"");
      result = chain(s, seq.children(), m, in, key + ".");
      List<Shape> buffers = new ArrayList<>();
      for (int i = 0; i + 1 < seq.children().size(); i++) {
        Inst step = m.children.get(seq.children().get(i).name());
        buffers.add(step == null || step.output == null ? Shape.ANY : step.output);
      }
      sequentials.putIfAbsent(key, new SequentialBuffers(key, s.path, buffers));
      dot.close();
      use = new Use(first, cluster);
    } else {
      String type = (def.use() instanceof BuiltinUse && m != null ? m.kind : "?")
          + (def.name().equals(name) ? "" : ", same_as " + def.name());
      String tooltip = path + ": " + (m == null ? type : m.repr());
      String node = dot.node(name + "\n" + type, "shape=box, style=\"rounded,filled\","
          + " fillcolor=\"#dae8fc\", tooltip=" + Dot.quote(tooltip));
      flow(in, node);
      result = new Val(node, out, null);
      use = new Use(node, null);
    }
    s.uses.computeIfAbsent(key, k -> new ArrayList<>()).add(use);
    return new Val(result.node(), out == null ? result.shape() : out, result.text());
  }

  /** The argument values of a block use, as {@link Inference#inspect} takes them. */
  private static Map<String, Object> blockArgs(Scope s, Block target, BlockUse u) {
    Map<String, Object> args = new LinkedHashMap<>();
    for (Arg a : target.args().values()) {
      Value v = u.args().get(a.name());
      Object value = v instanceof Literal l ? l.value() : v instanceof ArgRef ref ? s.args.get(ref.name())
          : v instanceof ArgExpr e ? ArgArithmetic.value(e.expr(), s.args) : null;
      if (value instanceof Long n && a.type() == ArgType.INT) {
        value = Dim.of(n.intValue());
      } else if (value instanceof Long n && a.type() == ArgType.FLOAT) {
        value = n.doubleValue();
      }
      if (value != null) {
        args.put(a.name(), value);
      }
    }
    return args;
  }

  // ------------------------------------------------------------------ statements

  /** Walks {@code body}; true when every path through it returns. */
  private boolean statements(Scope s, List<Stmt> body, Map<String, Val> vars, List<Val> returns) {
    for (Stmt st : body) {
      if (st instanceof Ast.Assign a) {
        Val v = eval(s, a.value(), vars);
        if (!a.op().equals("=")) {
          Val old = vars.getOrDefault(a.name(), new Val(null, null, a.name()));
          String op = a.op().substring(0, 1);
          v = operator(op, old, v, old.shape());
        }
        vars.put(a.name(), v);
      } else if (st instanceof Ast.Unpack u) {
        Val v = eval(s, u.value(), vars);
        for (String n : Unpacking.names(u.targets())) {
          vars.put(n, new Val(v.node(), null, n));
        }
      } else if (st instanceof Ast.Return r) {
        returns.add(eval(s, r.value(), vars));
        return true;
      } else if (st instanceof Ast.If f) {
        if (ifStatement(s, f, vars, returns)) {
          return true;
        }
      } else if (st instanceof Ast.While w) {
        whileStatement(s, w, vars, returns);
      } else if (st instanceof Ast.For f) { // one turn, its calls labelled by the loop variable
        dot.open("for " + f.name() + " in " + ExprText.of(f.items()), "style=dashed; color=\"#d6b656\"");
        statements(s, f.body(), vars, returns);
        dot.close();
      }
    }
    return false;
  }

  private boolean ifStatement(Scope s, Ast.If f, Map<String, Val> vars, List<Val> returns) {
    Boolean decided = ArgCondition.decide(f.condition(), s.args);
    if (decided != null) { // on the block's arguments: one branch runs in this instance
      return statements(s, decided ? f.then() : f.otherwise(), vars, returns);
    }
    eval(s, f.condition(), vars);
    List<Map<String, Val>> live = new ArrayList<>();
    Map<String, Val> then = new LinkedHashMap<>(vars);
    dot.open("if " + ExprText.of(f.condition()), "style=dashed; color=\"#82b366\"");
    boolean thenReturns = statements(s, f.then(), then, returns);
    dot.close();
    if (!thenReturns) {
      live.add(then);
    }
    Map<String, Val> otherwise = new LinkedHashMap<>(vars);
    boolean elseReturns = false;
    if (!f.otherwise().isEmpty()) {
      dot.open("else", "style=dashed; color=\"#b85450\"");
      elseReturns = statements(s, f.otherwise(), otherwise, returns);
      dot.close();
    }
    if (!elseReturns) {
      live.add(otherwise);
    }
    if (live.isEmpty()) {
      return true;
    }
    Set<String> names = new LinkedHashSet<>();
    live.forEach(m -> names.addAll(m.keySet()));
    for (String n : names) {
      List<Val> values = new ArrayList<>();
      boolean everywhere = true;
      for (Map<String, Val> m : live) {
        Val v = m.get(n);
        everywhere &= v != null;
        if (v != null && !values.contains(v)) {
          values.add(v);
        }
      }
      if (!everywhere) {
        continue; // assigned on some paths only: not defined after the if
      }
      vars.put(n, values.size() == 1 ? values.get(0) : join(n, values, values.get(0).shape()));
    }
    return false;
  }

  private void whileStatement(Scope s, Ast.While w, Map<String, Val> vars, List<Val> returns) {
    Set<String> assigned = new LinkedHashSet<>();
    assignedIn(w.body(), assigned);
    dot.open("while " + ExprText.of(w.condition()), "style=dashed; color=\"#d6b656\"");
    Map<String, Val> inner = new LinkedHashMap<>(vars);
    Map<String, Val> heads = new LinkedHashMap<>();
    for (String n : vars.keySet()) {
      Val before = vars.get(n);
      if (assigned.contains(n) && before.node() != null) {
        String head = dot.node(n, "shape=circle, width=0.3, fixedsize=false");
        flow(before, head);
        Val h = new Val(head, before.shape(), null);
        heads.put(n, h);
        inner.put(n, h);
      }
    }
    eval(s, w.condition(), inner);
    statements(s, w.body(), inner, returns);
    for (Map.Entry<String, Val> e : heads.entrySet()) {
      Val end = inner.get(e.getKey());
      if (end != null && end.node() != null && !end.equals(e.getValue())) {
        dot.edge(end.node(), e.getValue().node(), label(end.shape()) + " (next turn)",
            "style=dashed, constraint=false");
      }
    }
    dot.close();
    vars.putAll(heads);
  }

  private static void assignedIn(List<Stmt> body, Set<String> out) {
    for (Stmt st : body) {
      if (st instanceof Ast.Assign a) {
        out.add(a.name());
      } else if (st instanceof Ast.Unpack u) {
        out.addAll(Unpacking.names(u.targets()));
      } else if (st instanceof Ast.If f) {
        assignedIn(f.then(), out);
        assignedIn(f.otherwise(), out);
      } else if (st instanceof Ast.While w) {
        assignedIn(w.body(), out);
      }
    }
  }

  /** A small node where the values of {@code name} from several paths meet. */
  private Val join(String name, List<Val> values, Shape shape) {
    String node = dot.node(name, "shape=circle, width=0.3, fixedsize=false");
    values.forEach(v -> flow(v, node));
    return new Val(node, shape, null);
  }

  // ------------------------------------------------------------------ expressions

  private Val eval(Scope s, Expr e, Map<String, Val> vars) {
    if (e instanceof Ast.Num n) {
      return new Val(null, null, ExprText.number(n));
    }
    if (e instanceof Ast.Bool) {
      return new Val(null, null, ExprText.of(e));
    }
    if (e instanceof Ast.Name n) {
      return name(s, n, vars);
    }
    if (e instanceof Ast.Unary u) {
      Val o = eval(s, u.operand(), vars);
      if (o.node() == null) {
        return new Val(null, null, ExprText.of(e));
      }
      return op(u.op().equals("not") ? "not" : "neg", List.of(o), shape(s, e));
    }
    if (e instanceof Ast.Binary b) {
      Val l = eval(s, b.left(), vars);
      Val r = eval(s, b.right(), vars);
      if (l.node() == null && r.node() == null) {
        return new Val(null, null, ExprText.of(e));
      }
      return operator(b.op(), l, r, shape(s, e));
    }
    if (e instanceof Ast.Attr a) {
      return op("." + a.name(), List.of(eval(s, a.target(), vars)), shape(s, e));
    }
    if (e instanceof Ast.Subscript sub) {
      return op(ExprText.index(sub), List.of(eval(s, sub.target(), vars)), shape(s, e));
    }
    if (e instanceof Ast.Tuple t) {
      List<Val> items = new ArrayList<>();
      t.items().forEach(i -> items.add(eval(s, i, vars)));
      return items.stream().anyMatch(v -> v.node() != null) ? op("tuple", items, null)
          : new Val(null, null, ExprText.of(e));
    }
    if (e instanceof Ast.Method m) { // transformer.wte(idx): a module of a module dict
      List<Val> in = new ArrayList<>();
      m.call().args().forEach(a -> in.add(eval(s, a, vars)));
      String name = m.call().callee().equals(Ast.ITEM_CALL) ? ExprText.of(m.target())
          : ExprText.of(m.target()) + "." + m.call().callee();
      return op(name, in, shape(s, e));
    }
    // a tuple, a string, None, a slice, float('-inf'): text in the label of the call they are given to
    if (!(e instanceof Ast.Call) || ((Ast.Call) e).callee().equals("float")) {
      return new Val(null, null, ExprText.of(e));
    }
    Ast.Call c = (Ast.Call) e;
    if (s.block.children().stream().anyMatch(k -> k.name().equals(c.callee()))) {
      Val in = eval(s, c.args().get(0), vars);
      Val out = child(s, s.block.children(), s.result.inst(), c.callee(), in, s.prefix(), shape(s, e));
      List<Val> states = new ArrayList<>(); // an LSTM's or GRU's initial states
      c.args().subList(1, c.args().size()).forEach(a -> argument(s, a, vars, states));
      if (out.node() != null) {
        states.forEach(v -> flow(v, out.node()));
      }
      return out;
    }
    List<Val> inputs = new ArrayList<>();
    List<String> shown = new ArrayList<>();
    boolean constants = false;
    for (Expr a : c.args()) {
      shown.add(argument(s, a, vars, inputs));
      constants |= !shown.get(shown.size() - 1).equals("·");
    }
    for (Ast.Kwarg k : c.kwargs()) {
      shown.add(k.name() + "=" + argument(s, k.value(), vars, inputs));
      constants = true;
    }
    String label = constants ? c.callee() + "(" + String.join(", ", shown) + ")" : c.callee();
    return op(label, inputs, shape(s, e));
  }

  /** A call argument: its tensors become inputs of the call's node; its text in the label. */
  private String argument(Scope s, Expr a, Map<String, Val> vars, List<Val> inputs) {
    if (a instanceof Ast.Tuple t) {
      List<String> items = new ArrayList<>();
      for (Expr item : t.items()) {
        items.add(argument(s, item, vars, inputs));
      }
      return "[" + String.join(", ", items) + "]";
    }
    Val v = eval(s, a, vars);
    if (v.node() != null) {
      inputs.add(v);
      return "·";
    }
    return v.text();
  }

  private Val name(Scope s, Ast.Name n, Map<String, Val> vars) {
    Val v = vars.get(n.name());
    if (v != null) {
      return v;
    }
    Inst inst = s.result.inst();
    Shape tensor = inst.params.containsKey(n.name()) ? inst.params.get(n.name())
        : inst.buffers.get(n.name());
    if (tensor == null) {
      return new Val(null, null, n.name());
    }
    String what = inst.params.containsKey(n.name()) ? "parameter" : "buffer";
    String node = s.tensors.computeIfAbsent(n.name(), k -> dot.node(k + "\n" + what,
        "shape=cylinder, tooltip=" + Dot.quote(s.prefix() + k + " " + tensor)));
    return new Val(node, tensor, null);
  }

  private static final Map<String, String> OPS = Map.ofEntries(
      Map.entry("+", "add"), Map.entry("-", "sub"), Map.entry("*", "mul"), Map.entry("/", "div"),
      Map.entry("**", "pow"), Map.entry("@", "matmul"), Map.entry("<", "lt"), Map.entry(">", "gt"),
      Map.entry("<=", "le"), Map.entry(">=", "ge"), Map.entry("==", "eq"), Map.entry("!=", "ne"),
      Map.entry("and", "and"), Map.entry("or", "or"));

  /** {@code l op r}, at least one side a node: {@code add}, or {@code mul(·, 2)} with a constant. */
  private Val operator(String symbol, Val l, Val r, Shape shape) {
    String name = OPS.getOrDefault(symbol, symbol);
    String label = l.node() == null ? name + "(" + l.text() + ", ·)"
        : r.node() == null ? name + "(·, " + r.text() + ")" : name;
    List<Val> inputs = new ArrayList<>();
    for (Val v : List.of(l, r)) {
      if (v.node() != null) {
        inputs.add(v);
      }
    }
    return op(label, inputs, shape);
  }

  /** An operation node fed by {@code inputs}. */
  private Val op(String label, List<Val> inputs, Shape shape) {
    String node = dot.node(label, "shape=ellipse");
    inputs.forEach(v -> flow(v, node));
    return new Val(node, shape, null);
  }

  /** The edge carrying {@code v} into {@code node}, labelled with its shape. */
  private void flow(Val v, String node) {
    if (v.node() != null) {
      dot.edge(v.node(), node, v.shape() == null ? null : label(v.shape()), "");
    }
  }

  private static String label(Shape shape) {
    return shape == null ? "" : shape.toString();
  }

  private static Shape shape(Scope s, Expr e) {
    Type t = s.result.types().get(e);
    return t == null ? null : t.shapeOrNull();
  }
}
