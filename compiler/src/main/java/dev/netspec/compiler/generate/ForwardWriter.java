package dev.netspec.compiler.generate;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.NameAllocator;
import com.palantir.javapoet.TypeName;
import dev.netspec.compiler.check.Model.Arg;
import dev.netspec.compiler.check.Model.ArgType;
import dev.netspec.compiler.check.Model.BuiltinUse;
import dev.netspec.compiler.check.Model.Child;
import dev.netspec.compiler.check.Model.SameAs;
import dev.netspec.compiler.infer.ArgCondition;
import dev.netspec.compiler.infer.Assignments;
import dev.netspec.compiler.infer.DType;
import dev.netspec.compiler.infer.Functions;
import dev.netspec.compiler.infer.Inference.Result;
import dev.netspec.compiler.infer.LayerCalls;
import dev.netspec.compiler.infer.ModulePaths;
import dev.netspec.compiler.infer.Shape;
import dev.netspec.compiler.infer.SizeSymbols;
import dev.netspec.compiler.infer.Type;
import dev.netspec.compiler.layers.CallParam;
import dev.netspec.compiler.layers.LayerKind;
import dev.netspec.compiler.parse.Ast;
import dev.netspec.compiler.parse.Ast.Expr;
import dev.netspec.compiler.parse.Ast.Stmt;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes a block's {@code forward} statements as straight-line Java over the runtime's
 * {@code Tensor} API, each assignment commented with its inferred shape. Without a
 * {@link Workspace} every step returns a new tensor; with one, every tensor-valued step
 * writes into a buffer of the workspace ({@code x.reluInto(reluOut)}) and the returned value
 * into the caller's output, and a step with no such form throws {@link Workspace.Unsupported}.
 */
final class ForwardWriter {
  private final Result result;
  private final Map<String, String> fields;
  private final Set<String> params;
  private final NameAllocator locals;
  private final Set<String> allocated = new HashSet<>();
  /** The buffers of the allocation-free forward, or null for the allocating one. */
  private final Workspace ws;
  /** The types of the steps made up for compound assignments ({@code x += y}). */
  private final Map<Expr, Type> virtual = new HashMap<>();
  /** The Java name of the output parameter (allocation-free forward only). */
  private String output;
  /** How many {@code while} loops enclose the statement being written. */
  private int loops;
  /**
   * The steps nested in the statement being written, each a statement of its own (null in a
   * condition, which must run whole at every test).
   */
  private CodeBlock.Builder steps;
  /** The buffer of the step written last. */
  private String lastBuffer;
  /** The input dim of each size symbol ({@code seq} is {@code x.size(1)}). */
  private final Map<String, SizeSymbols.Source> sizeDims;
  /** The local {@code int} of each size symbol read so far, declared at the top of the body. */
  private final Map<String, String> sizeLocals = new java.util.LinkedHashMap<>();
  private final TensorOpsWriter tensorOps;
  /**
   * Variables whose assignment waits for their one use, which runs it as a layer's epilogue
   * (see {@link #defer}): the value standing for each.
   */
  private final Map<String, Expr> deferred = new HashMap<>();
  /** The argument values of the instance written, or null for the class's code. */
  private Map<String, Object> instanceArgs;
  /** How many {@code if}/{@code while} bodies enclose the statement being written. */
  private int depth;
  /** The buffers each variable may name here (several after an {@code if}), for their liveness. */
  private Map<String, Set<String>> points = new HashMap<>();
  /** For each step being written, innermost first, the buffers it reads. */
  private final Deque<Set<String>> operands = new ArrayDeque<>();
  /** The containers' Java access paths, or null when the block has none. */
  private Modules modules;
  /** The Java name of each loop variable of an enclosing {@code for}, by spec name. */
  private final Map<String, String> loopVars = new HashMap<>();

  /** What the writer reads of a block's module lists and dicts. */
  interface Modules {
    /** {@code transformer.h} as Java: the field, then the dict classes' fields. */
    CodeBlock access(List<String> path);

    /** The class of the items of the module list at {@code path}. */
    TypeName itemType(List<String> path);
  }

  /** Sets what the writer reads of the containers ({@code for} loops, {@code dict.name(x)}). */
  void modules(Modules modules) {
    this.modules = modules;
  }

  /**
   * @param fields Java field name of every child, parameter, buffer and argument, by spec name
   * @param params the spec names that are parameters (read through {@code .data()})
   * @param locals allocator holding the field names already, for local variables
   * @param ws the workspace of the allocation-free forward (sharing {@code locals}), or null
   */
  ForwardWriter(Result result, Map<String, String> fields, Set<String> params, NameAllocator locals,
      Workspace ws) {
    this.result = result;
    this.fields = fields;
    this.params = params;
    this.locals = locals;
    this.ws = ws;
    this.sizeDims = SizeSymbols.inputDims(result.block());
    this.tensorOps = new TensorOpsWriter(this::expr, this::typeOf, this::intName);
  }

  /** The Java int of {@code name} in a size: an int argument's field, an input size or a local. */
  private CodeBlock intName(String name) {
    String field = fields.get(name);
    if (field != null && !allocated.contains(name)) {
      return CodeBlock.of("$N", field);
    }
    if (!allocated.contains(name) && sizeDims.containsKey(name) && ws != null && ws.sizeField(name) != null) {
      return CodeBlock.of("$N", ws.sizeField(name)); // the workspace's, set before the steps run
    }
    if (!allocated.contains(name) && sizeDims.containsKey(name)) {
      return CodeBlock.of("$N", sizeLocals.computeIfAbsent(name,
          n -> locals.newName(JavaText.lowerCamel(n), "sizeLocal:" + n)));
    }
    return CodeBlock.of("$N", local(name));
  }

  /** The Java name of the allocation-free forward's output parameter. */
  String output() {
    if (output == null) {
      output = locals.newName("output", "output parameter");
    }
    return output;
  }

  /** The Java name of the forward's input. */
  String input() {
    return local("x");
  }

  /** The Java names of the forward's inputs, in order ({@code inputIds}, {@code attentionMask}). */
  List<String> inputs() {
    List<String> out = new ArrayList<>();
    result.inputs().keySet().forEach(n -> out.add(local(n)));
    return out;
  }

  /** The Java name of the block's {@code position:} int, a parameter of its forward. */
  String position() {
    return local(result.block().position());
  }

  /** How generated code calls each child whose result is a tuple, by spec name. */
  private Map<String, Tuples.Call> tupleChildren = Map.of();

  /** Sets how each child whose result is a tuple is called (its record type and accessors). */
  void tupleChildren(Map<String, Tuples.Call> calls) {
    tupleChildren = calls;
  }

  private String local(String name) {
    if (allocated.add(name)) {
      return locals.newName(JavaText.lowerCamel(name), "local:" + name);
    }
    return locals.get("local:" + name);
  }

  /** The body of {@code forward}. */
  CodeBlock body(List<Stmt> stmts) {
    CodeBlock.Builder b = CodeBlock.builder();
    Map<String, Type> declared = new HashMap<>(result.inputs());
    inputs();
    statements(b, stmts, declared);
    CodeBlock.Builder sizes = CodeBlock.builder();
    sizeLocals.forEach((symbol, local) ->
        sizes.addStatement("int $N = $N.size($L)", local, local(sizeDims.get(symbol).input()),
            sizeDims.get(symbol).dim()));
    return sizes.add(b.build()).build();
  }

  private void statements(CodeBlock.Builder b, List<Stmt> stmts, Map<String, Type> declared) {
    for (int i = 0; i < stmts.size(); i++) {
      if (stmts.get(i) instanceof Ast.Assign a && defer(a, stmts.subList(i + 1, stmts.size()))) {
        declared.put(a.name(), typeOf(a.value()));
        continue;
      }
      statement(b, stmts.get(i), declared);
    }
  }

