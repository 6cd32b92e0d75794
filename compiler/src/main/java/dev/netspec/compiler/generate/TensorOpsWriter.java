package dev.netspec.compiler.generate;

import com.palantir.javapoet.CodeBlock;
import dev.netspec.compiler.infer.DType;
import dev.netspec.compiler.infer.Dim;
import dev.netspec.compiler.infer.Functions;
import dev.netspec.compiler.infer.Shape;
import dev.netspec.compiler.infer.Type;
import dev.netspec.compiler.parse.Ast;
import dev.netspec.compiler.parse.Ast.Expr;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Writes the tensor operations of {@code infer.TensorOps} as calls of the runtime: subscripts
 * as chains of views ({@code x.select(1, 0).slice(1, 0, n)}), views, masks, {@code arange}
 * and {@code Functional.scaledDotProductAttention}. Sizes given as values are Java ints: int
 * literals, argument fields and the input's sizes ({@code x.size(1)}).
 */
final class TensorOpsWriter {
  private static final com.palantir.javapoet.ClassName ATTENTION_MASK =
      com.palantir.javapoet.ClassName.get("dev.netspec.runtime.nn", "AttentionMask");

  private final Function<Expr, CodeBlock> expr;
  private final Function<Expr, Type> typeOf;
  /** The Java int of a name: an int argument's field or an input size; null for other names. */
  private final Function<String, CodeBlock> intName;

  TensorOpsWriter(Function<Expr, CodeBlock> expr, Function<Expr, Type> typeOf, Function<String, CodeBlock> intName) {
    this.expr = expr;
    this.typeOf = typeOf;
    this.intName = intName;
  }

  /** {@code target[items]} as views of the target. */
  CodeBlock subscript(Ast.Subscript s) {
    CodeBlock.Builder b = CodeBlock.builder().add("$L", expr.apply(s.target()));
    Shape in = typeOf.apply(s.target()).shapeOrNull();
    int consumed = 0;
    for (Expr item : s.items()) {
      consumed += item instanceof Ast.NoneLit || item instanceof Ast.Ellipsis ? 0 : 1;
    }
    int d = 0; // the dim of the result so far that the next item indexes
    for (Expr item : s.items()) {
      if (item instanceof Ast.NoneLit) {
        b.add(".unsqueeze($L)", d++);
      } else if (item instanceof Ast.Ellipsis) {
        d += in.rank() - consumed;
      } else if (item instanceof Ast.Slice sl) {
        if (sl.start() != null || sl.stop() != null || sl.step() != null) {
          CodeBlock start = sl.start() == null ? CodeBlock.of("0") : intExpr(sl.start());
          CodeBlock stop = sl.stop() == null ? CodeBlock.of("$T.MAX_VALUE", Integer.class) : intExpr(sl.stop());
          if (sl.step() == null) {
            b.add(".slice($L, $L, $L)", d, start, stop);
          } else {
            b.add(".slice($L, $L, $L, $L)", d, start, stop, intExpr(sl.step()));
          }
        }
        d++;
      } else {
        b.add(".select($L, $L)", d, intExpr(item));
      }
    }
    return b.build();
  }

