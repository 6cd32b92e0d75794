package dev.netspec.compiler.generate;

import com.palantir.javapoet.CodeBlock;
import dev.netspec.compiler.check.Model.BuiltinUse;
import dev.netspec.compiler.check.Model.Child;
import dev.netspec.compiler.infer.DType;
import dev.netspec.compiler.infer.Inference.Result;
import dev.netspec.compiler.infer.LayerCalls;
import dev.netspec.compiler.infer.Type;
import dev.netspec.compiler.layers.CallParam;
import dev.netspec.compiler.layers.LayerKind;
import dev.netspec.compiler.parse.Ast;
import dev.netspec.compiler.parse.Ast.Expr;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Writes the calls of a block's children that return a tensor ({@code fc.forward(x)}, {@code
 * attn.forward(q, k, v, ...)} bound to the layer's call signature) and answers which builtin
 * layer a call runs, for the fusions of {@link ForwardWriter}.
 */
final class ChildCallWriter {
  private final Result result;
  private final Map<String, String> fields;
  private final Function<Expr, CodeBlock> expr;
  private final Function<Expr, Type> typeOf;

  /** @param fields Java field name of every child, by spec name */
  ChildCallWriter(Result result, Map<String, String> fields, Function<Expr, CodeBlock> expr, Function<Expr, Type> typeOf) {
    this.result = result;
    this.fields = fields;
    this.expr = expr;
    this.typeOf = typeOf;
  }

  /** The kind of the builtin, not lazy, child that {@code c} calls, or null. */
  LayerKind kindOf(Ast.Call c) {
    return result.calls().get(c) != null || !fields.containsKey(c.callee()) ? null
        : Epilogue.childKind(result, c.callee());
  }

  /**
   * The kind of the child {@code c} calls when the call is bound to the kind's {@linkplain
   * LayerKind#callParams call signature} (several arguments or keywords), else null.
   */
  LayerKind boundKind(Ast.Call c) {
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
  CodeBlock layerCall(Ast.Call c) {
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
      CodeBlock code = expr.apply(arg);
      if (p.kind() == CallParam.Kind.MASK) {
        boolean bool = typeOf.apply(arg) instanceof Type.TensorT t && t.dtype() == DType.BOOL;
        code = CodeBlock.of("$T.$N($L)", RuntimeTypes.ATTENTION_MASK, bool ? "ofBool" : "of", code);
      }
      tensors.put(p.name(), code);
    }
    return kind.call(CodeBlock.of("$N", fields.get(c.callee())), tensors, LayerCalls.flags(kind.callParams(), bound));
  }

  /** Whether {@code c} calls a child (a builtin, not lazy) that runs an activation in its epilogue. */
  boolean fusesActivation(Ast.Call c) {
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

  /**
   * A call of a child with a tensor result: {@code fc.forward(x)}, or for a block with several
   * inputs {@code attention.forwardInputs(h, mask)} (tuple results are unpacked elsewhere).
   */
  CodeBlock childCall(CodeBlock module, Ast.Call c) {
    if (c.args().size() == 1) {
      return CodeBlock.of("$L.forward($L)", module, expr.apply(c.args().get(0)));
    }
    List<CodeBlock> args = new ArrayList<>();
    c.args().forEach(x -> args.add(expr.apply(x)));
    return CodeBlock.of("$L.$N($L)", module, TypedForward.INPUTS_METHOD, CodeBlock.join(args, ", "));
  }
}