  /**
   * Whether {@code name = layer(...)} (or {@code norm(layer(...))}) can wait for the one
   * statement after it that reads {@code name}, where it is the layer step of an
   * {@link Epilogue}: ResNet's {@code out = bn2(conv2(out))} then runs inside
   * {@code relu(out + identity)} as one call with the residual and the ReLU in its epilogue.
   * The statements in between must not mention {@code name}, anything the value reads, or its
   * layers (so no order between stateful calls changes), and nothing may read {@code name}
   * after its use. Only at the top level of the allocation-free forward.
   */
  private boolean defer(Ast.Assign a, List<Stmt> rest) {
    if (ws == null || loops > 0 || depth > 0 || !a.op().equals("=") || !(a.value() instanceof Ast.Call c)
        || !(typeOf(c) instanceof Type.TensorT)
        || result.block().children().stream().anyMatch(ch -> ch.use() instanceof SameAs)) {
      return false; // (a layer with two names could be called in between under the other one)
    }
    Epilogue alone = Epilogue.match(c, epilogueView);
    LayerKind kind = kindOf(c);
    boolean layerStep = alone != null ? alone.add() == null && alone.activation() == null
        : kind != null && kind.fusesResidual() && c.args().size() == 1;
    if (!layerStep) {
      return false;
    }
    Set<String> touched = new HashSet<>(Mentions.of(c));
    touched.add(a.name());
    touched.add(Mentions.ANY);
    for (int j = 0; j < rest.size(); j++) {
      Stmt s = rest.get(j);
      Set<String> m = Mentions.of(s);
      if (!m.contains(a.name())) {
        if (m.stream().anyMatch(touched::contains)) {
          return false;
        }
        continue;
      }
      Expr use = s instanceof Ast.Return r ? r.value() : s instanceof Ast.Assign u && u.op().equals("=") ? u.value() : null;
      if (use == null || Mentions.count(use, a.name()) != 1 || Mentions.of(use).contains(Mentions.ANY)) {
        return false;
      }
      boolean deadAfter = s instanceof Ast.Return || ((Ast.Assign) s).name().equals(a.name())
          || rest.subList(j + 1, rest.size()).stream()
              .noneMatch(t -> Mentions.of(t).contains(a.name()) || Mentions.of(t).contains(Mentions.ANY));
      deferred.put(a.name(), c);
      Epilogue f = Epilogue.match(use, epilogueView);
      Ast.Call layer = alone != null ? alone.layer() : c;
      if (deadAfter && f != null && f.layer() == layer) {
        return true;
      }
      deferred.remove(a.name());
      return false;
    }
    return false;
  }

  /** The block as {@link Epilogue} sees it. */
  private final Epilogue.Block epilogueView = new Epilogue.Block() {
    @Override
    public LayerKind kindOf(Ast.Call c) {
      return ForwardWriter.this.kindOf(c);
    }

    @Override
    public boolean isFunction(Ast.Call c) {
      return result.calls().get(c) != null;
    }

    @Override
    public Type typeOf(Expr e) {
      return ForwardWriter.this.typeOf(e);
    }

    @Override
    public Expr deferred(String name) {
      return deferred.get(name);
    }
  };

  /** The kind of the builtin, not lazy, child that {@code c} calls, or null. */
  private LayerKind kindOf(Ast.Call c) {
    return result.calls().get(c) != null || !fields.containsKey(c.callee()) ? null
        : Epilogue.childKind(result, c.callee());
  }

  private void statement(CodeBlock.Builder b, Stmt s, Map<String, Type> declared) {
    if (s instanceof Ast.Unpack && ws != null) {
      throw new Workspace.Unsupported("a tuple unpacking");
    }
    if (s instanceof Ast.Return r && typeOf(r.value()) instanceof Type.TupleT && ws != null) {
      returnTupleInto(b, r);
      return;
    }
    if (s instanceof Ast.Unpack u) {
      List<CodeBlock> leaves = tupleLeaves(b, u.value(), true);
      List<Ast.Name> targets = Tuples.targets(u.targets(), typeOf(u.value()));
      for (int i = 0; i < targets.size(); i++) {
        Ast.Name n = targets.get(i);
        if (n == null) {
          continue; // '_' discards
        }
        Type t = typeOf(n);
        String comment = t instanceof Type.TensorT tt ? " // " + JavaText.shapeComment(tt.shape()) : "";
        if (declared.containsKey(n.name())) {
          b.add("$N = $L;$L\n", local(n.name()), leaves.get(i), comment);
        } else {
          b.add("$T $N = $L;$L\n", RuntimeTypes.TENSOR, local(n.name()), leaves.get(i), comment);
        }
        declared.put(n.name(), t);
      }
      return;
    }
    if (s instanceof Ast.Return r && typeOf(r.value()) instanceof Type.TupleT) {
      b.addStatement("return new Output($L)", CodeBlock.join(tupleLeaves(b, r.value(), false), ", "));
      return;
    }
    if (s instanceof Ast.For f) {
      if (modules == null) {
        throw new Workspace.Unsupported("a for loop over a module list");
      }
      List<String> path = ModulePaths.of(f.items());
      String name = local(f.name());
      loopVars.put(f.name(), name);
      int start = ws == null ? 0 : ws.now();
      Map<String, Set<String>> before = copy(points);
      b.beginControlFlow("for ($T $N : $L)", modules.itemType(path), name, modules.access(path));
      loops++;
      statements(b, f.body(), new HashMap<>(declared));
      loops--;
      b.endControlFlow();
      loopVars.remove(f.name());
      if (ws != null) { // as a while loop: the body's buffers live from the loop's start to its end
        ws.tick();
        ws.loop(start);
        points = union(before, points);
      }
      return;
    }
    if (s instanceof Ast.Assign a && ws != null) {
      assignInto(b, a, declared);
    } else if (s instanceof Ast.Return r && ws != null) {
      steps = CodeBlock.builder();
      CodeBlock value = into(r.value(), output());
      b.add(flushSteps()).add("return $L; // $L\n", value, JavaText.shapeComment(((Type.TensorT) typeOf(r.value())).shape()));
      ws.tick();
    } else if (s instanceof Ast.Assign a) {
      Type valueType = typeOf(a.value());
      Type old = declared.get(a.name());
      Type target = old instanceof Type.TensorT ? old : valueType;
      CodeBlock value;
      if (a.op().equals("=")) {
        target = valueType;
        value = expr(a.value());
      } else {
        String op = a.op().substring(0, 1);
        Ast.Binary virtual = new Ast.Binary(a.loc(), op, new Ast.Name(a.loc(), a.name()), a.value());
        value = binaryCode(virtual, old, valueType);
      }
      String name = local(a.name());
      String comment = target instanceof Type.TensorT tt ? " // " + JavaText.shapeComment(tt.shape()) : "";
      if (old == null) {
        b.add("$T $N = $L;$L\n", javaType(target), name, value, comment);
      } else {
        b.add("$N = $L;$L\n", name, value, comment);
      }
      declared.put(a.name(), target);
    } else if (s instanceof Ast.Return r) {
      b.addStatement("return $L", expr(r.value()));
    } else if (s instanceof Ast.While w) {
      int start = ws == null ? 0 : ws.now();
      Map<String, Set<String>> before = copy(points);
      b.beginControlFlow("while ($L)", condition(w.condition()));
      loops++;
      depth++;
      statements(b, w.body(), new HashMap<>(declared));
      depth--;
      loops--;
      b.endControlFlow();
      if (ws != null) {
        ws.tick();
        ws.loop(start);
        points = union(before, points);
      }
    } else if (s instanceof Ast.If f && ws != null && onArgsOnly(f.condition()) && decided(f) != null) {
      // Decided by this instance's arguments (inspect at given ones): only the branch that runs.
      statements(b, decided(f) ? f.then() : f.otherwise(), declared);
    } else if (s instanceof Ast.If f) {
      // A variable every branch assigns lives on after the 'if': declared before it.
      for (Map.Entry<String, Ast.Assign> e : Assignments.definedBy(f).entrySet()) {
        if (!declared.containsKey(e.getKey())) {
          Type t = typeOf(e.getValue().value());
          String comment = t instanceof Type.TensorT tt ? " // " + JavaText.shapeComment(tt.shape()) : "";
          b.add("$T $N;$L\n", javaType(t), local(e.getKey()), comment);
          declared.put(e.getKey(), t);
        }
      }
      CodeBlock test = condition(f.condition());
      b.beginControlFlow("if ($L)", test);
      depth++;
      Map<String, Set<String>> before = copy(points);
      Map<String, Set<String>> after = new HashMap<>();
      boolean onArgs = ws != null && onArgsOnly(f.condition());
      if (onArgs) {
        ws.guard(test); // the branch's buffers exist only where its condition holds
      }
      statements(b, f.then(), new HashMap<>(declared));
      if (onArgs) {
        ws.guard(null);
      }
      after = union(after, points);
      List<Stmt> otherwise = f.otherwise();
      while (otherwise.size() == 1 && otherwise.get(0) instanceof Ast.If elif) {
        points = copy(before);
        b.nextControlFlow("else if ($L)", condition(elif.condition()));
        statements(b, elif.then(), new HashMap<>(declared));
        after = union(after, points);
        otherwise = elif.otherwise();
      }
      points = copy(before);
      if (!otherwise.isEmpty()) {
        b.nextControlFlow("else");
        statements(b, otherwise, new HashMap<>(declared));
      }
      points = union(after, points); // each variable: what any branch, or none, left it naming
      depth--;
      b.endControlFlow();
    }
  }