  /** A call of one of the operations, its arguments bound by the inference. */
  CodeBlock call(String callee, Map<String, Object> a) {
    switch (callee) {
      case "reshape":
      case "view": {
        Object shape = a.get("shape");
        List<Expr> items = shape instanceof Ast.Tuple t ? t.items() : List.of((Expr) shape);
        List<CodeBlock> sizes = new ArrayList<>();
        items.forEach(i -> sizes.add(intExpr(i)));
        return CodeBlock.of("$L.$N($L)", arg(a, "input"), callee, CodeBlock.join(sizes, ", "));
      }
      case "permute": {
        List<CodeBlock> dims = new ArrayList<>();
        ((List<?>) a.get("dims")).forEach(d -> dims.add(CodeBlock.of("$L", d)));
        return CodeBlock.of("$L.permute($L)", arg(a, "input"), CodeBlock.join(dims, ", "));
      }
      case "unsqueeze":
        return CodeBlock.of("$L.unsqueeze($L)", arg(a, "input"), a.get("dim"));
      case "squeeze":
        return squeeze(a);
      case "contiguous":
        return CodeBlock.of("$L.contiguous()", arg(a, "input"));
      case "masked_fill":
        return CodeBlock.of("$L.maskedFill($L, $L)", arg(a, "input"), arg(a, "mask"), arg(a, "value"));
      case "where":
        return CodeBlock.of("$T.where($L, $L, $L)", RuntimeTypes.TENSOR, arg(a, "condition"), tensorArg(a, "input"),
            tensorArg(a, "other"));
      case "tril":
      case "triu":
        return CodeBlock.of("$L.$N($L)", arg(a, "input"), callee, a.get("diagonal"));
      case "arange":
        if (a.get("start") instanceof Long l && l == 0 && a.get("step") instanceof Long s && s == 1) {
          return CodeBlock.of("$T.arange($L)", RuntimeTypes.TENSOR, intExpr((Expr) a.get("end")));
        }
        return CodeBlock.of("$T.arange($L, $L, $L)", RuntimeTypes.TENSOR, intArg(a.get("start")),
            intExpr((Expr) a.get("end")), intArg(a.get("step")));
      case "scaled_dot_product_attention":
        return attention(a);
      case "float":
        return CodeBlock.of("$T.$N", Float.class,
            ((Ast.Str) a.get("x")).value().startsWith("-") ? "NEGATIVE_INFINITY" : "POSITIVE_INFINITY");
      default:
        throw new IllegalStateException("not a tensor operation: " + callee);
    }
  }

  /** The operations that are views of their input: their code on another operand is {@link #viewOn}. */
  static final java.util.Set<String> VIEWS = java.util.Set.of("reshape", "view", "permute", "unsqueeze", "squeeze",
      "transpose");

  /**
   * The view {@code callee} (one of {@link #VIEWS}) or subscript {@code sub} written on {@code
   * operand}, a Java expression, instead of on the spec's input: {@code qOut.reshape(batch, seq,
   * numAttentionHeads, -1)}.
   */
  CodeBlock viewOn(Expr e, Expr input, CodeBlock operand, Map<String, Object> a) {
    TensorOpsWriter on = new TensorOpsWriter(x -> x == input ? operand : expr.apply(x), typeOf, intName);
    if (e instanceof Ast.Subscript sub) {
      return on.subscript(sub);
    }
    String callee = ((Ast.Call) e).callee();
    if (callee.equals("transpose")) {
      return CodeBlock.of("$L.transpose($L, $L)", operand, a.get("dim0"), a.get("dim1"));
    }
    return on.call(callee, a);
  }

  /**
   * {@code Functional.scaledDotProductAttentionInto(q, k, v, mask, causal, out)}, or {@code
   * scaledDotProductAttentionBoolInto(q, k, v, mask, out)} for a boolean mask (attend where True).
   */
  CodeBlock attentionInto(Map<String, Object> a, List<CodeBlock> qkv, CodeBlock out) {
    CodeBlock mask = CodeBlock.of("null");
    if (a.get("attn_mask") instanceof Expr m) {
      if (typeOf.apply(m) instanceof Type.TensorT t && t.dtype() == DType.BOOL) { // attend where True
        return Boolean.TRUE.equals(a.get("is_causal")) ? null
            : CodeBlock.of("$T.scaledDotProductAttentionBoolInto($L, $L, $L, $L, $L)", RuntimeTypes.FUNCTIONAL,
                qkv.get(0), qkv.get(1), qkv.get(2), expr.apply(m), out);
      }
      mask = expr.apply(m);
    }
    return CodeBlock.of("$T.scaledDotProductAttentionInto($L, $L, $L, $L, $L, $L)", RuntimeTypes.FUNCTIONAL,
        qkv.get(0), qkv.get(1), qkv.get(2), mask, a.get("is_causal"), out);
  }

  /** The mask operations with an {@code out=} form in the runtime's {@code Out}: their operands in order. */
  static final Map<String, List<String>> MASKS = Map.of("masked_fill", List.of("input", "mask", "value"), "where",
      List.of("condition", "input", "other"), "tril", List.of("input"), "triu", List.of("input"));

