package dev.netspec.compiler.generate;

import static dev.netspec.compiler.generate.FunctionWriter.intOf;
import static dev.netspec.compiler.generate.FunctionWriter.ints;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.NameAllocator;
import dev.netspec.compiler.infer.Dim;
import dev.netspec.compiler.infer.Inference.Result;
import dev.netspec.compiler.infer.LayerCalls;
import dev.netspec.compiler.infer.Shape;
import dev.netspec.compiler.infer.Type;
import dev.netspec.compiler.parse.Ast;
import dev.netspec.compiler.parse.Ast.Expr;
import dev.netspec.compiler.parse.Mentions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes the tuples of a forward ({@link Tuples} has their records): unpacking {@code out, (h,
 * c) = lstm(x)}, an item {@code lstm(x)[0]}, and {@code return a, b} as a new {@code Output}
 * or, in the allocation-free forward, into the caller's. Shares the state of the statement
 * being written with its {@link ForwardWriter}.
 */
final class TupleWriter {
  private final ForwardWriter w;
  private final Result result;
  private final Map<String, String> fields;
  private final NameAllocator locals;
  private final Workspace ws;
  private final ChildCallWriter children;
  /** How generated code calls each child whose result is a tuple, by spec name. */
  private Map<String, Tuples.Call> calls = Map.of();

  TupleWriter(ForwardWriter w, Result result, Map<String, String> fields, NameAllocator locals, Workspace ws,
      ChildCallWriter children) {
    this.w = w;
    this.result = result;
    this.fields = fields;
    this.locals = locals;
    this.ws = ws;
    this.children = children;
  }

  /** Sets how each child whose result is a tuple is called (its record type and accessors). */
  void calls(Map<String, Tuples.Call> calls) {
    this.calls = calls;
  }

  /** Whether the child {@code callee} returns a tuple. */
  boolean returnsTuple(String callee) {
    return calls.containsKey(callee);
  }

  /** {@code a, (b, c) = value}: each target assigned after all the items are evaluated. */
  void unpack(CodeBlock.Builder b, Ast.Unpack u, Map<String, Type> declared) {
    List<CodeBlock> values = leaves(b, u.value(), true);
    List<Ast.Name> targets = Tuples.targets(u.targets(), w.typeOf(u.value()));
    for (int i = 0; i < targets.size(); i++) {
      Ast.Name n = targets.get(i);
      if (n == null) {
        continue; // '_' discards
      }
      Type t = w.typeOf(n);
      String comment = t instanceof Type.TensorT tt ? " // " + JavaText.shapeComment(tt.shape()) : "";
      if (declared.containsKey(n.name())) {
        b.add("$N = $L;$L\n", w.local(n.name()), values.get(i), comment);
      } else {
        b.add("$T $N = $L;$L\n", RuntimeTypes.TENSOR, w.local(n.name()), values.get(i), comment);
      }
      declared.put(n.name(), t);
    }
  }