  /**
   * For an {@code if} on the arguments, the branch the instance of {@link #decideWith} runs;
   * null when generating the class.
   */
  private Boolean decided(Ast.If f) {
    return instanceArgs == null ? null : ArgCondition.decide(f.condition(), instanceArgs);
  }

  /**
   * Writes the forward of the instance with these argument values (for {@code inspect}'s
   * count of its buffers): an {@code if} on them runs one branch. Null: the class's code.
   */
  void decideWith(Map<String, Object> args) {
    this.instanceArgs = args;
  }

  /**
   * {@code name = value} with the value in a buffer: the variable then names that buffer. In a
   * loop the buffer is written again at each turn, so a variable must not share it (an alias)
   * and a step that cannot run in place (a layer, a matrix product) must not read the
   * variable it assigns.
   */
  private void assignInto(CodeBlock.Builder b, Ast.Assign a, Map<String, Type> declared) {
    Type old = declared.get(a.name());
    Expr value = a.value();
    if (!a.op().equals("=")) {
      value = new Ast.Binary(a.loc(), a.op().substring(0, 1), new Ast.Name(a.loc(), a.name()), a.value());
      virtual.put(value, old);
    }
    if (!(typeOf(value) instanceof Type.TensorT tt) || !(old == null || old instanceof Type.TensorT)) {
      throw new Workspace.Unsupported("a variable that is not a tensor");
    }
    if (loops > 0 && value instanceof Ast.Name) {
      throw new Workspace.Unsupported("a loop whose buffers would alias");
    }
    String name = local(a.name());
    steps = CodeBlock.builder();
    CodeBlock code;
    if (loops > 0 && !inPlace(value) && reads(value, a.name())) {
      // h = block(h): each turn writes the one of two buffers h does not name (ping-pong).
      String base = value instanceof Ast.Call c ? c.callee() : "step";
      String even = ws.buffer(base + "Out", tt.shape());
      String odd = ws.buffer(base + "Out", tt.shape());
      String next = locals.newName(name + "Next", new Object());
      steps.add("$T $N = $N == $N ? $N : $N;\n", RuntimeTypes.TENSOR, next, name, even, odd, even);
      readByStep(even);
      readByStep(odd);
      code = into(value, next);
      lastBuffer = even;
      points.put(a.name(), new HashSet<>(Set.of(even, odd)));
    } else {
      code = into(value, null);
      points.put(a.name(), value instanceof Ast.Name n ? new HashSet<>(points.getOrDefault(n.name(), Set.of()))
          : new HashSet<>(Set.of(lastBuffer)));
    }
    b.add(flushSteps());
    String comment = " // " + JavaText.shapeComment(tt.shape());
    if (old == null) {
      b.add("$T $N = $L;$L\n", RuntimeTypes.TENSOR, name, code, comment);
    } else {
      b.add("$N = $L;$L\n", name, code, comment);
    }
    declared.put(a.name(), tt);
    ws.tick();
  }

  private static Map<String, Set<String>> copy(Map<String, Set<String>> m) {
    Map<String, Set<String>> out = new HashMap<>();
    m.forEach((k, v) -> out.put(k, new HashSet<>(v)));
    return out;
  }

  private static Map<String, Set<String>> union(Map<String, Set<String>> a, Map<String, Set<String>> b) {
    Map<String, Set<String>> out = copy(a);
    b.forEach((k, v) -> out.computeIfAbsent(k, x -> new HashSet<>()).addAll(v));
    return out;
  }

  /**
   * The tensors of tuple-valued {@code e} in order, nested tuples flattened: a tuple written
   * out gives its items (with {@code hold}, each first held in a local, so that unpacking
   * assigns only after evaluating them all, as Python does), a layer's or block's result its record's
   * accessors, {@code chunk} and {@code split} their list's items.
   */
  private List<CodeBlock> tupleLeaves(CodeBlock.Builder b, Expr e, boolean hold) {
    List<CodeBlock> out = new ArrayList<>();
    if (e instanceof Ast.Tuple t) {
      for (Expr item : t.items()) {
        if (typeOf(item) instanceof Type.TupleT) {
          out.addAll(tupleLeaves(b, item, hold));
        } else if (!hold) {
          out.add(expr(item));
        } else {
          String tmp = locals.newName("item", new Object());
          b.add("$T $N = $L;\n", RuntimeTypes.TENSOR, tmp, expr(item));
          out.add(CodeBlock.of("$N", tmp));
        }
      }
      return out;
    }
    Ast.Call c = (Ast.Call) e;
    Tuples.Call child = tupleChildren.get(c.callee());
    if (child != null && result.calls().get(c) == null && boundKind(c) != null) {
      String tmp = locals.newName(JavaText.lowerCamel(c.callee()) + "Result", new Object());
      b.add("$T $N = $L; // $L\n", child.type(), tmp, layerCall(c), Tuples.comment(typeOf(e)));
      child.accessors().forEach(name -> out.add(CodeBlock.of("$N.$N()", tmp, name)));
      return out;
    }
    if (child != null && result.calls().get(c) == null) {
      List<CodeBlock> args = new ArrayList<>();
      for (Expr a : c.args()) {
        if (typeOf(a) instanceof Type.TupleT) {
          args.addAll(tupleLeaves(b, a, false));
        } else {
          args.add(expr(a));
        }
      }
      String tmp = locals.newName(JavaText.lowerCamel(c.callee()) + "Result", new Object());
      b.add("$T $N = $N.$N($L); // $L\n", child.type(), tmp, fields.get(c.callee()), child.method(),
          CodeBlock.join(args, ", "), Tuples.comment(typeOf(e)));
      child.accessors().forEach(name -> out.add(CodeBlock.of("$N.$N()", tmp, name)));
      return out;
    }
    Map<String, Object> a = result.calls().get(c);
    String tmp = locals.newName("parts", new Object());
    CodeBlock in = arg(a, "input");
    Object sizes = a.get(c.callee().equals("chunk") ? "chunks" : "split_size_or_sections");
    CodeBlock size = sizes instanceof List<?> l ? ints(l) : CodeBlock.of("$L", intOf(sizes));
    b.add("$T<$T> $N = $L.$N($L, $L); // $L\n", RuntimeTypes.LIST, RuntimeTypes.TENSOR, tmp, in, c.callee(), size,
        intOf(a.get("dim")), Tuples.comment(typeOf(e)));
    int n = ((Type.TupleT) typeOf(e)).size();
    for (int i = 0; i < n; i++) {
      out.add(CodeBlock.of("$N.get($L)", tmp, i));
    }
    return out;
  }