  /**
   * {@code Out.maskedFill(x, mask, value, out)}, {@code Out.where(cond, a, b, out)} (a number
   * stays a float), {@code Out.tril(x, diagonal, out)} or {@code Out.triu(...)}: one of
   * {@link #MASKS} written into {@code out}, its operands already written.
   */
  static CodeBlock maskInto(String callee, List<CodeBlock> operands, Map<String, Object> a, CodeBlock out) {
    String method = callee.equals("masked_fill") ? "maskedFill" : callee;
    List<CodeBlock> args = new ArrayList<>(operands);
    if (a.get("diagonal") != null) {
      args.add(CodeBlock.of("$L", a.get("diagonal")));
    }
    args.add(out);
    return CodeBlock.of("$T.$N($L)", OUT, method, CodeBlock.join(args, ", "));
  }

  /** {@code Out.arange(start, out)}; null for a step other than 1. */
  CodeBlock arangeInto(Map<String, Object> a, CodeBlock out) {
    if (!(a.get("step") instanceof Long step && step == 1)) {
      return null;
    }
    return CodeBlock.of("$T.arange($L, $L)", OUT, intArg(a.get("start")), out);
  }

  static final com.palantir.javapoet.ClassName OUT = com.palantir.javapoet.ClassName.get("dev.netspec.runtime.tensor",
      "Out");

  private CodeBlock squeeze(Map<String, Object> a) {
    Expr input = (Expr) a.get("input");
    if (a.get("dim") != Functions.NONE) {
      return CodeBlock.of("$L.squeeze($L)", expr.apply(input), a.get("dim"));
    }
    CodeBlock.Builder b = CodeBlock.builder().add("$L", expr.apply(input));
    Shape s = typeOf.apply(input).shapeOrNull();
    for (int i = s.rank() - 1; i >= 0; i--) { // from the last, so that the earlier dims keep their index
      if (s.dim(i).equals(Dim.of(1))) {
        b.add(".squeeze($L)", i);
      }
    }
    return b.build();
  }

  private CodeBlock attention(Map<String, Object> a) {
    CodeBlock mask = CodeBlock.of("null");
    if (a.get("attn_mask") instanceof Expr m) {
      boolean bool = typeOf.apply(m) instanceof Type.TensorT t && t.dtype() == DType.BOOL;
      mask = CodeBlock.of("$T.$N($L)", ATTENTION_MASK, bool ? "ofBool" : "of", expr.apply(m));
    }
    return CodeBlock.of("$T.scaledDotProductAttention($L, $L, $L, $L, $L)", RuntimeTypes.FUNCTIONAL,
        arg(a, "query"), arg(a, "key"), arg(a, "value"), mask, a.get("is_causal"));
  }

  private CodeBlock arg(Map<String, Object> a, String name) {
    return expr.apply((Expr) a.get(name));
  }

  /** A tensor operand, a number lifted to a scalar tensor ({@code where(mask, x, 0.0)}). */
  private CodeBlock tensorArg(Map<String, Object> a, String name) {
    Expr e = (Expr) a.get(name);
    return typeOf.apply(e) instanceof Type.TensorT ? expr.apply(e)
        : CodeBlock.of("$T.scalar($L)", RuntimeTypes.TENSOR, expr.apply(e));
  }

  private CodeBlock intArg(Object v) {
    return v instanceof Long l ? CodeBlock.of("$L", l) : intExpr((Expr) v);
  }

  /** An int-valued expression (checked by the inference) as Java int arithmetic. */
  CodeBlock intExpr(Expr e) {
    if (e instanceof Ast.Num n) {
      return CodeBlock.of("$L", (long) n.value());
    }
    if (e instanceof Ast.Name n) {
      return intName.apply(n.name());
    }
    if (e instanceof Ast.Unary u) {
      return CodeBlock.of("-$L", intExpr(u.operand()));
    }
    Ast.Binary b = (Ast.Binary) e;
    CodeBlock l = b.left() instanceof Ast.Binary ? CodeBlock.of("($L)", intExpr(b.left())) : intExpr(b.left());
    CodeBlock r = b.right() instanceof Ast.Binary ? CodeBlock.of("($L)", intExpr(b.right())) : intExpr(b.right());
    return CodeBlock.of("$L $L $L", l, b.op().equals("+") ? "+" : b.op().equals("-") ? "-" : "*", r);
  }
}