  /**
   * {@code out, (h, c) = lstm(x, (h0, c0))} in the allocation-free forward: the layer writes its
   * result into a record of buffers made with the workspace ({@code lstm.forwardInto(x, h0, c0,
   * lstmResult)}, each state not given null: zeros) and each target names one of them.
   */
  void unpackInto(CodeBlock.Builder b, Ast.Unpack u, Map<String, Type> declared) {
    if (u.value() instanceof Ast.Call parts && result.calls().get(parts) != null
        && (parts.callee().equals("chunk") || parts.callee().equals("split"))
        && w.typeOf(parts) instanceof Type.TupleT pieces) {
      unpackViews(b, u, parts, pieces, declared);
      return;
    }
    if (u.value() instanceof Ast.Call bound && result.calls().get(bound) == null && children.boundKind(bound) != null
        && w.typeOf(bound) instanceof Type.TupleT tuple) {
      unpackBound(b, u, bound, tuple, declared);
      return;
    }
    Ast.Call c = u.value() instanceof Ast.Call call && result.calls().get(call) == null
        && children.boundKind(call) == null ? call : null;
    Tuples.Call child = c == null ? null : calls.get(c.callee());
    if (child == null || child.into() == null || !(w.typeOf(c) instanceof Type.TupleT tuple)) {
      throw new Workspace.Unsupported("a tuple unpacking of a call without an allocation-free form");
    }
    List<Ast.Name> targets = Tuples.targets(u.targets(), tuple);
    if (w.loops > 0 && targets.stream().anyMatch(n -> n != null && Mentions.of(c).contains(n.name()))) {
      throw new Workspace.Unsupported("a loop whose buffers would alias");
    }
    w.steps = CodeBlock.builder();
    List<CodeBlock> args = new ArrayList<>();
    for (Expr a : c.args()) {
      if (w.typeOf(a) instanceof Type.TupleT && !(a instanceof Ast.Tuple)) {
        throw new Workspace.Unsupported("a computed tuple argument");
      }
      for (Expr item : a instanceof Ast.Tuple t ? t.items() : List.of(a)) {
        args.add(w.expr(item));
      }
    }
    List<Type.TensorT> leaves = tuple.leaves();
    while (args.size() < leaves.size()) {
      args.add(CodeBlock.of("null")); // an initial state not given: zeros
    }
    String base = JavaText.lowerCamel(c.callee());
    List<CodeBlock> buffers = new ArrayList<>();
    List<String> accessors = child.accessors();
    for (int i = 0; i < leaves.size(); i++) {
      String accessor = accessors.get(i);
      String field = w.freshBuffer(base + Character.toUpperCase(accessor.charAt(0)) + accessor.substring(1),
          leaves.get(i).shape());
      buffers.add(CodeBlock.of("$N", field));
      Ast.Name n = targets.get(i);
      if (n != null) {
        w.points.put(n.name(), new HashSet<>(Set.of(field)));
      }
    }
    String record = ws.record(base + "Result", child.type(),
        CodeBlock.of("new $T($L)", child.type(), CodeBlock.join(buffers, ", ")), "{@code " + c.callee() + "}");
    b.add(w.flushSteps());
    b.add("$N.$N($L, $N); // $L\n", fields.get(c.callee()), child.into(), CodeBlock.join(args, ", "), record,
        Tuples.comment(tuple));
    for (int i = 0; i < targets.size(); i++) {
      Ast.Name n = targets.get(i);
      if (n == null) {
        continue; // '_' discards
      }
      Type t = w.typeOf(n);
      String comment = t instanceof Type.TensorT tt ? " // " + JavaText.shapeComment(tt.shape()) : "";
      if (declared.containsKey(n.name())) {
        b.add("$N = $N.$N();$L\n", w.local(n.name()), record, accessors.get(i), comment);
      } else {
        b.add("$T $N = $N.$N();$L\n", RuntimeTypes.TENSOR, w.local(n.name()), record, accessors.get(i), comment);
      }
      declared.put(n.name(), t);
    }
    ws.tick();
  }

  /**
   * {@code out, weights = attn(q, k, v, key_padding_mask=m)} in the allocation-free forward:
   * the layer writes its output and weights into a record of buffers made with the workspace
   * ({@code attn.forwardInto(q, k, v, mMask, null, true, attnResult)}), or, without weights
   * ({@code out, _ = attn(..., need_weights=False)}), its output into one buffer.
   */
  private void unpackBound(CodeBlock.Builder b, Ast.Unpack u, Ast.Call c, Type.TupleT tuple,
      Map<String, Type> declared) {
    List<Ast.Name> targets = Tuples.targets(u.targets(), tuple);
    List<Type.TensorT> leaves = tuple.leaves();
    Tuples.Call child = calls.get(c.callee());
    boolean weights = children.flag(c, "need_weights");
    if (child == null || targets.size() != (weights ? leaves.size() : 2) || !weights && targets.get(1) != null
        || w.loops > 0 && targets.stream().anyMatch(n -> n != null && Mentions.of(c).contains(n.name()))) {
      throw new Workspace.Unsupported("a tuple unpacking of a call without an allocation-free form");
    }
    String base = JavaText.lowerCamel(c.callee());
    List<String> accessors = child.accessors();
    List<String> buffers = new ArrayList<>();
    java.util.function.Supplier<String> outputs = () -> { // made after the arguments' own steps
      for (int i = 0; i < leaves.size(); i++) {
        String accessor = accessors.get(i);
        buffers.add(w.freshBuffer(base + Character.toUpperCase(accessor.charAt(0)) + accessor.substring(1),
            leaves.get(i).shape()));
      }
      if (!weights) {
        return buffers.get(0);
      }
      List<CodeBlock> fieldsOf = new ArrayList<>();
      buffers.forEach(f -> fieldsOf.add(CodeBlock.of("$N", f)));
      return ws.record(base + "Result", child.type(), CodeBlock.of("new $T($L)", child.type(),
          CodeBlock.join(fieldsOf, ", ")), "{@code " + c.callee() + "}");
    };
    w.steps = CodeBlock.builder();
    String[] holder = new String[1];
    CodeBlock call = weights
        ? children.layerTupleCallInto(c, w.masks(), () -> CodeBlock.of("$N", holder[0] = outputs.get()))
        : children.layerCallInto(c, w.masks(), () -> CodeBlock.of("$N", holder[0] = outputs.get()));
    if (call == null) {
      throw new Workspace.Unsupported("a tuple unpacking of a call without an allocation-free form");
    }
    b.add(w.flushSteps());
    b.add("$L; // $L\n", call, Tuples.comment(tuple));
    for (int i = 0; i < targets.size(); i++) {
      Ast.Name n = targets.get(i);
      if (n == null) {
        continue; // '_' discards
      }
      w.points.put(n.name(), new HashSet<>(Set.of(buffers.get(i))));
      CodeBlock value = weights ? CodeBlock.of("$N.$N()", holder[0], accessors.get(i)) : CodeBlock.of("$N", buffers.get(i));
      Type t = w.typeOf(n);
      String comment = t instanceof Type.TensorT tt ? " // " + JavaText.shapeComment(tt.shape()) : "";
      if (declared.containsKey(n.name())) {
        b.add("$N = $L;$L\n", w.local(n.name()), value, comment);
      } else {
        b.add("$T $N = $L;$L\n", RuntimeTypes.TENSOR, w.local(n.name()), value, comment);
      }
      declared.put(n.name(), t);
    }
    ws.tick();
  }