  private CodeBlock flushSteps() {
    CodeBlock out = steps.build();
    steps = null;
    return out;
  }

  /** Whether the step at the top of {@code e} may write over its own operand (elementwise). */
  private boolean inPlace(Expr e) {
    if (e instanceof Ast.Binary b) {
      return !b.op().equals("@");
    }
    if (e instanceof Ast.Call c) {
      Map<String, Object> a = result.calls().get(c);
      return a != null && Functions.get(c.callee()).kind() == Functions.Kind.ELEMENTWISE
          && !(a.get("input") instanceof Ast.Call inner && fusesActivation(inner)); // fused: a layer
    }
    return e instanceof Ast.Unary;
  }

  /** Whether one of the direct operands of {@code e} is the variable {@code name}. */
  private boolean reads(Expr e, String name) {
    List<Expr> operands = e instanceof Ast.Binary b ? List.of(b.left(), b.right())
        : e instanceof Ast.Call c ? c.args() : e instanceof Ast.Unary u ? List.of(u.operand()) : List.of();
    if (e instanceof Ast.Call c && c.args().size() == 1 && c.args().get(0) instanceof Ast.Call inner
        && fusesActivation(inner)) {
      operands = inner.args(); // relu(linear(x)) is one step reading x
    }
    for (Expr o : operands) {
      if (o instanceof Ast.Name n && n.name().equals(name)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The code writing tensor {@code e} into {@code dest} (null: a new buffer of the
   * workspace); its value is the tensor written.
   */
  private CodeBlock into(Expr e, String dest) {
    operands.push(new HashSet<>());
    try {
      return step(e, dest);
    } finally {
      operands.pop().forEach(ws::read); // now: the step that read them is being written
    }
  }

  /**
   * Notes that the step being written reads {@code buffer}: when that step ends (its operands
   * may still write steps of their own, which run before it).
   */
  private void readByStep(String buffer) {
    if (operands.isEmpty()) {
      ws.read(buffer);
    } else {
      operands.peek().add(buffer);
    }
  }

  /** {@link #into} without the bookkeeping of what the step reads. */
  private CodeBlock step(Expr e, String dest) {
    if (!(typeOf(e) instanceof Type.TensorT t)) {
      throw new Workspace.Unsupported("a value that is not a tensor");
    }
    Shape shape = t.shape();
    Epilogue fused = loops == 0 ? Epilogue.match(e, epilogueView) : null;
    if (fused != null) {
      return epilogueInto(fused, dest, shape);
    }
    if (e instanceof Ast.Name) {
      if (dest == null) {
        return expr(e);
      }
      return CodeBlock.of("$L.copyInto($N)", expr(e), dest);
    }
    if (viewOperand(e) != null) {
      return viewInto(e, dest);
    }
    if (e instanceof Ast.Method m && modules != null && !(m.target() instanceof Ast.Subscript)) {
      List<String> path = ModulePaths.of(m.target()); // transformer.wte(idx)
      path.add(m.call().callee());
      return childInto(modules.access(path), m.call(), dest, shape);
    }
    if (e instanceof Ast.Unary u && u.op().equals("-")) {
      CodeBlock operand = expr(u.operand());
      return CodeBlock.of("$L.negInto($N)", operand, buffer(dest, "neg", shape));
    }
    if (e instanceof Ast.Binary b) {
      return binaryInto(b, dest, shape);
    }
    if (e instanceof Ast.Call c) {
      return callInto(c, dest, shape);
    }
    throw new Workspace.Unsupported("no allocation-free form");
  }

  /**
   * One call for a chain: {@code conv2.forwardInto(out, bn2, Activation.RELU, identity,
   * output)}; the residual is computed first, as its own step.
   */
  private CodeBlock epilogueInto(Epilogue f, String dest, Shape shape) {
    CodeBlock add = f.add() == null ? null : expr(f.add());
    CodeBlock in = expr(f.in());
    CodeBlock norm = f.norm() == null ? null : CodeBlock.of("$N", fields.get(f.norm().callee()));
    String out = buffer(dest, f.layer().callee(), shape);
    return f.kind().epilogueInto(CodeBlock.of("$N", fields.get(f.layer().callee())), in, norm, f.activation(), add,
        CodeBlock.of("$N", out));
  }

  private String buffer(String dest, String base, Shape shape) {
    lastBuffer = dest != null ? dest : ws.buffer(base + "Out", shape);
    contiguous.add(lastBuffer);
    return lastBuffer;
  }

  /** A step nested in a statement: its own statement before it, if allowed, then its buffer. */
  private CodeBlock nested(Expr e) {
    CodeBlock code = into(e, null);
    if (viewOperand(e) != null) { // a view field, or a view of an input made here: no step of its own
      readByStep(lastBuffer);
      return code;
    }
    if (steps == null) {
      readByStep(lastBuffer);
      return code;
    }
    steps.add("$L; // $L\n", code, JavaText.shapeComment(((Type.TensorT) typeOf(e)).shape()));
    ws.tick();
    readByStep(lastBuffer);
    return CodeBlock.of("$N", lastBuffer);
  }

  private static final Map<String, String> INTO = Map.of("+", "add", "-", "sub", "*", "mul", "/", "div");

  private CodeBlock binaryInto(Ast.Binary b, String dest, Shape shape) {
    boolean lTensor = typeOf(b.left()) instanceof Type.TensorT;
    boolean rTensor = typeOf(b.right()) instanceof Type.TensorT;
    CodeBlock l = expr(b.left());
    CodeBlock r = expr(b.right());
    if (b.op().equals("@")) {
      return CodeBlock.of("$L.matmulInto($L, $N)", l, r, buffer(dest, "matmul", shape));
    }
    if (b.op().equals("**") && lTensor && !rTensor) {
      return CodeBlock.of("$L.powInto($L, $N)", l, r, buffer(dest, "pow", shape));
    }
    if (b.op().equals("!=") && lTensor && !rTensor) {
      return CodeBlock.of("$T.ne($L, $L, $N)", TensorOpsWriter.OUT, l, r, buffer(dest, "ne", shape));
    }
    if (b.op().equals("-") && !lTensor && rTensor) {
      return CodeBlock.of("$T.rsub($L, $L, $N)", TensorOpsWriter.OUT, l, r, buffer(dest, "rsub", shape));
    }
    String method = INTO.get(b.op());
    if (method != null && lTensor) {
      return CodeBlock.of("$L.$N($L, $N)", l, method + "Into", r, buffer(dest, method, shape));
    }
    if (method != null && (b.op().equals("+") || b.op().equals("*"))) {
      return CodeBlock.of("$L.$N($L, $N)", r, method + "Into", l, buffer(dest, method, shape));
    }
    throw new Workspace.Unsupported("operator " + b.op());
  }

  private CodeBlock callInto(Ast.Call c, String dest, Shape shape) {
    String child = fields.get(c.callee());
    Map<String, Object> a = result.calls().get(c);
    if (a == null && child != null && boundKind(c) != null) {
      throw new Workspace.Unsupported("a layer call with several arguments");
    }
    if (a == null && child != null) {
      return childInto(CodeBlock.of("$N", child), c, dest, shape);
    }
    if (a == null && loopVars.containsKey(c.callee())) {
      return childInto(CodeBlock.of("$N", loopVars.get(c.callee())), c, dest, shape);
    }
    Functions.Fn fn = Functions.get(c.callee());
    switch (fn.kind()) {
      case TENSOR_OP: {
        CodeBlock code = null;
        if (c.callee().equals("scaled_dot_product_attention")) {
          List<CodeBlock> qkv = new ArrayList<>();
          for (String p : List.of("query", "key", "value")) {
            qkv.add(fieldOf((Expr) a.get(p), arg(a, p)));
          }
          String out = dest != null ? dest : attentionBuffer(shape, qkv);
          lastBuffer = out;
          contiguous.remove(out); // (batch, L, heads, Ev) seen as (batch, heads, L, Ev)
          code = tensorOps.attentionInto(a, qkv, CodeBlock.of("$N", out));
        } else if (c.callee().equals("arange") && dest == null) {
          lastBuffer = ws.int64Buffer("arangeOut", shape);
          code = tensorOps.arangeInto(a, CodeBlock.of("$N", lastBuffer));
        }
        if (code != null) {
          return code;
        }
        break;
      }
      case ELEMENTWISE: {
        Expr input = (Expr) a.get("input");
        if ("tanh".equals(a.get("approximate"))) {
          break; // the runtime's geluInto is the exact GELU
        }
        if (c.callee().equals("relu") && input instanceof Ast.Call inner && fusesActivation(inner)) {
          // relu(linear(x)): one pass, the ReLU in the GEMM's epilogue.
          CodeBlock in = expr(inner.args().get(0));
          return CodeBlock.of("$N.forwardInto($L, $T.RELU, $N)", fields.get(inner.callee()), in,
              RuntimeTypes.ACTIVATION, buffer(dest, c.callee(), shape));
        }
        CodeBlock in = arg(a, "input");
        return CodeBlock.of("$L.$N($N)", in, c.callee() + "Into", buffer(dest, c.callee(), shape));
      }
      case POW:
        if (!(typeOf((Expr) a.get("exponent")) instanceof Type.TensorT)) {
          CodeBlock in = arg(a, "input");
          return CodeBlock.of("$L.powInto($L, $N)", in, arg(a, "exponent"), buffer(dest, "pow", shape));
        }
        break;
      case REDUCE:
        if (!(a.get("dim") instanceof Long) && !c.callee().equals("max")) {
          CodeBlock value = scalar(c);
          return CodeBlock.of("$N.fill_($L)", buffer(dest, c.callee(), shape), value);
        }
        if (c.callee().equals("sum")) {
          CodeBlock in = arg(a, "input");
          return CodeBlock.of("$T.sum($L, $L, $L, $N)", TensorOpsWriter.OUT, in, intOf(a.get("dim")), a.get("keepdim"),
              buffer(dest, "sum", shape));
        }
        break;
      case MATMUL: {
        CodeBlock l = arg(a, "input");
        CodeBlock r = arg(a, "other");
        return CodeBlock.of("$L.matmulInto($L, $N)", l, r, buffer(dest, "matmul", shape));
      }
      case SOFTMAX: {
        CodeBlock in = arg(a, "input");
        String method = c.callee().equals("softmax") ? "softmax" : "logSoftmax";
        return CodeBlock.of("$L.$N($L, $N)", in, method + "Into", intOf(a.get("dim")), buffer(dest, method, shape));
      }
      case FLATTEN: {
        CodeBlock in = arg(a, "input");
        return CodeBlock.of("$L.flattenInto($L, $L, $N)", in, intOf(a.get("start_dim")), intOf(a.get("end_dim")),
            buffer(dest, "flatten", shape));
      }
      default:
        break;
    }
    throw new Workspace.Unsupported("function " + c.callee());
  }

  /**
   * A block's or layer's call into a buffer: {@code fc.forward(x, fcOut)}, or for a block with
   * several inputs {@code attention.forwardInputsInto(h, mask, attentionOut)} (a child whose
   * result is a tuple has no such form here).
   */
  private CodeBlock childInto(CodeBlock module, Ast.Call c, String dest, Shape shape) {
    if (tupleChildren.containsKey(c.callee()) || !c.kwargs().isEmpty()) {
      throw new Workspace.Unsupported("a call of a child with a tuple result or keywords");
    }
    List<CodeBlock> args = new ArrayList<>();
    c.args().forEach(x -> args.add(expr(x)));
    String out = buffer(dest, c.callee(), shape);
    if (args.size() == 1) {
      return CodeBlock.of("$L.forward($L, $N)", module, args.get(0), out);
    }
    return CodeBlock.of("$L.$N($L, $N)", module, TypedForward.INPUTS_METHOD + "Into", CodeBlock.join(args, ", "), out);
  }

  /**
   * The buffer of attention's {@code (batch, heads, L, Ev)} result, stored heads-inner; when a
   * size is not known from the inputs (a reshape's {@code -1}: {@code head_dim}), sized from the
   * query and value fields it reads, once they exist.
   */
  private String attentionBuffer(Shape shape, List<CodeBlock> qkv) {
    try {
      ws.dims(shape);
      return ws.headsInnerBuffer("attentionOut", shape);
    } catch (Workspace.Unsupported unknownSize) {
      CodeBlock q = qkv.get(0);
      CodeBlock v = qkv.get(2);
      if (!shape.knownRank() || shape.rank() != 4 || ws.bufferOf(q.toString()) == null
          || ws.bufferOf(v.toString()) == null) {
        throw unknownSize;
      }
      return ws.lateBuffer("attentionOut", CodeBlock.of("$T.zeros($L.size(0), $L.size(2), $L.size(1), $L.size(3))"
          + ".transpose(1, 2)", RuntimeTypes.TENSOR, q, q, q, v), shape);
    }
  }

  /**
   * The buffer or view field that {@code code}, the Java of {@code e}, names: itself, or for
   * a variable naming one buffer, that buffer's field; else {@code code}.
   */
  private CodeBlock fieldOf(Expr e, CodeBlock code) {
    if (e instanceof Ast.Name n && ws.bufferOf(code.toString()) == null) {
      Set<String> at = points.getOrDefault(n.name(), Set.of());
      if (at.size() == 1 && ws.bufferOf(at.iterator().next()) != null) {
        return CodeBlock.of("$N", at.iterator().next());
      }
    }
    return code;
  }

  /** The buffers known to be contiguous: a reshape of any other would copy, so it has no view field. */
  private final Set<String> contiguous = new HashSet<>();

  /** The input of {@code e} when {@code e} is a view of it (a subscript, a reshape, a transpose, ...), else null. */
  private Expr viewOperand(Expr e) {
    if (ws == null) {
      return null;
    }
    if (e instanceof Ast.Subscript sub && !(typeOf(sub.target()) instanceof Type.TupleT)) {
      return sub.target();
    }
    if (e instanceof Ast.Call c && result.calls().get(c) != null && TensorOpsWriter.VIEWS.contains(c.callee())) {
      return (Expr) result.calls().get(c).get("input");
    }
    return null;
  }

  /**
   * A view of a buffer as a field made when the buffers are sized ({@code qView =
   * qOut.reshape(batch, seq, numAttentionHeads, -1).transpose(1, 2)}), so a warm forward makes
   * none; a view of an input or a variable naming several buffers is made at each call. Into
   * {@code dest}: a copy of the view.
   */
  private CodeBlock viewInto(Expr e, String dest) {
    Expr input = viewOperand(e);
    CodeBlock operand = fieldOf(input, expr(input));
    String base = ws.bufferOf(operand.toString());
    Map<String, Object> a = e instanceof Ast.Call c ? result.calls().get(c) : null;
    String callee = e instanceof Ast.Call c ? c.callee() : "subscript";
    boolean reshape = callee.equals("reshape") || callee.equals("view");
    if (base != null && reshape && !contiguous.contains(operand.toString())) {
      throw new Workspace.Unsupported("a reshape of a buffer that may not be contiguous");
    }
    CodeBlock view = tensorOps.viewOn(e, input, operand, a);
    CodeBlock code;
    boolean stays = reshape || callee.equals("unsqueeze") || callee.equals("squeeze")
        || e instanceof Ast.Subscript sub && sub.items().stream().allMatch(i -> i instanceof Ast.NoneLit
            || i instanceof Ast.Slice sl && sl.start() == null && sl.stop() == null && sl.step() == null);
    if (base == null && steps != null && input instanceof Ast.Name n && result.inputs().containsKey(n.name())
        && loops == 0 && depth == 0) {
      // A view of an input: made again only for another tensor; a strided one copied into a
      // buffer, so the layer reading it (a GEMM) needs no copy of its own.
      String[] field = ws.inputView(operand + "View");
      steps.beginControlFlow("if ($L != $N)", operand, field[1])
          .addStatement("$N = $L", field[0], view)
          .addStatement("$N = $L", field[1], operand)
          .endControlFlow();
      lastBuffer = field[0];
      code = CodeBlock.of("$N", field[0]);
      if (!stays && dest == null) {
        String copy = buffer(null, callee, ((Type.TensorT) typeOf(e)).shape());
        steps.add("$N.copyInto($N); // $L\n", field[0], copy, JavaText.shapeComment(((Type.TensorT) typeOf(e)).shape()));
        ws.tick();
        return CodeBlock.of("$N", copy);
      }
    } else if (base == null) {
      lastBuffer = operand.toString(); // an input's name, which no buffer has
      code = view;
    } else {
      String name = operand.toString().replaceAll("View\\d*$", "") + "View";
      lastBuffer = ws.view(name, operand.toString(), view, ((Type.TensorT) typeOf(e)).shape());
      if (stays && contiguous.contains(operand.toString())
          || callee.equals("transpose") && !contiguous.contains(operand.toString()) && headsInner(a, base)) {
        contiguous.add(lastBuffer);
      }
      code = CodeBlock.of("$N", lastBuffer);
    }
    if (dest != null) {
      lastBuffer = dest;
      return CodeBlock.of("$L.copyInto($N)", code, dest);
    }
    return code;
  }

  /** Whether {@code transpose(1, 2)} of the buffer {@code base} is its storage's order (attention's result). */
  private boolean headsInner(Map<String, Object> a, String base) {
    return a != null && ((Long) a.get("dim0") == 1 && (Long) a.get("dim1") == 2
        || (Long) a.get("dim0") == 2 && (Long) a.get("dim1") == 1) && ws.isHeadsInner(base);
  }

  /**
   * {@code return a, b, c} into the {@code Output} record the caller gave: each tensor written
   * into its component, in order.
   */
  private void returnTupleInto(CodeBlock.Builder b, Ast.Return r) {
    if (!(r.value() instanceof Ast.Tuple t) || t.items().stream().anyMatch(i -> !(typeOf(i) instanceof Type.TensorT))) {
      throw new Workspace.Unsupported("a nested or computed tuple result");
    }
    List<String> components = Tuples.components(result.block(), t.items().size());
    for (int i = 0; i < t.items().size(); i++) {
      Expr item = t.items().get(i);
      String dest = locals.newName(components.get(i) + "Out", new Object());
      steps = CodeBlock.builder();
      CodeBlock code = into(item, dest);
      b.addStatement("$T $N = $N.$N()", RuntimeTypes.TENSOR, dest, output(), components.get(i));
      b.add(flushSteps()).add("$L; // $L\n", code, JavaText.shapeComment(((Type.TensorT) typeOf(item)).shape()));
      ws.tick();
    }
    b.addStatement("return $N", output());
  }

  /**
   * The kind of the child {@code c} calls when the call is bound to the kind's {@linkplain
   * LayerKind#callParams call signature} (several arguments or keywords), else null.
   */
  private LayerKind boundKind(Ast.Call c) {
    if (result.calls().get(c) != null || !fields.containsKey(c.callee())) {
      return null;
    }
    for (Child child : result.block().children()) {
      if (child.name().equals(c.callee()) && child.use() instanceof BuiltinUse b && b.kind().callParams() != null
          && (c.args().size() != 1 || !c.kwargs().isEmpty() || !b.kind().oneTensorForm())) {
        return b.kind();
      }
    }
    return null;
  }

  /**
   * A bound layer call as Java, {@code attn.forward(q, k, v, null, false, AttentionMask.ofBool(m),
   * true)}: each mask wrapped as the runtime's float or bool mask; null when {@code c} is no
   * such call.
   */
  private CodeBlock layerCall(Ast.Call c) {
    LayerKind kind = boundKind(c);
    if (kind == null) {
      return null;
    }
    Map<String, Expr> bound = LayerCalls.bind(c.callee(), kind.callParams(), c, (loc, message) -> {
      throw new IllegalStateException(message); // inference reported it already
    });
    Map<String, CodeBlock> tensors = new LinkedHashMap<>();
    for (CallParam p : kind.callParams()) {
      Expr arg = bound.get(p.name());
      if (arg == null || p.kind() == CallParam.Kind.FLAG) {
        continue;
      }
      CodeBlock code = expr(arg);
      if (p.kind() == CallParam.Kind.MASK) {
        boolean bool = typeOf(arg) instanceof Type.TensorT t && t.dtype() == DType.BOOL;
        code = CodeBlock.of("$T.$N($L)", RuntimeTypes.ATTENTION_MASK, bool ? "ofBool" : "of", code);
      }
      tensors.put(p.name(), code);
    }
    return kind.call(CodeBlock.of("$N", fields.get(c.callee())), tensors, LayerCalls.flags(kind.callParams(), bound));
  }

  /** Whether {@code c} calls a child (a builtin, not lazy) that runs an activation in its epilogue. */
  private boolean fusesActivation(Ast.Call c) {
    if (result.calls().get(c) != null || !fields.containsKey(c.callee())) {
      return false;
    }
    for (Child child : result.block().children()) {
      if (child.name().equals(c.callee()) && child.use() instanceof BuiltinUse b
          && b.kind().fusesActivation()) {
        return !result.lazy(b);
      }
    }
    return false;
  }

  private static TypeName javaType(Type t) {
    if (t instanceof Type.TensorT) {
      return RuntimeTypes.TENSOR;
    }
    if (t instanceof Type.BoolT) {
      return TypeName.BOOLEAN;
    }
    return TypeName.FLOAT;
  }

  private Type typeOf(Expr e) {
    Type t = virtual.containsKey(e) ? virtual.get(e) : result.types().get(e);
    return t == null ? new Type.TensorT(Shape.ANY) : t;
  }

  /** A Java boolean expression for a {@code while}/{@code if} condition. */
  private CodeBlock condition(Expr e) {
    if (onArgsOnly(e)) {
      return CodeBlock.of("$L", ArgCondition.toJava(e, fields::get)); // stride != 1 || inPlanes != planes
    }
    Type t = typeOf(e);
    if (e instanceof Ast.Binary b && (b.op().equals("and") || b.op().equals("or"))) {
      return CodeBlock.of("$L $L $L", condition(b.left()), b.op().equals("and") ? "&&" : "||", condition(b.right()));
    }
    if (e instanceof Ast.Unary u && u.op().equals("not")) {
      return CodeBlock.of("!($L)", condition(u.operand()));
    }
    if (e instanceof Ast.Binary b && JAVA_COMPARISONS.containsKey(b.op())) {
      return CodeBlock.of("$L $L $L", scalar(b.left()), JAVA_COMPARISONS.get(b.op()), scalar(b.right()));
    }
    if (t instanceof Type.BoolT) {
      return expr(e);
    }
    return CodeBlock.of("$L != 0f", scalar(e));
  }

  /**
   * Whether {@code e} is a true-or-false test of the block's arguments alone ({@code stride != 1
   * or in_planes != planes}), written in Java on their fields as they are typed.
   */
  private boolean onArgsOnly(Expr e) {
    Set<String> args = result.block().args().keySet();
    if (e instanceof Ast.Binary b && JAVA_COMPARISONS.containsKey(b.op())) {
      return ArgCondition.notOnArgs(b, args) == null;
    }
    if (e instanceof Ast.Binary b && (b.op().equals("and") || b.op().equals("or"))) {
      return onArgsOnly(b.left()) && onArgsOnly(b.right());
    }
    if (e instanceof Ast.Unary u && u.op().equals("not")) {
      return onArgsOnly(u.operand());
    }
    return e instanceof Ast.Name n && result.block().args().get(n.name()) != null
        && result.block().args().get(n.name()).type() == ArgType.BOOL;
  }

  /** A Java float for a scalar tensor or a number. */
  private CodeBlock scalar(Expr e) {
    if (ws != null && e instanceof Ast.Call c && result.calls().get(c) != null
        && (c.callee().equals("sum") || c.callee().equals("mean"))
        && !(result.calls().get(c).get("dim") instanceof Long)) {
      return CodeBlock.of("$L.$N()", arg(result.calls().get(c), "input"), c.callee() + "AsFloat");
    }
    return typeOf(e) instanceof Type.TensorT ? CodeBlock.of("$L.item()", expr(e)) : expr(e);
  }

  /** Java's operator for each comparison (constants, so no spec text reaches the source). */
  private static final Map<String, String> JAVA_COMPARISONS = Map.of(
      "<", "<", ">", ">", "<=", "<=", ">=", ">=", "==", "==", "!=", "!=");

  /** The Java expression of {@code e}. */
  CodeBlock expr(Expr e) {
    if (ws != null && !(e instanceof Ast.Name) && typeOf(e) instanceof Type.TensorT) {
      return nested(e);
    }
    if (e instanceof Ast.Num n) {
      return CodeBlock.of("$L", JavaText.floatLiteral(n.value()));
    }
    if (e instanceof Ast.Bool bo) {
      return CodeBlock.of("$L", bo.value());
    }
    if (e instanceof Ast.Name n && fields.get(n.name()) == null && !allocated.contains(n.name())
        && sizeDims.containsKey(n.name())) {
      return intName(n.name());
    }
    if (e instanceof Ast.Subscript sub && typeOf(sub.target()) instanceof Type.TupleT
        && sub.target() instanceof Ast.Call c) { // attn(q, k, v)[0], lstm(x)[0]: a flat tuple's item
      int i = LayerCalls.literalIndex(sub.items().get(0));
      Tuples.Call child = tupleChildren.get(c.callee());
      List<String> accessors = child.accessors();
      CodeBlock call = layerCall(c);
      if (call == null) {
        List<CodeBlock> args = new ArrayList<>();
        c.args().forEach(a -> args.add(expr(a)));
        call = CodeBlock.of("$N.$N($L)", fields.get(c.callee()), child.method(), CodeBlock.join(args, ", "));
      }
      return CodeBlock.of("$L.$N()", call, accessors.get(i < 0 ? i + accessors.size() : i));
    }
    if (e instanceof Ast.Subscript sub) {
      return tensorOps.subscript(sub);
    }
    if (e instanceof Ast.Name n) {
      String field = fields.get(n.name());
      if (field != null && !allocated.contains(n.name())) {
        if (params.contains(n.name())) {
          return CodeBlock.of("$N.data()", field);
        }
        Arg arg = result.block().args().get(n.name());
        // Float arguments are doubles in the constructor; tensor arithmetic is float32.
        return arg != null && arg.type() == ArgType.FLOAT ? CodeBlock.of("(float) $N", field) : CodeBlock.of("$N", field);
      }
      if (ws != null) {
        points.getOrDefault(n.name(), Set.of()).forEach(this::readByStep);
      }
      return CodeBlock.of("$N", local(n.name()));
    }
    if (e instanceof Ast.Unary u) {
      if (u.op().equals("not")) {
        return CodeBlock.of("!($L)", condition(u.operand()));
      }
      return typeOf(u.operand()) instanceof Type.TensorT
          ? CodeBlock.of("$L.neg()", expr(u.operand())) : CodeBlock.of("-$L", expr(u.operand()));
    }
    if (e instanceof Ast.Binary b) {
      if (b.op().equals("and") || b.op().equals("or") || typeOf(b) instanceof Type.BoolT) {
        return CodeBlock.of("($L)", condition(b));
      }
      return binaryCode(b, typeOf(b.left()), typeOf(b.right()));
    }
    if (e instanceof Ast.Attr a) {
      Shape s = typeOf(a.target()).shapeOrNull();
      return s != null && s.knownRank() && s.rank() == 2
          ? CodeBlock.of("$L.t()", expr(a.target())) : expr(a.target());
    }
    if (e instanceof Ast.Call c) {
      return call(c);
    }
    if (e instanceof Ast.Method m && modules != null && m.target() instanceof Ast.Subscript sub) { // h[-1](x)
      return childCall(CodeBlock.of("$L.get($L)", modules.access(ModulePaths.of(sub.target())),
          LayerCalls.literalIndex(sub.items().get(0))), m.call());
    }
    if (e instanceof Ast.Method m && modules != null) { // transformer.wte(idx)
      List<String> path = ModulePaths.of(m.target());
      path.add(m.call().callee());
      return childCall(modules.access(path), m.call());
    }
    throw new IllegalStateException("a tuple outside a call argument");
  }

  /**
   * A call of a child with a tensor result: {@code fc.forward(x)}, or for a block with several
   * inputs {@code attention.forwardInputs(h, mask)} (tuple results are unpacked elsewhere).
   */
  private CodeBlock childCall(CodeBlock module, Ast.Call c) {
    if (c.args().size() == 1) {
      return CodeBlock.of("$L.forward($L)", module, expr(c.args().get(0)));
    }
    List<CodeBlock> args = new ArrayList<>();
    c.args().forEach(x -> args.add(expr(x)));
    return CodeBlock.of("$L.$N($L)", module, TypedForward.INPUTS_METHOD, CodeBlock.join(args, ", "));
  }

  private static final Map<String, String> JAVA_ARITHMETIC = Map.of(
      "+", "+", "-", "-", "*", "*", "/", "/", "<", "<", ">", ">", "<=", "<=", ">=", ">=", "==", "==",
      "!=", "!=");

  private static final Map<String, String> METHODS = Map.of(
      "+", "add", "-", "sub", "*", "mul", "/", "div", "**", "pow",
      "<", "lt", ">", "gt", "<=", "le", ">=", "ge", "==", "eq");

  private CodeBlock binaryCode(Ast.Binary b, Type lt, Type rt) {
    String op = b.op();
    boolean lTensor = lt instanceof Type.TensorT;
    boolean rTensor = rt instanceof Type.TensorT;
    CodeBlock l = expr(b.left());
    CodeBlock r = expr(b.right());
    if (op.equals("@")) {
      return CodeBlock.of("$L.matmul($L)", l, r);
    }
    String method = op.equals("!=") ? "ne" : METHODS.get(op);
    if (!lTensor && !rTensor) {
      if (op.equals("**")) {
        return CodeBlock.of("(float) Math.pow($L, $L)", l, r);
      }
      return CodeBlock.of("($L $L $L)", l, JAVA_ARITHMETIC.get(op), r);
    }
    if (lTensor) {
      return CodeBlock.of("$L.$N($L)", l, method, r);
    }
    // number op tensor: commutative ops flip, comparisons mirror, the rest lift the number.
    switch (op) {
      case "+": case "*": case "==": case "!=":
        return CodeBlock.of("$L.$N($L)", r, method, l);
      case "<": return CodeBlock.of("$L.gt($L)", r, l);
      case ">": return CodeBlock.of("$L.lt($L)", r, l);
      case "<=": return CodeBlock.of("$L.ge($L)", r, l);
      case ">=": return CodeBlock.of("$L.le($L)", r, l);
      default:
        return CodeBlock.of("$T.scalar($L).$N($L)", RuntimeTypes.TENSOR, l, method, r);
    }
  }

  private CodeBlock call(Ast.Call c) {
    if (loopVars.containsKey(c.callee())) {
      return childCall(CodeBlock.of("$N", loopVars.get(c.callee())), c);
    }
    String child = fields.get(c.callee());
    Map<String, Object> a = result.calls().get(c);
    CodeBlock bound = a == null && child != null ? layerCall(c) : null;
    if (bound != null) {
      return bound;
    }
    if (a == null && child != null) {
      return childCall(CodeBlock.of("$N", child), c);
    }
    Functions.Fn fn = Functions.get(c.callee());
    switch (fn.kind()) {
      case TENSOR_OP:
        return tensorOps.call(c.callee(), a);
      case LOSS:
        return LossWriter.call(c.callee(), a, this::expr);
      case ELEMENTWISE:
        if ("tanh".equals(a.get("approximate"))) {
          return CodeBlock.of("$T.gelu($L, $S)", RuntimeTypes.FUNCTIONAL, arg(a, "input"), "tanh");
        }
        return CodeBlock.of("$L.$N()", arg(a, "input"), c.callee());
      case POW:
        return CodeBlock.of("$L.pow($L)", arg(a, "input"), arg(a, "exponent"));
      case REDUCE:
        if (!(a.get("dim") instanceof Long)) {
          return CodeBlock.of("$L.$N()", arg(a, "input"), c.callee());
        }
        return CodeBlock.of("$L.$N($L, $L)", arg(a, "input"), c.callee(), intOf(a.get("dim")), a.get("keepdim"));
      case SOFTMAX:
        return CodeBlock.of("$L.$N($L)", arg(a, "input"), c.callee().equals("softmax") ? "softmax" : "logSoftmax",
            intOf(a.get("dim")));
      case TRANSPOSE:
        return CodeBlock.of("$L.transpose($L, $L)", arg(a, "input"), intOf(a.get("dim0")), intOf(a.get("dim1")));
      case FLATTEN:
        return CodeBlock.of("$L.flatten($L, $L)", arg(a, "input"), intOf(a.get("start_dim")), intOf(a.get("end_dim")));
      case MATMUL:
        return CodeBlock.of("$L.matmul($L)", arg(a, "input"), arg(a, "other"));
      case CONCAT: {
        List<CodeBlock> parts = new ArrayList<>();
        for (Expr item : ((Ast.Tuple) a.get("tensors")).items()) {
          parts.add(expr(item));
        }
        return CodeBlock.of("$T.concat($T.of($L), $L)", RuntimeTypes.TENSOR, RuntimeTypes.LIST,
            CodeBlock.join(parts, ", "), intOf(a.get("dim")));
      }
      case POOL:
        return pool(c.callee(), a);
      case ADAPTIVE_POOL: {
        String method = c.callee().endsWith("1d") ? "adaptiveAvgPool1d" : "adaptiveAvgPool2d";
        return CodeBlock.of("$T.$N($L, $L)", RuntimeTypes.FUNCTIONAL, method, arg(a, "input"),
            intList((List<?>) a.get("output_size")));
      }
      default:
        throw new IllegalStateException("unsupported function " + fn.name());
    }
  }

  /**
   * {@code max_pool2d(x, 2)} as {@code Functional.maxPool2d(x, 2)}; other sizes as the
   * runtime's full form ({@code int[]} per size in 2-D, ints in 1-D).
   */
  private CodeBlock pool(String callee, Map<String, Object> a) {
    boolean max = callee.startsWith("max");
    boolean twoD = callee.endsWith("2d");
    String method = (max ? "maxPool" : "avgPool") + (twoD ? "2d" : "1d");
    CodeBlock in = arg(a, "input");
    @SuppressWarnings("unchecked")
    List<Long> kernel = (List<Long>) a.get("kernel_size");
    Object stride = a.get("stride");
    @SuppressWarnings("unchecked")
    List<Long> padding = (List<Long>) a.get("padding");
    boolean noPadding = padding.stream().allMatch(p -> p == 0);
    if (twoD && kernel.size() == 1 && stride == Functions.NONE && noPadding) {
      return CodeBlock.of("$T.$N($L, $L)", RuntimeTypes.FUNCTIONAL, method, in, kernel.get(0).intValue());
    }
    if (twoD) {
      CodeBlock s = stride instanceof List<?> l ? ints(l) : CodeBlock.of("null");
      CodeBlock rest = max ? CodeBlock.of("new int[] {1}, false") : CodeBlock.of("false, true, null");
      return CodeBlock.of("$T.$N($L, $L, $L, $L, $L)", RuntimeTypes.FUNCTIONAL, method, in, ints(kernel), s,
          ints(padding), rest);
    }
    int k = kernel.get(0).intValue();
    int s = stride instanceof List<?> l ? ((Long) l.get(0)).intValue() : k;
    CodeBlock rest = max ? CodeBlock.of("1, false") : CodeBlock.of("false, true");
    return CodeBlock.of("$T.$N($L, $L, $L, $L, $L)", RuntimeTypes.FUNCTIONAL, method, in, k, s,
        padding.get(0).intValue(), rest);
  }

  /** Constant sizes as an {@code int[]} literal: {@code new int[] {2, 1}}. */
  private static CodeBlock ints(List<?> values) {
    return CodeBlock.of("new int[] {$L}", intList(values));
  }

  /** Constant sizes as Java int arguments: {@code 2, 1}. */
  private static CodeBlock intList(List<?> values) {
    List<CodeBlock> parts = new ArrayList<>();
    values.forEach(v -> parts.add(CodeBlock.of("$L", ((Long) v).intValue())));
    return CodeBlock.join(parts, ", ");
  }

  private CodeBlock arg(Map<String, Object> a, String name) {
    return expr((Expr) a.get(name));
  }

  private static int intOf(Object v) {
    return ((Long) v).intValue();
  }
}
