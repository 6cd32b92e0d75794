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
import java.util.function.Supplier;

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
    Map<String, Expr> bound = bind(c, kind);
    return kind.call(field(c), arguments(c, kind, bound, NEW_MASK), LayerCalls.flags(kind.callParams(), bound));
  }

  /**
   * How the Java of a mask's values becomes an {@code AttentionMask}, passed to {@code layer}
   * as its {@code param} ({@code tgt_mask}).
   */
  interface Masks {
    CodeBlock wrap(CodeBlock values, boolean bool, String layer, String param);
  }

  /** A new mask at every call: {@code AttentionMask.ofBool(m)}. */
  private static final Masks NEW_MASK = (values, bool, layer, param) ->
      CodeBlock.of("$T.$N($L)", RuntimeTypes.ATTENTION_MASK, bool ? "ofBool" : "of", values);

  /**
   * A bound layer call written into {@code out}, the layer's {@link LayerKind#callInto}
   * ({@code decoder.forward(tgt, memory, tgtMaskMask, null, null, padMask, decoderOut)}), each
   * mask wrapped by {@code masks}; null when the layer has no such form. {@code out} gives the
   * destination once the arguments are written.
   */
  CodeBlock layerCallInto(Ast.Call c, Masks masks, Supplier<CodeBlock> out) {
    LayerKind kind = boundKind(c);
    Map<String, Expr> bound = bind(c, kind);
    Map<String, Boolean> flags = LayerCalls.flags(kind.callParams(), bound);
    if (kind.callInto(field(c), Map.of(), flags, CodeBlock.of("out")) == null) {
      return null; // before the arguments write any step
    }
    Map<String, CodeBlock> tensors = arguments(c, kind, bound, masks);
    return kind.callInto(field(c), tensors, flags, out.get()); // the buffer made after its operands
  }

  /**
   * A bound layer call with a tuple result written into the record {@code record}, the layer's
   * {@link LayerKind#tupleCallInto}; null when the layer has no such form.
   */
  CodeBlock layerTupleCallInto(Ast.Call c, Masks masks, Supplier<CodeBlock> record) {
    LayerKind kind = boundKind(c);
    Map<String, Expr> bound = bind(c, kind);
    Map<String, Boolean> flags = LayerCalls.flags(kind.callParams(), bound);
    if (kind.tupleCallInto(field(c), Map.of(), flags, CodeBlock.of("record")) == null) {
      return null;
    }
    Map<String, CodeBlock> tensors = arguments(c, kind, bound, masks);
    return kind.tupleCallInto(field(c), tensors, flags, record.get());
  }

  /** Whether the bound call {@code c} asks for a flag ({@code need_weights}), given or by default. */
  boolean flag(Ast.Call c, String name) {
    LayerKind kind = boundKind(c);
    return Boolean.TRUE.equals(LayerCalls.flags(kind.callParams(), bind(c, kind)).get(name));
  }

  private CodeBlock field(Ast.Call c) {
    return CodeBlock.of("$N", fields.get(c.callee()));
  }

  private static Map<String, Expr> bind(Ast.Call c, LayerKind kind) {
    return LayerCalls.bind(c.callee(), kind.callParams(), c, (loc, message) -> {
      throw new IllegalStateException(message); // inference reported it already
    });
  }

  /** The Java of each tensor and mask given, in the order of the call's parameters; masks wrapped. */
  private Map<String, CodeBlock> arguments(Ast.Call c, LayerKind kind, Map<String, Expr> bound, Masks masks) {
    Map<String, CodeBlock> tensors = new LinkedHashMap<>();
    for (CallParam p : kind.callParams()) {
      Expr arg = bound.get(p.name());
      if (arg == null || p.kind() == CallParam.Kind.FLAG) {
        continue;
      }
      CodeBlock code = expr.apply(arg);
      if (p.kind() == CallParam.Kind.MASK) {
        boolean bool = typeOf.apply(arg) instanceof Type.TensorT t && t.dtype() == DType.BOOL;
        code = masks.wrap(code, bool, c.callee(), p.name());
      }
      tensors.put(p.name(), code);
    }
    return tensors;
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
