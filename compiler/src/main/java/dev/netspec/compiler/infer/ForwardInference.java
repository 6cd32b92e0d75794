package dev.netspec.compiler.infer;

import dev.netspec.compiler.check.Model.Arg;
import dev.netspec.compiler.check.Model.ArgType;
import dev.netspec.compiler.check.Model;
import dev.netspec.compiler.check.Model.Block;
import dev.netspec.compiler.check.Names;
import dev.netspec.compiler.diag.Position;
import dev.netspec.compiler.diag.Reporter;
import dev.netspec.compiler.infer.Ops.ShapeError;
import dev.netspec.compiler.layers.CallParam;
import dev.netspec.compiler.layers.LayerKind;
import dev.netspec.compiler.parse.Ast;
import dev.netspec.compiler.parse.Ast.Expr;
import dev.netspec.compiler.parse.Ast.Stmt;
import dev.netspec.compiler.parse.ExprText;
import dev.netspec.compiler.parse.Mentions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Type and shape inference of one block's {@code forward} statements: every expression gets
 * a {@link Type}, every builtin-function call its bound arguments, and the block its output
 * shape. Calls of children go back to the block through {@link Layers}.
 */
final class ForwardInference {
  /** What the forward sees of its block's children. */
  interface Layers {
    boolean isChild(String name);

    Set<String> childNames();

    /** Runs child {@code name} on {@code in} (building it at its first call); its output. */
    Shape call(String name, Shape in, Position pos);

    /**
     * Runs child {@code name} on typed arguments, the input tensor first (building it at its
     * first call); its result, a tensor or a tuple. Reports a wrong dtype or extra argument.
     */
    Type call(String name, List<Type> args, Position pos);

    /** Child {@code name}'s builtin layer kind, or null for a block or container. */
    LayerKind kind(String name);

    /**
     * Runs child {@code name} on arguments bound to its {@linkplain #callParams call signature}
     * (absent masks left out); its result. Reports what does not fit.
     */
    Type call(String name, Map<String, Type.TensorT> tensors, Map<String, Boolean> flags, Position pos);

    /** The kind of the container at {@code path} ({@code [transformer, h]}), or null if none is there. */
    Model.Container container(List<String> path);

    /** The names of the modules in the container at {@code path}, in order. */
    List<String> members(List<String> path);

    /**
     * Runs the module at {@code path} (inside containers) on {@code in}; its output. With
     * {@code quiet}, its errors are not reported (the loop's first module reported them).
     */
    Type call(List<String> path, List<Type> args, Position pos, boolean quiet);

    void addFlops(long n);

    /** What a value of shape {@code refused} likely lacks (a flatten after a conv), or "". */
    String flattenHint(Shape refused);
  }

  private final Block block;
  private final Map<String, Object> args;
  private final Inst inst;
  private final Map<String, Type.TensorT> inputs;
  private final Reporter reporter;
  private final Layers layers;
  private final Map<Expr, Type> types = new IdentityHashMap<>();
  private final Map<Ast.Call, Map<String, Object>> calls = new IdentityHashMap<>();
  /** Why a variable assigned only on some paths is undefined after them, by name. */
  private final Map<String, String> partial = new HashMap<>();
  /** The module list each loop variable of an enclosing {@code for} walks (null: not a list). */
  private final Map<String, List<String>> loopVars = new HashMap<>();
  /** The first 'if' of each 'elif' (an 'if' alone in an 'else'), which messages name. */
  private final Map<Ast.If, Ast.If> chainHeads = new IdentityHashMap<>();
  /** The input's symbolic sizes, usable as ints ({@code arange(seq)}). */
  private final Map<String, Dim> sizes;
  private final TensorOps tensorOps;
  private final Losses losses;
  private final FunctionCalls functions;
  private Shape output;
  private Type outputType;
  /** Which layer or input made each value, for a broadcast error to name both sides. */
  private final Origins origins;
  /** Above 0 while {@link #quietly} infers: errors are not reported. */
  private int muted;

  ForwardInference(Block block, Map<String, Object> args, Inst inst, Map<String, Type.TensorT> inputs,
      Reporter reporter, Layers layers) {
    this.block = block;
    this.args = args;
    this.inst = inst;
    this.inputs = inputs;
    this.reporter = reporter;
    this.layers = layers;
    this.origins = new Origins(layers::isChild, inputs.keySet(), types);
    this.sizes = SizeSymbols.values(block, inputs);
    TensorOps.Context context = new TensorOps.Context() {
      @Override
      public Type eval(Expr e, Map<String, Type> env) {
        return ForwardInference.this.eval(e, env);
      }

      @Override
      public void error(Ast.Loc loc, String message) {
        ForwardInference.this.error(loc, message);
      }

      @Override
      public void addFlops(long n) {
        layers.addFlops(n);
      }

      @Override
      public String flattenHint(Shape refused) {
        return layers.flattenHint(refused);
      }

      @Override
      public Map<String, Object> match(Ast.Call call, Functions.Fn fn) {
        return functions.match(call, fn);
      }

      @Override
      public void record(Ast.Call call, Map<String, Object> bound) {
        calls.put(call, bound);
      }

      @Override
      public Dim size(String name) {
        return args.get(name) instanceof Dim d ? d : block.args().containsKey(name) ? null : sizes.get(name);
      }
    };
    this.tensorOps = new TensorOps(context);
    this.losses = new Losses(context);
    this.functions = new FunctionCalls(context, types);
  }

