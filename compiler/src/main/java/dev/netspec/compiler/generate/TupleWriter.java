package dev.netspec.compiler.generate;

import static dev.netspec.compiler.generate.FunctionWriter.intOf;
import static dev.netspec.compiler.generate.FunctionWriter.ints;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.NameAllocator;
import dev.netspec.compiler.infer.Inference.Result;
import dev.netspec.compiler.infer.LayerCalls;
import dev.netspec.compiler.infer.Type;
import dev.netspec.compiler.parse.Ast;
import dev.netspec.compiler.parse.Ast.Expr;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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

  /** {@code return a, (b, c)} in the allocating forward: a new {@code Output} of the leaves. */
  void returnNew(CodeBlock.Builder b, Ast.Return r) {
    b.addStatement("return new Output($L)", CodeBlock.join(leaves(b, r.value(), false), ", "));
  }

  /**
   * {@code return a, b, c} into the {@code Output} record the caller gave: each tensor written
   * into its component, in order.
   */
  void returnInto(CodeBlock.Builder b, Ast.Return r) {
    if (!(r.value() instanceof Ast.Tuple t) || t.items().stream().anyMatch(i -> !(w.typeOf(i) instanceof Type.TensorT))) {
      throw new Workspace.Unsupported("a nested or computed tuple result");
    }
    List<String> components = Tuples.components(result.block(), t.items().size());
    for (int i = 0; i < t.items().size(); i++) {
      Expr item = t.items().get(i);
      String dest = locals.newName(components.get(i) + "Out", new Object());
      w.steps = CodeBlock.builder();
      CodeBlock code = w.into(item, dest);
      b.addStatement("$T $N = $N.$N()", RuntimeTypes.TENSOR, dest, w.output(), components.get(i));
      b.add(w.flushSteps()).add("$L; // $L\n", code, JavaText.shapeComment(((Type.TensorT) w.typeOf(item)).shape()));
      ws.tick();
    }
    b.addStatement("return $N", w.output());
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