  /**
   * {@code a, b = chunk(x, 2, dim=0)} (or {@code split}) of a buffer in the allocation-free
   * forward: each target names a view field of the buffer ({@code x.narrow(dim, start, size)})
   * made when the buffers are sized, so a warm forward makes none.
   */
  private void unpackViews(CodeBlock.Builder b, Ast.Unpack u, Ast.Call c, Type.TupleT pieces,
      Map<String, Type> declared) {
    Map<String, Object> a = result.calls().get(c);
    Expr input = (Expr) a.get("input");
    if (!(w.typeOf(input) instanceof Type.TensorT in) || !in.shape().knownRank()) {
      throw new Workspace.Unsupported("a split of a value of unknown rank");
    }
    w.steps = CodeBlock.builder();
    CodeBlock operand = w.expr(input);
    String base = w.bufferField(input, operand);
    b.add(w.flushSteps());
    int rank = in.shape().rank();
    int dim = (int) (long) (Long) a.get("dim");
    int d = dim < 0 ? dim + rank : dim;
    boolean dense = w.isContiguous(base);
    for (int i = 0; i < d; i++) {
      dense &= in.shape().dim(i) instanceof Dim.Known k && k.size() == 1;
    }
    List<Ast.Name> targets = Tuples.targets(u.targets(), pieces);
    List<Type.TensorT> leaves = pieces.leaves();
    List<Dim> before = new ArrayList<>();
    for (int i = 0; i < leaves.size(); i++) {
      Shape shape = leaves.get(i).shape();
      CodeBlock start = w.sumOf(before);
      before.add(shape.dim(d));
      Ast.Name n = targets.get(i);
      if (n == null || !w.readLater(n.name())) {
        continue; // '_', or a piece nothing reads: not computed
      }
      CodeBlock value;
      String at;
      if (dense) { // a piece of a dense buffer along its outer dims: a view, made once
        at = w.viewField(JavaText.lowerCamel(n.name()) + "View", base,
            CodeBlock.of("$N.narrow($L, $L, $L)", base, d, start, ws.dims(new Shape(List.of(shape.dim(d))))), shape,
            true);
        value = CodeBlock.of("$N", at);
      } else { // a strided piece: copied, so that the layer reading it needs no copy of its own
        at = w.freshBuffer(JavaText.lowerCamel(n.name()) + "Out", shape);
        value = CodeBlock.of("$T.narrowCopy($L, $L, $L, $N)", TensorOpsWriter.OUT, operand, d, start, at);
      }
      w.points.put(n.name(), new HashSet<>(Set.of(at)));
      String comment = " // " + JavaText.shapeComment(shape);
      if (declared.containsKey(n.name())) {
        b.add("$N = $L;$L\n", w.local(n.name()), value, comment);
      } else {
        b.add("$T $N = $L;$L\n", RuntimeTypes.TENSOR, w.local(n.name()), value, comment);
      }
      declared.put(n.name(), leaves.get(i));
    }
    ws.tick();
  }

  /** {@code return a, (b, c)} in the allocating forward: a new {@code Output} of the leaves. */
  void returnNew(CodeBlock.Builder b, Ast.Return r) {
    b.addStatement("return new Output($L)", CodeBlock.join(leaves(b, r.value(), false), ", "));
  }

  /**
   * {@code return a, b, c} into the {@code Output} record the caller gave: each tensor written
   * into its component, in order.
   */
  void returnInto(CodeBlock.Builder b, Ast.Return r) {
    List<Expr> items = new ArrayList<>();
    if (!(r.value() instanceof Ast.Tuple t) || !flatten(t, items)) {
      throw new Workspace.Unsupported("a computed tuple result");
    }
    List<String> components = Tuples.components(result.block(), items.size());
    for (int i = 0; i < items.size(); i++) {
      Expr item = items.get(i);
      String dest = locals.newName(components.get(i) + "Out", new Object());
      w.steps = CodeBlock.builder();
      CodeBlock code = w.into(item, dest);
      b.addStatement("$T $N = $N.$N()", RuntimeTypes.TENSOR, dest, w.output(), components.get(i));
      b.add(w.flushSteps()).add("$L; // $L\n", code, JavaText.shapeComment(((Type.TensorT) w.typeOf(item)).shape()));
      ws.tick();
    }
    b.addStatement("return $N", w.output());
  }