  /** The output shape, or null if no return was inferred. */
  Shape output() {
    return output;
  }

  /** The output's type (a tensor or a tuple of them), or null if no return was inferred. */
  Type outputType() {
    return outputType;
  }

  /** The type of every expression, by identity. */
  Map<Expr, Type> types() {
    return types;
  }

  /** The bound arguments of every builtin-function call, by identity. */
  Map<Ast.Call, Map<String, Object>> calls() {
    return calls;
  }

  /** The layers the forward never mentions: the likelier meaning of a misspelled call. */
  private Set<String> uncalledLayers() {
    Set<String> out = new LinkedHashSet<>(layers.childNames());
    block.forward().forEach(s -> out.removeAll(Mentions.of(s)));
    return out;
  }

  /** Infers the whole forward; reports every problem. */
  void run() {
    Map<String, Type> env = new LinkedHashMap<>();
    env.putAll(inputs);
    List<Stmt> body = block.forward();
    statements(body, env, true);
    if (!endsInReturn(body)) {
      Position p = body.isEmpty() ? block.forwardText().pos() : at(body.get(body.size() - 1).loc());
      reporter.error(p, block.name() + ": forward must end with 'return'");
    }
  }

  /** Whether every path through {@code body} returns (Java's rule: a return, or if/else both returning). */
  private static boolean endsInReturn(List<Stmt> body) {
    if (body.isEmpty()) {
      return false;
    }
    Stmt last = body.get(body.size() - 1);
    return last instanceof Ast.Return
        || last instanceof Ast.If f && endsInReturn(f.then()) && endsInReturn(f.otherwise());
  }

  private Position at(Ast.Loc loc) {
    return block.forwardText().at(loc.line(), loc.column());
  }

  private void error(Ast.Loc loc, String message) {
    if (muted == 0) {
      reporter.error(at(loc), block.name() + ": " + message);
    }
  }

