package dev.netspec.compiler.generate;

import com.palantir.javapoet.CodeBlock;
import dev.netspec.compiler.infer.Functions;
import dev.netspec.compiler.infer.Type;
import dev.netspec.compiler.parse.Ast;
import dev.netspec.compiler.parse.Ast.Expr;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Writes the allocating Java of the builtin functions and operators of a forward: {@code
 * x.relu()}, {@code x.softmax(-1)}, {@code Functional.maxPool2d(x, 2)}, {@code x.add(y)}, each
 * returning a new tensor. {@link ForwardWriter} writes the statements around them.
 */
final class FunctionWriter {
  private final Function<Expr, CodeBlock> expr;
  private final TensorOpsWriter tensorOps;

  /** @param expr the Java of an operand (a nested step in the allocation-free forward) */
  FunctionWriter(Function<Expr, CodeBlock> expr, TensorOpsWriter tensorOps) {
    this.expr = expr;
    this.tensorOps = tensorOps;
  }

  private static final Map<String, String> JAVA_ARITHMETIC = Map.of(
      "+", "+", "-", "-", "*", "*", "/", "/", "<", "<", ">", ">", "<=", "<=", ">=", ">=", "==", "==",
      "!=", "!=");

  private static final Map<String, String> METHODS = Map.of(
      "+", "add", "-", "sub", "*", "mul", "/", "div", "**", "pow",
      "<", "lt", ">", "gt", "<=", "le", ">=", "ge", "==", "eq");

  /** {@code b} on operands of types {@code lt} and {@code rt}: Java arithmetic on numbers, a tensor method otherwise. */
  CodeBlock binary(Ast.Binary b, Type lt, Type rt) {
    String op = b.op();
    boolean lTensor = lt instanceof Type.TensorT;
    boolean rTensor = rt instanceof Type.TensorT;
    CodeBlock l = expr.apply(b.left());
    CodeBlock r = expr.apply(b.right());
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

  /** The call of builtin function {@code c} with its bound arguments {@code a}. */
  CodeBlock call(Ast.Call c, Map<String, Object> a) {
    Functions.Fn fn = Functions.get(c.callee());
    switch (fn.kind()) {
      case TENSOR_OP:
        return tensorOps.call(c.callee(), a);
      case LOSS:
        return LossWriter.call(c.callee(), a, expr);
      case ELEMENTWISE:
        if ("tanh".equals(a.get("approximate"))) {
          return CodeBlock.of("$T.gelu($L, $S)", RuntimeTypes.FUNCTIONAL, arg(a, "input"), "tanh");
        }
        CodeBlock functional = functional(c.callee(), a, arg(a, "input"), null);
        return functional != null ? functional : CodeBlock.of("$L.$N()", arg(a, "input"), c.callee());
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
      case CONCAT:
      case STACK: {
        List<CodeBlock> parts = new ArrayList<>();
        for (Expr item : ((Ast.Tuple) a.get("tensors")).items()) {
          parts.add(expr.apply(item));
        }
        return CodeBlock.of("$T.$N($T.of($L), $L)", RuntimeTypes.TENSOR,
            fn.kind() == Functions.Kind.STACK ? "stack" : "concat", RuntimeTypes.LIST, CodeBlock.join(parts, ", "),
            intOf(a.get("dim")));
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

  /**
   * The elementwise functions the runtime has in {@code Functional}, with their constants:
   * {@code Functional.leakyRelu(x, 0.01f)}, or its allocation-free form writing {@code out}
   * when that is not null ({@code Functional.clampInto(x, 0.0f, Float.POSITIVE_INFINITY,
   * out)}); null for any other function.
   */
  static CodeBlock functional(String callee, Map<String, Object> a, CodeBlock in, CodeBlock out) {
    List<CodeBlock> args = new ArrayList<>(List.of(in));
    switch (callee) {
      case "silu":
        break;
      case "leaky_relu":
        args.add(floatOf(a.get("negative_slope")));
        break;
      case "clamp": // an absent bound is an infinity
        args.add(a.get("min") instanceof Double min ? floatOf(min) : CodeBlock.of("Float.NEGATIVE_INFINITY"));
        args.add(a.get("max") instanceof Double max ? floatOf(max) : CodeBlock.of("Float.POSITIVE_INFINITY"));
        break;
      default:
        return null;
    }
    if (out != null) {
      args.add(out);
    }
    return CodeBlock.of("$T.$N($L)", RuntimeTypes.FUNCTIONAL, JavaText.lowerCamel(callee) + (out != null ? "Into" : ""),
        CodeBlock.join(args, ", "));
  }

  /** A number constant as a Java float literal: {@code 0.2f}. */
  private static CodeBlock floatOf(Object v) {
    return CodeBlock.of("$Lf", (float) (double) (Double) v);
  }

  /** Constant sizes as an {@code int[]} literal: {@code new int[] {2, 1}}. */
  static CodeBlock ints(List<?> values) {
    return CodeBlock.of("new int[] {$L}", intList(values));
  }

  /** Constant sizes as Java int arguments: {@code 2, 1}. */
  private static CodeBlock intList(List<?> values) {
    List<CodeBlock> parts = new ArrayList<>();
    values.forEach(v -> parts.add(CodeBlock.of("$L", ((Long) v).intValue())));
    return CodeBlock.join(parts, ", ");
  }

  private CodeBlock arg(Map<String, Object> a, String name) {
    return expr.apply((Expr) a.get(name));
  }

  static int intOf(Object v) {
    return ((Long) v).intValue();
  }
}