  /** Adds the tensors of {@code t} to {@code out} in order, nested tuples flattened; false if one is computed. */
  private boolean flatten(Ast.Tuple t, List<Expr> out) {
    for (Expr item : t.items()) {
      if (item instanceof Ast.Tuple inner) {
        if (!flatten(inner, out)) {
          return false;
        }
      } else if (w.typeOf(item) instanceof Type.TensorT) {
        out.add(item);
      } else {
        return false;
      }
    }
    return true;
  }

  /** {@code call[i]} of a child {@code c} whose result is a flat tuple: its record's accessor. */
  CodeBlock item(Ast.Subscript sub, Ast.Call c) {
    int i = LayerCalls.literalIndex(sub.items().get(0));
    Tuples.Call child = calls.get(c.callee());
    List<String> accessors = child.accessors();
    CodeBlock call = children.layerCall(c);
    if (call == null) {
      List<CodeBlock> args = new ArrayList<>();
      c.args().forEach(a -> args.add(w.expr(a)));
      call = CodeBlock.of("$N.$N($L)", fields.get(c.callee()), child.method(), CodeBlock.join(args, ", "));
    }
    return CodeBlock.of("$L.$N()", call, accessors.get(i < 0 ? i + accessors.size() : i));
  }

  /**
   * The tensors of tuple-valued {@code e} in order, nested tuples flattened: a tuple written
   * out gives its items (with {@code hold}, each first held in a local, so that unpacking
   * assigns only after evaluating them all, as Python does), a layer's or block's result its record's
   * accessors, {@code chunk} and {@code split} their list's items.
   */
  private List<CodeBlock> leaves(CodeBlock.Builder b, Expr e, boolean hold) {
    List<CodeBlock> out = new ArrayList<>();
    if (e instanceof Ast.Tuple t) {
      for (Expr item : t.items()) {
        if (w.typeOf(item) instanceof Type.TupleT) {
          out.addAll(leaves(b, item, hold));
        } else if (!hold) {
          out.add(w.expr(item));
        } else {
          String tmp = locals.newName("item", new Object());
          b.add("$T $N = $L;\n", RuntimeTypes.TENSOR, tmp, w.expr(item));
          out.add(CodeBlock.of("$N", tmp));
        }
      }
      return out;
    }
    Ast.Call c = (Ast.Call) e;
    Tuples.Call child = calls.get(c.callee());
    if (child != null && result.calls().get(c) == null && children.boundKind(c) != null) {
      String tmp = locals.newName(JavaText.lowerCamel(c.callee()) + "Result", new Object());
      b.add("$T $N = $L; // $L\n", child.type(), tmp, children.layerCall(c), Tuples.comment(w.typeOf(e)));
      child.accessors().forEach(name -> out.add(CodeBlock.of("$N.$N()", tmp, name)));
      return out;
    }
    if (child != null && result.calls().get(c) == null) {
      List<CodeBlock> args = new ArrayList<>();
      for (Expr a : c.args()) {
        if (w.typeOf(a) instanceof Type.TupleT) {
          args.addAll(leaves(b, a, false));
        } else {
          args.add(w.expr(a));
        }
      }
      String tmp = locals.newName(JavaText.lowerCamel(c.callee()) + "Result", new Object());
      b.add("$T $N = $N.$N($L); // $L\n", child.type(), tmp, fields.get(c.callee()), child.method(),
          CodeBlock.join(args, ", "), Tuples.comment(w.typeOf(e)));
      child.accessors().forEach(name -> out.add(CodeBlock.of("$N.$N()", tmp, name)));
      return out;
    }
    Map<String, Object> a = result.calls().get(c);
    String tmp = locals.newName("parts", new Object());
    CodeBlock in = w.expr((Expr) a.get("input"));
    Object sizes = a.get(c.callee().equals("chunk") ? "chunks" : "split_size_or_sections");
    CodeBlock size = sizes instanceof List<?> l ? ints(l) : CodeBlock.of("$L", intOf(sizes));
    b.add("$T<$T> $N = $L.$N($L, $L); // $L\n", RuntimeTypes.LIST, RuntimeTypes.TENSOR, tmp, in, c.callee(), size,
        intOf(a.get("dim")), Tuples.comment(w.typeOf(e)));
    int n = ((Type.TupleT) w.typeOf(e)).size();
    for (int i = 0; i < n; i++) {
      out.add(CodeBlock.of("$N.get($L)", tmp, i));
    }
    return out;
  }
}
