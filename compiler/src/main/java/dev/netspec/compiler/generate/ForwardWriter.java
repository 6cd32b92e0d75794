package dev.netspec.compiler.generate;

import static dev.netspec.compiler.generate.FunctionWriter.intOf;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.NameAllocator;
import com.palantir.javapoet.TypeName;
import dev.netspec.compiler.check.Model.Arg;
import dev.netspec.compiler.check.Model.ArgType;
import dev.netspec.compiler.check.Model.SameAs;
import dev.netspec.compiler.infer.ArgCondition;
import dev.netspec.compiler.infer.DType;
import dev.netspec.compiler.infer.Assignments;
import dev.netspec.compiler.infer.Dim;
import dev.netspec.compiler.infer.Functions;
import dev.netspec.compiler.infer.Inference.Result;
import dev.netspec.compiler.infer.LayerCalls;
import dev.netspec.compiler.infer.ModulePaths;
import dev.netspec.compiler.infer.Shape;
import dev.netspec.compiler.infer.SizeSymbols;
import dev.netspec.compiler.infer.Type;
import dev.netspec.compiler.layers.LayerKind;
import dev.netspec.compiler.parse.Ast;
import dev.netspec.compiler.parse.Ast.Expr;
import dev.netspec.compiler.parse.Mentions;
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
 *
 * <p>Its parts, beside it: {@link FunctionWriter} (builtin functions and operators), {@link
 * ChildCallWriter} (calls of the block's children), {@link ConditionWriter} ({@code if} and
 * {@code while} tests), {@link ViewWriter} (views of buffers) and {@link TupleWriter} (tuples).
 * The last two share the state of the statement being written: the package-private fields.
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
  int loops;
  /**
   * The steps nested in the statement being written, each a statement of its own (null in a
   * condition, which must run whole at every test).
   */
  CodeBlock.Builder steps;
  /** The buffer of the step written last. */
  String lastBuffer;
  /** The input dim of each size symbol ({@code seq} is {@code x.size(1)}). */
  private final Map<String, SizeSymbols.Source> sizeDims;
  /** The local {@code int} of each size symbol read so far, declared at the top of the body. */
  private final Map<String, String> sizeLocals = new LinkedHashMap<>();
  private final TensorOpsWriter tensorOps;
  private final FunctionWriter functions;
  private final ChildCallWriter children;
  private final ConditionWriter conditions;
  private final ViewWriter views;
  private final TupleWriter tuples;
  /**
   * Variables whose assignment waits for their one use, which runs it as a layer's epilogue
   * (see {@link #defer}): the value standing for each.
   */
  private final Map<String, Expr> deferred = new HashMap<>();
  /** The argument values of the instance written, or null for the class's code. */
  private Map<String, Object> instanceArgs;
  /** How many {@code if}/{@code while} bodies enclose the statement being written. */
  int depth;
  /** The buffers each variable may name here (several after an {@code if}), for their liveness. */
  Map<String, Set<String>> points = new HashMap<>();
  /** For each step being written, innermost first, the buffers it reads. */
  private final Deque<Set<String>> operands = new ArrayDeque<>();
  /** The containers' Java access paths, or null when the block has none. */
  private Modules modules;
  /** The attention masks passed to layers, held in fields (allocation-free forward only). */
  private final MaskFields masks;
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
    this.functions = new FunctionWriter(this::expr, tensorOps);
    this.children = new ChildCallWriter(result, fields, this::expr, this::typeOf);
    this.views = new ViewWriter(this, result, ws, tensorOps);
    this.tuples = new TupleWriter(this, result, fields, locals, ws, children);
    this.conditions = new ConditionWriter(result, fields, this::expr, this::typeOf, ws != null);
    this.masks = ws == null ? null : new MaskFields(ws, () -> steps);
  }

  /** How the allocation-free forward passes attention masks: fields wrapped again only for another tensor. */
  MaskFields masks() {
    return masks;
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

  /** Sets how each child whose result is a tuple is called (its record type and accessors). */
  void tupleChildren(Map<String, Tuples.Call> calls) {
    tuples.calls(calls);
  }

  String local(String name) {
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
      later = stmts.subList(i + 1, stmts.size());
      statement(b, stmts.get(i), declared);
    }
  }

  /** The statements after the one being written, at its level. */
  private List<Stmt> later = List.of();

  /**
   * Whether a statement after the one being written may read {@code name}: false only at the
   * top level of the forward when none mentions it ({@code features, rest = split(...)} with
   * {@code rest} unused then computes no {@code rest}).
   */
  boolean readLater(String name) {
    return loops > 0 || depth > 0
        || later.stream().anyMatch(s -> Mentions.of(s).contains(name) || Mentions.of(s).contains(Mentions.ANY));
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
    LayerKind kind = children.kindOf(c);
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
      return children.kindOf(c);
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

  private void statement(CodeBlock.Builder b, Stmt s, Map<String, Type> declared) {
    if (s instanceof Ast.Unpack u && ws != null) {
      tuples.unpackInto(b, u, declared);
      return;
    }
    if (s instanceof Ast.Return r && typeOf(r.value()) instanceof Type.TupleT && ws != null) {
      tuples.returnInto(b, r);
      return;
    }
    if (s instanceof Ast.Unpack u) {
      tuples.unpack(b, u, declared);
      return;
    }
    if (s instanceof Ast.Return r && typeOf(r.value()) instanceof Type.TupleT) {
      tuples.returnNew(b, r);
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
      if (ws != null) { // by index: a for-each would allocate the list's iterator at every call
        String i = locals.newName(name + "Index", new Object());
        b.beginControlFlow("for (int $N = 0; $N < $L.size(); $N++)", i, i, modules.access(path), i);
        b.addStatement("$T $N = $L.get($N)", modules.itemType(path), name, modules.access(path), i);
      } else {
        b.beginControlFlow("for ($T $N : $L)", modules.itemType(path), name, modules.access(path));
      }
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
        value = functions.binary(virtual, old, valueType);
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
      b.beginControlFlow("while ($L)", conditions.condition(w.condition()));
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
    } else if (s instanceof Ast.If f && conditions.onArgsOnly(f.condition()) && decided(f) != null) {
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
      CodeBlock test = conditions.condition(f.condition());
      b.beginControlFlow("if ($L)", test);
      depth++;
      Map<String, Set<String>> before = copy(points);
      Map<String, Set<String>> after = new HashMap<>();
      boolean onArgs = ws != null && conditions.onArgsOnly(f.condition());
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
        b.nextControlFlow("else if ($L)", conditions.condition(elif.condition()));
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
      String base = bufferBase(value);
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

  /** The name a step's buffers are named after: the function or child, the list of {@code blocks[0](x)}. */
  private static String bufferBase(Expr value) {
    if (value instanceof Ast.Method m && m.target() instanceof Ast.Subscript sub) {
      List<String> path = ModulePaths.of(sub.target());
      return path.get(path.size() - 1); // blocksOut, as outside a loop
    }
    return value instanceof Ast.Call c ? c.callee() : value instanceof Ast.Method m ? m.call().callee() : "step";
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

  CodeBlock flushSteps() {
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
          && !(a.get("input") instanceof Ast.Call inner && children.fusesActivation(inner)); // fused: a layer
    }
    return e instanceof Ast.Unary;
  }

  /** Whether one of the direct operands of {@code e} is the variable {@code name}. */
  private boolean reads(Expr e, String name) {
    List<Expr> operands = e instanceof Ast.Binary b ? List.of(b.left(), b.right())
        : e instanceof Ast.Call c ? c.args() : e instanceof Ast.Method m ? m.call().args() // h[0](x), t.ln(x)
        : e instanceof Ast.Unary u ? List.of(u.operand()) : List.of();
    if (e instanceof Ast.Call c && c.args().size() == 1 && c.args().get(0) instanceof Ast.Call inner
        && children.fusesActivation(inner)) {
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
  CodeBlock into(Expr e, String dest) {
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
    if (views.viewOperand(e) != null) {
      return views.viewInto(e, dest);
    }
    if (e instanceof Ast.Subscript sub && sub.target() instanceof Ast.Call c && children.boundKind(c) != null
        && typeOf(sub.target()) instanceof Type.TupleT && Integer.valueOf(0).equals(LayerCalls.literalIndex(sub.items().get(0)))) { // attn(q, k, v, ...)[0]
      CodeBlock code = children.layerCallInto(c, masks, () -> CodeBlock.of("$N", buffer(dest, c.callee(), shape)));
      if (code != null) {
        return code;
      }
    }
    if (e instanceof Ast.Method m && modules != null && m.target() instanceof Ast.Subscript sub) { // h[-1](x)
      List<String> path = ModulePaths.of(sub.target());
      return childInto(CodeBlock.of("$L.get($L)", modules.access(path), LayerCalls.literalIndex(sub.items().get(0))),
          m.call(), dest, shape, path.get(path.size() - 1));
    }
    if (e instanceof Ast.Method m && modules != null) {
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

  /**
   * The buffer or view field that tensor {@code e}, written as {@code code} ({@link #expr}),
   * names; {@link Workspace.Unsupported} when it names none (an input, several buffers).
   */
  String bufferField(Expr e, CodeBlock code) {
    CodeBlock field = views.fieldOf(e, code);
    if (ws.bufferOf(field.toString()) == null) {
      throw new Workspace.Unsupported("a view of a value that is not one buffer");
    }
    return field.toString();
  }

  /**
   * A view field of the buffer {@code base} made when the buffers are sized by {@code code};
   * {@code contiguous} when its elements are dense in its shape's order.
   */
  String viewField(String name, String base, CodeBlock code, Shape shape, boolean contiguous) {
    String field = ws.view(name, base, code, shape);
    if (contiguous) {
      views.contiguous(field);
    }
    return field;
  }

  /** Whether the buffer or view field {@code field} is known to be contiguous. */
  boolean isContiguous(String field) {
    return views.isContiguous(field);
  }

  /** A new buffer of the workspace named {@code name}, written whole by the step being written. */
  String freshBuffer(String name, Shape shape) {
    String field = ws.buffer(name, shape);
    views.contiguous(field);
    return field;
  }

  String buffer(String dest, String base, Shape shape) {
    lastBuffer = dest != null ? dest : ws.buffer(base + "Out", shape);
    views.contiguous(lastBuffer);
    return lastBuffer;
  }

  /** A step nested in a statement: its own statement before it, if allowed, then its buffer. */
  private CodeBlock nested(Expr e) {
    CodeBlock code = into(e, null);
    if (views.viewOperand(e) != null) { // a view field, or a view of an input made here: no step of its own
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
  /** The comparisons with a number, by operator: the runtime's {@code Out} method. */
  private static final Map<String, String> COMPARE = Map.of("==", "eq", "!=", "ne", "<", "lt", "<=", "le", ">", "gt",
      ">=", "ge");

  /** The comparison with its operands swapped: {@code a < b} is {@code b > a}. */
  private static final Map<String, String> FLIPPED = Map.of("==", "==", "!=", "!=", "<", ">", "<=", ">=", ">", "<",
      ">=", "<=");

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
    String compare = COMPARE.get(b.op());
    if (compare != null && lTensor) { // a mask: float32 0 and 1, from a number or a broadcast tensor
      return CodeBlock.of("$T.$N($L, $L, $N)", TensorOpsWriter.OUT, compare, l, r, buffer(dest, compare, shape));
    }
    if (compare != null && rTensor) { // 2 < x is x > 2
      String flipped = COMPARE.get(FLIPPED.get(b.op()));
      return CodeBlock.of("$T.$N($L, $L, $N)", TensorOpsWriter.OUT, flipped, r, l, buffer(dest, flipped, shape));
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
    if (a == null && child != null && children.boundKind(c) != null) {
      CodeBlock code = children.layerCallInto(c, masks, () -> CodeBlock.of("$N", buffer(dest, c.callee(), shape)));
      if (code == null) {
        throw new Workspace.Unsupported("a layer call with several arguments");
      }
      return code;
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
            qkv.add(views.fieldOf((Expr) a.get(p), arg(a, p)));
          }
          String out = dest != null ? dest : views.attentionBuffer(shape, qkv);
          lastBuffer = out;
          views.notContiguous(out); // (batch, L, heads, Ev) seen as (batch, heads, L, Ev)
          code = tensorOps.attentionInto(a, qkv, CodeBlock.of("$N", out));
        } else if (TensorOpsWriter.MASKS.containsKey(c.callee())) {
          List<CodeBlock> operands = new ArrayList<>(); // each operand's own steps before this one
          TensorOpsWriter.MASKS.get(c.callee()).forEach(p -> operands.add(arg(a, p)));
          String out = ((Type.TensorT) typeOf(c)).dtype() == DType.INT64 && dest == null
              ? ws.int64Buffer(JavaText.lowerCamel(c.callee()) + "Out", shape)
              : buffer(dest, JavaText.lowerCamel(c.callee()), shape);
          lastBuffer = out;
          views.contiguous(out);
          code = TensorOpsWriter.maskInto(c.callee(), operands, a, CodeBlock.of("$N", out));
        } else if (c.callee().equals("contiguous")) { // a strided view copied in row-major order
          CodeBlock in = arg(a, "input");
          code = CodeBlock.of("$L.copyInto($N)", in, buffer(dest, "contiguous", shape));
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
        if ("tanh".equals(a.get("approximate"))) { // the tensor's geluInto is the exact GELU
          CodeBlock in = arg(a, "input");
          return CodeBlock.of("$T.geluInto($L, $S, $N)", RuntimeTypes.FUNCTIONAL, in, "tanh", buffer(dest, "gelu", shape));
        }
        if (c.callee().equals("relu") && input instanceof Ast.Call inner && children.fusesActivation(inner)) {
          // relu(linear(x)): one pass, the ReLU in the GEMM's epilogue.
          CodeBlock in = expr(inner.args().get(0));
          return CodeBlock.of("$N.forwardInto($L, $T.RELU, $N)", fields.get(inner.callee()), in,
              RuntimeTypes.ACTIVATION, buffer(dest, c.callee(), shape));
        }
        CodeBlock in = arg(a, "input");
        String out = buffer(dest, JavaText.lowerCamel(c.callee()), shape);
        CodeBlock functional = FunctionWriter.functional(c.callee(), a, in, CodeBlock.of("$N", out));
        return functional != null ? functional : CodeBlock.of("$L.$N($N)", in, c.callee() + "Into", out);
      }
      case POW:
        if (!(typeOf((Expr) a.get("exponent")) instanceof Type.TensorT)) {
          CodeBlock in = arg(a, "input");
          return CodeBlock.of("$L.powInto($L, $N)", in, arg(a, "exponent"), buffer(dest, "pow", shape));
        }
        break;
      case REDUCE:
        if (!(a.get("dim") instanceof Long) && !c.callee().equals("max")) {
          CodeBlock value = conditions.scalar(c);
          return CodeBlock.of("$N.fill_($L)", buffer(dest, c.callee(), shape), value);
        }
        if (c.callee().equals("sum") || c.callee().equals("mean")) {
          CodeBlock in = arg(a, "input");
          return CodeBlock.of("$T.$N($L, $L, $L, $N)", TensorOpsWriter.OUT, c.callee(), in, intOf(a.get("dim")),
              a.get("keepdim"), buffer(dest, c.callee(), shape));
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
      case CONCAT:
      case STACK:
        return concatInto(a, fn.kind() == Functions.Kind.STACK, dest, shape);
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
   * {@code concat([a, b], dim)} into {@code dest} (null: a new buffer): each part placed in
   * turn at the sum of the sizes before it ({@code Out.place(a, 2, 0, concatOut)}), the last
   * placement the step; {@code stack([a, b], dim)} ({@code stack}) places part {@code i} at
   * index {@code i} of the new dim ({@code Out.placeAt(a, 1, 0, stackOut)}).
   */
  private CodeBlock concatInto(Map<String, Object> a, boolean stack, String dest, Shape shape) {
    String what = stack ? "stack" : "concat";
    if (steps == null || !shape.knownRank()) {
      throw new Workspace.Unsupported("a " + what + " inside a condition");
    }
    List<Expr> items = ((Ast.Tuple) a.get("tensors")).items();
    int dim = (int) (long) (Long) a.get("dim");
    int d = dim < 0 ? dim + shape.rank() : dim;
    List<CodeBlock> parts = new ArrayList<>();
    for (Expr item : items) {
      parts.add(expr(item));
    }
    String out = buffer(dest, what, shape);
    List<Dim> before = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      CodeBlock place = stack ? CodeBlock.of("$T.placeAt($L, $L, $L, $N)", TensorOpsWriter.OUT, parts.get(i), d, i, out)
          : CodeBlock.of("$T.place($L, $L, $L, $N)", TensorOpsWriter.OUT, parts.get(i), d, sumOf(before), out);
      if (i == items.size() - 1) {
        lastBuffer = out;
        return place;
      }
      steps.add("$L;\n", place);
      if (!stack) {
        before.add(((Type.TensorT) typeOf(items.get(i))).shape().dim(d));
      }
    }
    throw new Workspace.Unsupported("a " + what + " of no tensors");
  }

  /** The Java int of the sum of {@code sizes}: the known ones added up, then each symbolic one. */
  CodeBlock sumOf(List<Dim> sizes) {
    long known = 0;
    List<CodeBlock> terms = new ArrayList<>();
    for (Dim size : sizes) {
      if (size instanceof Dim.Known k) {
        known += k.size();
      } else {
        terms.add(ws.dims(new Shape(List.of(size))));
      }
    }
    if (known != 0 || terms.isEmpty()) {
      terms.add(CodeBlock.of("$L", known));
    }
    return CodeBlock.join(terms, " + ");
  }

  /**
   * A block's or layer's call into a buffer: {@code fc.forward(x, fcOut)}, or for a block with
   * several inputs {@code attention.forwardInputsInto(h, mask, attentionOut)} (a child whose
   * result is a tuple has no such form here).
   */
  private CodeBlock childInto(CodeBlock module, Ast.Call c, String dest, Shape shape) {
    return childInto(module, c, dest, shape, c.callee());
  }

  /** {@link #childInto} with its buffer named after {@code name} ({@code hOut} for {@code h[0](x)}). */
  private CodeBlock childInto(CodeBlock module, Ast.Call c, String dest, Shape shape, String name) {
    if (tuples.returnsTuple(c.callee()) || !c.kwargs().isEmpty()) {
      throw new Workspace.Unsupported("a call of a child with a tuple result or keywords");
    }
    Ast.Binary sum = residualSum(c, shape);
    if (sum != null) { // LayerNorm(x + residual): the add in the norm's pass
      CodeBlock l = expr(sum.left());
      CodeBlock r = expr(sum.right());
      return CodeBlock.of("$L.forwardResidual($L, $L, $N)", module, l, r, buffer(dest, c.callee(), shape));
    }
    List<CodeBlock> args = new ArrayList<>();
    c.args().forEach(x -> args.add(expr(x)));
    String out = buffer(dest, name, shape);
    if (args.size() == 1) {
      return CodeBlock.of("$L.forward($L, $N)", module, args.get(0), out);
    }
    return CodeBlock.of("$L.$N($L, $N)", module, TypedForward.INPUTS_METHOD + "Into", CodeBlock.join(args, ", "), out);
  }

  /**
   * The sum {@code a + b} that {@code c}, a call of a layer that {@linkplain
   * LayerKind#normalizesSum normalizes a sum}, takes as its one argument, both tensors of the
   * call's shape (no broadcast); else null.
   */
  private Ast.Binary residualSum(Ast.Call c, Shape shape) {
    LayerKind kind = children.kindOf(c);
    if (kind == null || !kind.normalizesSum() || c.args().size() != 1
        || !(c.args().get(0) instanceof Ast.Binary b) || !b.op().equals("+")) {
      return null;
    }
    return typeOf(b.left()) instanceof Type.TensorT l && l.shape().equals(shape)
        && typeOf(b.right()) instanceof Type.TensorT r && r.shape().equals(shape) ? b : null;
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

  Type typeOf(Expr e) {
    Type t = virtual.containsKey(e) ? virtual.get(e) : result.types().get(e);
    return t == null ? new Type.TensorT(Shape.ANY) : t;
  }

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
      return tuples.item(sub, c);
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
        return CodeBlock.of("!($L)", conditions.condition(u.operand()));
      }
      return typeOf(u.operand()) instanceof Type.TensorT
          ? CodeBlock.of("$L.neg()", expr(u.operand())) : CodeBlock.of("-$L", expr(u.operand()));
    }
    if (e instanceof Ast.Binary b) {
      if (b.op().equals("and") || b.op().equals("or") || typeOf(b) instanceof Type.BoolT) {
        return CodeBlock.of("($L)", conditions.condition(b));
      }
      return functions.binary(b, typeOf(b.left()), typeOf(b.right()));
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
      return children.childCall(CodeBlock.of("$L.get($L)", modules.access(ModulePaths.of(sub.target())),
          LayerCalls.literalIndex(sub.items().get(0))), m.call());
    }
    if (e instanceof Ast.Method m && modules != null) { // transformer.wte(idx)
      List<String> path = ModulePaths.of(m.target());
      path.add(m.call().callee());
      return children.childCall(modules.access(path), m.call());
    }
    throw new IllegalStateException("a tuple outside a call argument");
  }

  private CodeBlock call(Ast.Call c) {
    if (loopVars.containsKey(c.callee())) {
      return children.childCall(CodeBlock.of("$N", loopVars.get(c.callee())), c);
    }
    String child = fields.get(c.callee());
    Map<String, Object> a = result.calls().get(c);
    CodeBlock bound = a == null && child != null ? children.layerCall(c) : null;
    if (bound != null) {
      return bound;
    }
    if (a == null && child != null) {
      return children.childCall(CodeBlock.of("$N", child), c);
    }
    return functions.call(c, a);
  }

  private CodeBlock arg(Map<String, Object> a, String name) {
    return expr((Expr) a.get(name));
  }
}