  /**
   * Infers {@code e} without reporting its errors: the rest of an expression that already has
   * its one error, a PyTorch spelling whose advice names what to write instead.
   */
  private Type quietly(Expr e, Map<String, Type> env) {
    muted++;
    try {
      return eval(e, env);
    } finally {
      muted--;
    }
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
      if (layers.isChild(a.name()) || block.params().containsKey(a.name())
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
          error(a.loc(), partial.containsKey(a.name()) ? partial.get(a.name())
              : "'" + a.name() + "' is not defined before '" + a.op() + "'");
          eval(a.value(), env);
          env.put(a.name(), Type.unknownTensor()); // reported once, here
          return;
        }
        t = arithmetic(a.loc(), a.op().substring(0, 1), old, eval(a.value(), env),
            new Ast.Name(a.loc(), a.name()), a.value());
        if (!(t instanceof Type.TensorT) && old instanceof Type.TensorT) {
          t = old;
        }
        if (old instanceof Type.TensorT o && t instanceof Type.TensorT n && !sameShape(o.shape(), n.shape())) {
          error(a.loc(), "'" + a.name() + " " + a.op() + "' would change its shape from " + o.shape()
              + " to " + n.shape() + "; write '" + a.name() + " = ...'");
        }
      }
      if (t instanceof Type.TupleT tuple) {
        error(a.loc(), tuple.ofTensors() ? "'" + a.name() + "' would hold " + tuple + "; unpack it into "
            + tuple.size() + " names, as in " + Unpacking.example(tuple) + " = ..."
            : "a tuple can only be a function argument");
        return;
      }
      Type old = env.get(a.name());
      if (old != null && !old.getClass().equals(t.getClass())) {
        error(a.loc(), "'" + a.name() + "' was " + old + " and cannot become " + t);
        return;
      }
      env.put(a.name(), t);
      if (a.op().equals("=")) {
        origins.assigned(a.name(), a.value());
      }
    } else if (s instanceof Ast.Unpack u) {
      Type t = eval(u.value(), env);
      Unpacking.assign(u.targets(), t, u.loc(), env, new Unpacking.Sink() {
        @Override
        public void error(Ast.Loc loc, String message) {
          ForwardInference.this.error(loc, message);
        }

        @Override
        public boolean assignable(Ast.Name n) {
          if (layers.isChild(n.name()) || block.params().containsKey(n.name())
              || block.buffers().containsKey(n.name()) || args.containsKey(n.name())) {
            error(n.loc(), "cannot assign to '" + n.name() + "': it names a layer, parameter, buffer or argument");
            return false;
          }
          return true;
        }

        @Override
        public void typed(Ast.Name n, Type type) {
          types.put(n, type);
        }
      });
    } else if (s instanceof Ast.Return r) {
      Type t = eval(r.value(), env);
      if (t instanceof Type.TupleT tuple && tuple.ofTensors()) {
        if (outputType == null) {
          outputType = tuple;
        } else if (!DTypeRules.sameStructure(outputType, tuple)) {
          error(r.loc(), "returns " + tuple + " here but " + outputType + " elsewhere");
        }
        return;
      }
      if (!(t instanceof Type.TensorT tt)) {
        error(r.value().loc(), "forward must return a tensor or a tuple of tensors, got " + t);
        return;
      }
      if (outputType instanceof Type.TupleT) {
        error(r.loc(), "returns " + tt + " here but " + outputType + " elsewhere");
      } else if (output == null) {
        output = tt.shape();
        outputType = tt;
      } else if (!sameShape(output, tt.shape())) {
        error(r.loc(), "returns " + tt.shape() + " here but " + output + " elsewhere");
      }
    } else if (s instanceof Ast.While w) {
      condition(w.condition(), env, "while");
      Map<String, String> before = new HashMap<>(partial);
      Map<String, Type> inner = new LinkedHashMap<>(env);
      statements(w.body(), inner, false);
      merge(w.loc(), env, inner, "inside the while loop");
      notDefinedAfter(Assignments.assignedIn(w.body()), env, before, "is assigned only inside the 'while' at line "
          + at(w.loc()).line() + ", which may run zero times; assign it before the 'while'");
      layers.addFlops(-1);
    } else if (s instanceof Ast.For f) {
      forLoop(f, env);
    } else if (s instanceof Ast.If f && ArgCondition.decide(f.condition(), args) != null) {
      // An 'if' on the block's arguments: these arguments take one branch, decided when built.
      condition(f.condition(), env, "if");
      statements(ArgCondition.decide(f.condition(), args) ? f.then() : f.otherwise(), env, false);
    } else if (s instanceof Ast.If f) {
      condition(f.condition(), env, "if");
      if (f.otherwise().size() == 1 && f.otherwise().get(0) instanceof Ast.If elif) {
        chainHeads.put(elif, chainHeads.getOrDefault(f, f));
      }
      Map<String, String> before = new HashMap<>(partial);
      Map<String, Type> then = new LinkedHashMap<>(env);
      statements(f.then(), then, false);
      Map<String, Type> otherwise = new LinkedHashMap<>(env);
      statements(f.otherwise(), otherwise, false);
      Map<String, Type> outer = new LinkedHashMap<>(env);
      merge(f.loc(), env, outer, then, "in the 'if' branch", argEqualities(f.condition(), false));
      merge(f.loc(), env, outer, otherwise, "in the 'else' branch", argEqualities(f.condition(), true));
      for (String name : Assignments.definedBy(f).keySet()) {
        if (!env.containsKey(name)) {
          join(f, name, endsInReturn(f.then()) ? null : then.get(name),
              endsInReturn(f.otherwise()) ? null : otherwise.get(name), env);
        }
      }
      Set<String> assigned = Assignments.assignedIn(f.then());
      assigned.addAll(Assignments.assignedIn(f.otherwise()));
      Ast.If head = chainHeads.getOrDefault(f, f);
      int line = at(head.loc()).line();
      notDefinedAfter(assigned, env, before, f == head && f.otherwise().isEmpty()
          ? "is assigned only inside the 'if' at line " + line
              + ", so it is undefined when the condition is false; assign it before the 'if' or in an 'else' branch"
          : "is not assigned in every branch of the 'if' at line " + line
              + "; assign it in every branch or before the 'if'");
    }
  }

  /**
   * {@code for layer in h:} over a module list. The body is checked once, each call of the
   * loop variable running every module of the list on the same input; so every variable
   * defined before the loop must keep its shape through the body (as in a {@code while}),
   * and every module of the list must give one output shape.
   */
  private void forLoop(Ast.For f, Map<String, Type> env) {
    List<String> path = ModulePaths.of(f.items());
    Model.Container kind = path == null ? null : layers.container(path);
    if (kind != Model.Container.MODULE_LIST) {
      String what;
      if (kind == Model.Container.MODULE_DICT) {
        what = "a module_dict; call its modules by name, as in " + ModulePaths.text(path) + ".name(x)";
      } else if (path != null && path.size() == 1 && layers.isChild(path.get(0))) {
        what = "a layer, not a module_list";
      } else {
        what = path != null && path.size() > 1 ? "not a module_list" : eval(f.items(), env).toString();
      }
      error(f.items().loc(), "'for' loops over a module_list, such as 'for layer in h:'; got "
          + (path == null ? "" : "'" + ModulePaths.text(path) + "', ") + what);
      path = null;
    }
    String name = f.name();
    if (env.containsKey(name) || layers.isChild(name) || isMember(name) || loopVars.containsKey(name)) {
      error(f.nameLoc(), "loop variable '" + name + "' would hide the "
          + (env.containsKey(name) ? "variable" : loopVars.containsKey(name) ? "loop variable" : "layer, parameter or argument")
          + " of that name; choose another name");
    }
    loopVars.put(name, path);
    Map<String, String> before = new HashMap<>(partial);
    Map<String, Type> inner = new LinkedHashMap<>(env);
    statements(f.body(), inner, false);
    loopVars.remove(name);
    inner.remove(name);
    merge(f.loc(), env, inner, "inside the for loop (each module of the list must keep it)");
    notDefinedAfter(Assignments.assignedIn(f.body()), env, before, "is assigned only inside the 'for' at line "
        + at(f.loc()).line() + "; assign it before the 'for'");
  }

  /**
   * {@code layer(x)} for a loop variable: every module of the list runs on {@code x}, and all
   * must give one shape (a loop turn cannot change it).
   */
  private Type loopCall(Ast.Call call, Map<String, Type> env) {
    List<Type> in = tensorArgs(call, call.callee(), env);
    List<String> list = loopVars.get(call.callee());
    if (in == null || list == null) {
      return Type.unknownTensor();
    }
    Type first = null;
    String firstName = null;
    int before = reporter.errorCount();
    for (String m : layers.members(list)) {
      // The first module's errors are said once, not again for each module built alike.
      boolean quiet = first != null && reporter.errorCount() > before;
      Type out = layers.call(ModulePaths.child(list, m), in, at(call.loc()), quiet);
      if (first == null) {
        first = out;
        firstName = m;
      } else if (!DTypeRules.sameStructure(first, out)) {
        error(call.loc(), "'" + call.callee() + "' gives " + shapeText(out) + " for " + ModulePaths.text(list) + "." + m
            + " but " + shapeText(first) + " for " + ModulePaths.text(list) + "." + firstName
            + "; every module of a list looped over must give one shape");
        break;
      }
    }
    return first == null ? Type.unknownTensor() : first;
  }

  private static String shapeText(Type t) {
    return t instanceof Type.TensorT x ? x.shape().toString() : t.toString();
  }

  /**
   * The types of a layer call's positional arguments, a tensor first (a block with several
   * inputs takes more, checked by the layer), or null after reporting why there are none.
   */
  private List<Type> tensorArgs(Ast.Call call, String what, Map<String, Type> env) {
    if (call.args().isEmpty() || !call.kwargs().isEmpty()) {
      error(call.loc(), "layer '" + what + "' takes one tensor, got "
          + (call.args().size() + call.kwargs().size()) + " arguments");
      call.args().forEach(a -> eval(a, env));
      call.kwargs().forEach(k -> eval(k.value(), env));
      return null;
    }
    List<Type> in = new ArrayList<>();
    call.args().forEach(a -> in.add(eval(a, env)));
    if (!(in.get(0) instanceof Type.TensorT)) {
      error(call.args().get(0).loc(), "layer '" + what + "' takes a tensor, got " + in.get(0));
      return null;
    }
    return in;
  }

  /**
   * {@code transformer.wte(idx)}: a module of a module dict, called. Null when the target is
   * not a container (PyTorch's spellings such as {@code self.fc(x)} are advised on instead).
   */
  private Type dottedCall(Ast.Method m, Map<String, Type> env) {
    if (m.target() instanceof Ast.Subscript sub && m.call().callee().equals(Ast.ITEM_CALL)) {
      return itemCall(m, sub, env);
    }
    if (m.target() instanceof Ast.Subscript sub && ModulePaths.of(sub.target()) != null
        && layers.container(ModulePaths.of(sub.target())) != null) {
      // PyTorch's self.h[0].c(x): a module inside an item of a container
      String item = m.targetText();
      String callee = m.call().callee();
      String list = layers.container(ModulePaths.of(sub.target())).specName();
      error(m.loc(), "'" + item + "." + callee + "' calls a module inside an item of a " + list
          + ", which the forward does not do yet; make the item a block whose forward calls "
          + callee + ", and call " + item + "(x)");
      m.call().args().forEach(x -> eval(x, env));
      return Type.unknownTensor();
    }
    List<String> path = ModulePaths.of(m.target());
    Model.Container kind = path == null ? null : layers.container(path);
    if (kind == null) {
      return null;
    }
    String callee = m.call().callee();
    String text = ModulePaths.text(path) + "." + callee;
    List<String> members = layers.members(path);
    if (kind == Model.Container.MODULE_LIST) {
      error(m.loc(), "'" + ModulePaths.text(path) + "' is a module_list; loop over it (for layer in "
          + ModulePaths.text(path) + ": x = layer(x))");
    } else if (!members.contains(callee)) {
      error(m.call().loc(), "'" + ModulePaths.text(path) + "' has no module '" + callee + "'"
          + Names.suggest(callee, members) + " (modules: " + list(members) + ")");
    } else if (layers.container(ModulePaths.child(path, callee)) != null) {
      error(m.call().loc(), "'" + text + "' is a " + layers.container(ModulePaths.child(path, callee)).specName()
          + " and has no forward; " + (layers.container(ModulePaths.child(path, callee)) == Model.Container.MODULE_LIST
              ? "loop over it: for layer in " + text + ": x = layer(x)" : "call its modules by name"));
    } else {
      List<Type> in = tensorArgs(m.call(), text, env);
      return in == null ? Type.unknownTensor()
          : layers.call(ModulePaths.child(path, callee), in, at(m.call().loc()), false);
    }
    m.call().args().forEach(x -> eval(x, env));
    return Type.unknownTensor();
  }

  /**
   * {@code h[0](x)}, {@code h[-1](x)}: the module of a module list at an index written out
   * (negative from the end, as in PyTorch), called on one tensor.
   */
  private Type itemCall(Ast.Method m, Ast.Subscript sub, Map<String, Type> env) {
    List<String> path = ModulePaths.of(sub.target());
    Model.Container kind = path == null ? null : layers.container(path);
    Integer index = sub.items().size() == 1 ? LayerCalls.literalIndex(sub.items().get(0)) : null;
    List<String> members = kind == null ? List.of() : layers.members(path);
    Ast.Loc at = sub.items().isEmpty() ? sub.loc() : sub.items().get(0).loc();
    if (kind != Model.Container.MODULE_LIST) {
      error(m.loc(), "only a module list is called by index, as in h[0](x); '"
          + (path != null ? ModulePaths.text(path) : m.targetText()) + "' is "
          + (kind == null ? "not one" : "a " + kind.specName() + ": call its modules by name"));
    } else if (index == null) {
      error(at, "a module list is indexed by an integer written out, as in " + ModulePaths.text(path) + "[0](x)");
    } else if (index >= members.size() || index < -members.size()) {
      error(at, "index " + index + " is out of range for '" + ModulePaths.text(path) + "' (" + members.size()
          + " modules: indices " + (-members.size()) + " to " + (members.size() - 1) + ")");
    } else {
      String member = members.get(index < 0 ? index + members.size() : index);
      String text = ModulePaths.text(path) + "[" + index + "]";
      if (layers.container(ModulePaths.child(path, member)) != null) {
        error(m.loc(), "'" + text + "' is a " + layers.container(ModulePaths.child(path, member)).specName()
            + " and has no forward");
      } else {
        List<Type> in = tensorArgs(m.call(), text, env);
        return in == null ? Type.unknownTensor()
            : layers.call(ModulePaths.child(path, member), in, at(m.call().loc()), false);
      }
    }
    m.call().args().forEach(x -> eval(x, env));
    return Type.unknownTensor();
  }

  /**
   * A variable assigned in every branch of an {@code if} lives on after it (Python's scoping,
   * which the generated Java keeps by declaring it before the {@code if}), with one type.
   */
  private void join(Ast.If f, String name, Type then, Type otherwise, Map<String, Type> env) {
    if (then != null && otherwise != null && (!then.getClass().equals(otherwise.getClass())
        || then instanceof Type.TensorT a && otherwise instanceof Type.TensorT b && !sameShape(a.shape(), b.shape()))) {
      error(f.loc(), "'" + name + "' is " + then + " in the 'if' branch but " + otherwise
          + " in the 'else' branch; a variable has one kind and shape after the 'if'");
      env.put(name, Type.unknownTensor()); // reported once, here
      return;
    }
    Type t = then != null ? then : otherwise;
    if (t != null) {
      env.put(name, t);
    }
  }

  /**
   * Variables assigned inside a block but not defined after it: a later use says why, unless a
   * block nested in this one said so already (its explanation is the closer one).
   */
  private void notDefinedAfter(Set<String> assigned, Map<String, Type> env, Map<String, String> before, String why) {
    for (String name : assigned) {
      if (!env.containsKey(name) && Objects.equals(partial.get(name), before.get(name))) {
        partial.put(name, "'" + name + "' " + why);
      }
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

  /**
   * {@link #merge(Ast.Loc, Map, Map, String)} for a branch of an {@code if} on the block's
   * arguments in the generic instantiation: where the branch changes a variable's shape, the
   * variable keeps the old value only when the branch does not run, so the branch's shape
   * holds for both when the two agree under the equalities {@code skipped} of that case
   * ({@code identity = downsample(x)} under {@code stride != 1 or in_planes != planes}: with
   * {@code stride} 1 and {@code in_planes} {@code planes}, x's shape is downsample's). Then
   * the variable takes the branch's shape.
   */
  private void merge(Ast.Loc loc, Map<String, Type> env, Map<String, Type> outer, Map<String, Type> inner,
      String where, Map<String, Dim> skipped) {
    for (Map.Entry<String, Type> e : outer.entrySet()) {
      Type after = inner.get(e.getKey());
      if (e.getValue() instanceof Type.TensorT a && after instanceof Type.TensorT b && !sameShape(a.shape(), b.shape())) {
        if (!skipped.isEmpty() && sameShape(substitute(a.shape(), skipped), substitute(b.shape(), skipped))) {
          env.put(e.getKey(), after);
        } else {
          error(loc, "'" + e.getKey() + "' changes shape " + where + ", from " + a.shape() + " to " + b.shape());
        }
      }
    }
  }

  /** The argument equalities when {@code condition} is {@code value}; none unless it reads only arguments. */
  private Map<String, Dim> argEqualities(Expr condition, boolean value) {
    if (ArgCondition.notOnArgs(condition, block.args().keySet()) != null) {
      return Map.of();
    }
    Set<String> ints = new java.util.HashSet<>();
    block.args().values().forEach(a -> {
      if (a.type() == ArgType.INT) {
        ints.add(a.name());
      }
    });
    return ArgCondition.equalities(condition, value, ints);
  }

  private static Shape substitute(Shape s, Map<String, Dim> env) {
    if (!s.knownRank()) {
      return s;
    }
    List<Dim> dims = new ArrayList<>();
    s.dims().forEach(d -> dims.add(d.substitute(env::get)));
    return new Shape(dims);
  }

  /** Whether two shapes may be the same: equal ranks and compatible dims, or a rank unknown. */
  static boolean sameShape(Shape a, Shape b) {
    return Shape.compatible(a, b);
  }

  private void condition(Expr e, Map<String, Type> env, String what) {
    Type t = eval(e, env);
    String article = what.equals("if") ? "an '" : "a '";
    if (t instanceof Type.TensorT tt && tt.shape().knownRank() && tt.shape().numel() != 1) {
      error(e.loc(), article + what + "' condition must be a scalar, got " + t
          + "; reduce it, e.g. sum(...) or mean(...)");
    } else if (t instanceof Type.TupleT) {
      error(e.loc(), article + what + "' condition must be a scalar, got a tuple");
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
    String size = sizeName(e, env);
    if (size != null) { // x.size(0) or x.shape[0], x a name
      Expr target = e instanceof Ast.Method m ? m.target() : ((Ast.Attr) ((Ast.Subscript) e).target()).target();
      error(target.loc(), PyTorchSpellings.size(ExprText.code(e, x -> null), size));
      return Type.unknownTensor(); // reported: no further error from its use
    }
    if (e instanceof Ast.Subscript || e instanceof Ast.Slice || e instanceof Ast.Ellipsis
        || e instanceof Ast.Str || e instanceof Ast.NoneLit) {
      return tensorOps.expr(e, env);
    }
    if (e instanceof Ast.Unary u) {
      Type t = eval(u.operand(), env);
      if (u.op().equals("not")) {
        return new Type.BoolT();
      }
      if (t instanceof Type.TensorT tt) {
        String wrong = DTypeRules.floatOnly("'-'", t);
        if (wrong != null) {
          error(u.loc(), wrong);
          return Type.unknownTensor();
        }
        layers.addFlops(tt.shape().numel());
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
    if (e instanceof Ast.Attr a && !a.name().equals("T")) {
      PyTorchSpellings.Advice advice = PyTorchSpellings.attribute(a, layers::isChild, this::isMember);
      error(a.target() instanceof Ast.Name n ? n.loc() : a.loc(), advice.message());
      return advice.instead() != null ? quietly(advice.instead(), env) : Type.unknownTensor();
    }
    if (e instanceof Ast.Method m) {
      Type dotted = dottedCall(m, env);
      if (dotted != null) {
        return dotted;
      }
    }
    if (e instanceof Ast.Method m) {
      PyTorchSpellings.Advice advice =
          PyTorchSpellings.method(m, layers::isChild, layers.childNames(), x -> sizeName(x, env));
      error(m.loc(), advice.message());
      if (advice.instead() != null) {
        return quietly(advice.instead(), env);
      }
      boolean value = !(m.target() instanceof Ast.Name n) || env.containsKey(n.name()) || isMember(n.name());
      if (value) { // not self, F or torch
        quietly(m.target(), env);
      }
      m.call().args().forEach(x -> quietly(x, env));
      m.call().kwargs().forEach(k -> quietly(k.value(), env));
      return Type.unknownTensor();
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
      return new Type.TensorT(new Shape(List.of(s.dim(1), s.dim(0))), tt.dtype());
    }
    if (e instanceof Ast.Tuple t) {
      List<Type> items = new ArrayList<>();
      for (Expr item : t.items()) {
        items.add(eval(item, env));
      }
      return new Type.TupleT(items);
    }
    return callExpr((Ast.Call) e, env);
  }

  /** Names for a message: all of a short list, the first 12 of a long one. */
  private static String list(java.util.Collection<String> names) {
    List<String> all = List.copyOf(names);
    return all.size() <= 12 ? String.join(", ", all) : String.join(", ", all.subList(0, 12)) + ", ...";
  }

  /** A parameter, buffer or argument of the block. */
  private boolean isMember(String name) {
    return inst.params.containsKey(name) || inst.buffers.containsKey(name) || block.args().containsKey(name);
  }

  /**
   * What a forward writes for PyTorch's {@code x.size(i)} or {@code x.shape[i]}: the name of
   * that dim in {@code input:} (or an argument), or its number; null when it has neither.
   */
  private String sizeName(Expr target, Expr i, Map<String, Type> env) {
    return target instanceof Ast.Name n ? sizeName(n.name(), LayerCalls.literalIndex(i), env) : null;
  }

  private String sizeName(String target, Integer at, Map<String, Type> env) {
    if (at == null || !(env.get(target) instanceof Type.TensorT t) || !t.shape().knownRank()) {
      return null;
    }
    int rank = t.shape().rank();
    int k = at < 0 ? at + rank : at;
    if (k < 0 || k >= rank) {
      return null;
    }
    Dim d = t.shape().dim(k);
    if (d instanceof Dim.Known known) {
      return Integer.toString(known.size());
    }
    return d instanceof Dim.Sym sym && !sym.lazy() && (sizes.containsKey(sym.name()) || args.containsKey(sym.name()))
        ? sym.name() : null;
  }

  /** The name or number of {@code x.size(0)} or {@code x.shape[0]}, null for any other expression. */
  private String sizeName(Expr e, Map<String, Type> env) {
    if (e instanceof Ast.Method m && m.call().callee().equals("size") && m.call().args().size() == 1
        && m.call().kwargs().isEmpty()) {
      return sizeName(m.target(), m.call().args().get(0), env);
    }
    if (e instanceof Ast.Subscript sub && sub.target() instanceof Ast.Attr a && a.name().equals("shape")
        && sub.items().size() == 1) {
      return sizeName(a.target(), sub.items().get(0), env);
    }
    return null;
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
    if (sizes.containsKey(n.name())) {
      return new Type.NumT(true);
    }
    if (loopVars.containsKey(n.name())) {
      error(n.loc(), "'" + n.name() + "' is a module of the list looped over; call it, as in " + n.name() + "(x)");
      return Type.unknownTensor();
    }
    if (layers.isChild(n.name())) {
      error(n.loc(), "'" + n.name() + "' is a layer; call it, as in " + n.name() + "(x)");
      return Type.unknownTensor();
    }
    if (block.unreadable().contains(n.name())) {
      return Type.unknownTensor(); // declared with errors, reported there
    }
    if (partial.containsKey(n.name())) {
      error(n.loc(), partial.get(n.name()));
      env.put(n.name(), Type.unknownTensor()); // one error for the one cause, not one per use
      return Type.unknownTensor();
    }
    List<String> known = new ArrayList<>(env.keySet());
    known.addAll(inst.params.keySet());
    known.addAll(inst.buffers.keySet());
    known.addAll(block.args().keySet());
    List<String> candidates = new ArrayList<>(known);
    candidates.addAll(sizes.keySet()); // the input's sizes: 'sequence' for 'seq'
    String near = Names.suggest(n.name(), candidates);
    error(n.loc(), "unknown name '" + n.name() + "'" + (near.isEmpty() ? " (names here: " + list(known) + ")" : near));
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
        String wrong = DTypeRules.floatOnly("'@'", a.dtype() != DType.FLOAT32 ? a : c);
        if (wrong != null) {
          error(b.loc(), wrong);
          return Type.unknownTensor();
        }
        try {
          Shape s = Ops.matmul(a.shape(), c.shape());
          long k = a.shape().knownRank() && a.shape().rank() > 0 ? a.shape().dim(-1).size() : -1;
          layers.addFlops(s.numel() < 0 || k < 0 ? -1 : 2 * s.numel() * k);
          return new Type.TensorT(s);
        } catch (ShapeError e) {
          error(b.loc(), e.getMessage());
          return Type.unknownTensor();
        }
      }
      case "<": case ">": case "<=": case ">=": case "==": case "!=": {
        Type t = arithmetic(b.loc(), b.op(), l, r, b.left(), b.right());
        // a comparison of tensors is a mask: PyTorch's bool (float 0/1 in the runtime)
        return t instanceof Type.NumT ? new Type.BoolT()
            : t instanceof Type.TensorT tt ? new Type.TensorT(tt.shape(), DType.BOOL) : t;
      }
      default:
        return arithmetic(b.loc(), b.op(), l, r, b.left(), b.right());
    }
  }

  /** {@code left op right}; a broadcast error names where each side's shape comes from. */
  private Type arithmetic(Ast.Loc loc, String op, Type l, Type r, Expr left, Expr right) {
    if (l instanceof Type.NumT a && r instanceof Type.NumT c) {
      return new Type.NumT(a.integral() && c.integral() && !op.equals("/"));
    }
    if (!(l instanceof Type.TensorT || l instanceof Type.NumT) || !(r instanceof Type.TensorT || r instanceof Type.NumT)) {
      error(loc, "'" + op + "' needs tensors or numbers, got " + l + " and " + r);
      return Type.unknownTensor();
    }
    boolean comparison = Set.of("<", ">", "<=", ">=", "==", "!=").contains(op);
    for (Type t : List.of(l, r)) {
      String wrong = comparison ? null : DTypeRules.floatOnly("'" + op + "'", t);
      if (wrong != null) { // the runtime's arithmetic is float32; int64 tensors are ids and positions
        error(loc, wrong);
        return Type.unknownTensor();
      }
    }
    Shape a = l instanceof Type.TensorT t ? t.shape() : Shape.SCALAR;
    Shape c = r instanceof Type.TensorT t ? t.shape() : Shape.SCALAR;
    try {
      Shape s = Ops.broadcast(a, c);
      layers.addFlops(s.numel());
      return new Type.TensorT(s);
    } catch (ShapeError e) {
      String hint = layers.flattenHint(a);
      error(loc, "'" + op + "': cannot broadcast " + a + origins.side(left) + " with " + c
          + origins.side(right) + (hint.isEmpty() ? layers.flattenHint(c) : hint));
      return Type.unknownTensor();
    }
  }

  private Type callExpr(Ast.Call call, Map<String, Type> env) {
    if (loopVars.containsKey(call.callee())) {
      return loopCall(call, env);
    }
    LayerKind kind = layers.isChild(call.callee()) ? layers.kind(call.callee()) : null;
    if (kind != null && kind.callParams() != null
        && (call.args().size() != 1 || !call.kwargs().isEmpty() || !kind.oneTensorForm())) {
      return layerCall(call, kind.callParams(), env);
    }
    if (kind != null && kind.callParams() != null) { // attn(x): attn(x, x, x)[0], the runtime's forward(x)
      Type in = eval(call.args().get(0), env);
      if (!(in instanceof Type.TensorT x)) {
        error(call.args().get(0).loc(), "layer '" + call.callee() + "' takes a tensor, got " + in);
        return Type.unknownTensor();
      }
      Map<String, Type.TensorT> tensors = new LinkedHashMap<>();
      kind.callParams().stream().filter(p -> p.kind() == CallParam.Kind.TENSOR).forEach(p -> tensors.put(p.name(), x));
      Type out = layers.call(call.callee(), tensors, LayerCalls.flags(kind.callParams(), Map.of()), at(call.loc()));
      return out instanceof Type.TupleT t ? t.items().get(0) : out;
    }
    if (layers.isChild(call.callee())) {
      List<Type> in = tensorArgs(call, call.callee(), env);
      return in == null ? Type.unknownTensor() : layers.call(call.callee(), in, at(call.loc()));
    }
    Functions.Fn fn = Functions.get(call.callee());
    String missing = fn == null ? PyTorchSpellings.missing(call, x -> sizeName(x, env)) : null;
    if (missing != null) { // argmax, len: what to write instead
      error(call.loc(), missing);
      call.args().forEach(a -> eval(a, env)); // a mistake of their own, such as an unknown name
      return Type.unknownTensor();
    }
    if (fn == null) {
      List<String> known = new ArrayList<>(layers.childNames());
      known.addAll(Functions.names());
      String near = Names.suggest(call.callee(), known, uncalledLayers());
      String layerList = layers.childNames().isEmpty() ? "" : "layers: " + list(layers.childNames()) + "; ";
      String maker = PyTorchSpellings.functionHint(call.callee());
      String layer = PyTorchSpellings.layerHint(call.callee());
      error(call.loc(), "unknown function or layer '" + call.callee() + "'" + (layer != null ? layer
          : !near.isEmpty() ? near
          : maker.startsWith(";") ? maker
          : " (" + layerList + "functions: " + String.join(", ", Functions.names()) + ")"));
      call.args().forEach(a -> eval(a, env)); // a mistake of their own, such as an unknown name
      return Type.unknownTensor();
    }
    if (fn.kind() == Functions.Kind.TENSOR_OP) {
      return tensorOps.call(call, fn, env);
    }
    if (fn.kind() == Functions.Kind.LOSS) {
      return losses.call(call, fn, env);
    }
    return functions.call(call, fn, env);
  }

  /**
   * A call of a layer with a call signature ({@code attn(q, k, v, need_weights=False)}): its
   * arguments bound, each tensor evaluated (a mask float32 or bool), then the layer's rule.
   */
  private Type layerCall(Ast.Call call, List<CallParam> params, Map<String, Type> env) {
    Map<String, Expr> bound = LayerCalls.bind(call.callee(), params, call, this::error);
    if (bound == null) {
      call.args().stream().filter(a -> !(a instanceof Ast.NoneLit)).forEach(a -> eval(a, env));
      call.kwargs().stream().filter(k -> !(k.value() instanceof Ast.NoneLit)).forEach(k -> eval(k.value(), env));
      return Type.unknownTensor();
    }
    Map<String, Type.TensorT> tensors = new LinkedHashMap<>();
    boolean ok = true;
    for (CallParam p : params) {
      Expr e = bound.get(p.name());
      if (e == null || p.kind() == CallParam.Kind.FLAG) {
        continue;
      }
      Type t = eval(e, env);
      if (!(t instanceof Type.TensorT tt)) {
        error(e.loc(), "layer '" + call.callee() + "': " + p.name() + " must be a tensor"
            + (p.kind() == CallParam.Kind.MASK ? " or None" : "") + ", got " + t);
        ok = false;
        continue;
      }
      if (!tt.shape().knownRank()) {
        ok = false; // reported where it was made
      } else if (p.kind() == CallParam.Kind.MASK && tt.dtype() == DType.INT64) {
        error(e.loc(), "layer '" + call.callee() + "': " + p.name() + " must be a float mask (added to the scores)"
            + " or a bool one (True hides a key), got " + tt + "; compare it, as in " + p.name() + " == 0");
        ok = false;
      }
      tensors.put(p.name(), tt);
    }
    if (!ok) {
      return Type.unknownTensor();
    }
    return layers.call(call.callee(), tensors, LayerCalls.flags(params, bound), at(call.loc()));
  }
}
