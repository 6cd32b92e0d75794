package dev.netspec.compiler.generate;

import com.palantir.javapoet.CodeBlock;
import dev.netspec.compiler.check.Model.ArgType;
import dev.netspec.compiler.infer.ArgCondition;
import dev.netspec.compiler.infer.Inference.Result;
import dev.netspec.compiler.infer.Type;
import dev.netspec.compiler.parse.Ast;
import dev.netspec.compiler.parse.Ast.Expr;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Writes the Java booleans of a forward's {@code if}/{@code while} conditions and the Java
 * floats they compare: a test of the block's arguments on their fields ({@code stride != 1 ||
 * inPlanes != planes}), a test of tensors on their values ({@code x.sum().item() > 0f}).
 */
final class ConditionWriter {
  private final Result result;
  private final Map<String, String> fields;
  private final Function<Expr, CodeBlock> expr;
  private final Function<Expr, Type> typeOf;
  /** Whether the forward written is the allocation-free one (a reduction to a float then makes no tensor). */
  private final boolean buffered;

  /** @param fields Java field name of every argument, by spec name */
  ConditionWriter(Result result, Map<String, String> fields, Function<Expr, CodeBlock> expr, Function<Expr, Type> typeOf,
      boolean buffered) {
    this.result = result;
    this.fields = fields;
    this.expr = expr;
    this.typeOf = typeOf;
    this.buffered = buffered;
  }

  /** A Java boolean expression for a {@code while}/{@code if} condition. */
  CodeBlock condition(Expr e) {
    if (onArgsOnly(e)) {
      return CodeBlock.of("$L", ArgCondition.toJava(e, fields::get)); // stride != 1 || inPlanes != planes
    }
    Type t = typeOf.apply(e);
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
      return expr.apply(e);
    }
    return CodeBlock.of("$L != 0f", scalar(e));
  }

  /**
   * Whether {@code e} is a true-or-false test of the block's arguments alone ({@code stride != 1
   * or in_planes != planes}), written in Java on their fields as they are typed.
   */
  boolean onArgsOnly(Expr e) {
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
  CodeBlock scalar(Expr e) {
    if (buffered && e instanceof Ast.Call c && result.calls().get(c) != null
        && (c.callee().equals("sum") || c.callee().equals("mean"))
        && !(result.calls().get(c).get("dim") instanceof Long)) {
      return CodeBlock.of("$L.$N()", expr.apply((Expr) result.calls().get(c).get("input")), c.callee() + "AsFloat");
    }
    return typeOf.apply(e) instanceof Type.TensorT ? CodeBlock.of("$L.item()", expr.apply(e)) : expr.apply(e);
  }

  /** Java's operator for each comparison (constants, so no spec text reaches the source). */
  private static final Map<String, String> JAVA_COMPARISONS = Map.of(
      "<", "<", ">", ">", "<=", "<=", ">=", ">=", "==", "==", "!=", "!=");
}
