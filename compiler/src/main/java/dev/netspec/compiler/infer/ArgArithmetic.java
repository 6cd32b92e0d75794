package dev.netspec.compiler.infer;

import dev.netspec.compiler.parse.Ast;
import dev.netspec.compiler.parse.Ast.Expr;
import java.util.Map;
import java.util.Set;

/**
 * An int argument written as arithmetic on the block's int arguments, {@code out_features: 3
 * * n_embd} (nanoGPT's {@code nn.Linear(n_embd, 3 * n_embd)}): {@code + - *} and unary minus
 * over int literals and int argument names. Each instantiation computes it from its argument
 * values (a size where they are known, an expression over their symbols in the generic one),
 * and the generated Java computes it from the argument fields ({@link ArgCondition#toJava}).
 */
public final class ArgArithmetic {
  private static final Set<String> OPERATORS = Set.of("+", "-", "*");

  private ArgArithmetic() {}

  /** Null when {@code e} is such arithmetic over {@code intArgs}, else why not (a sentence fragment). */
  public static String notArithmetic(Expr e, Set<String> intArgs) {
    Expr wrong = wrongPart(e, intArgs);
    if (wrong == null) {
      return null;
    }
    if (wrong instanceof Ast.Num n) {
      return "sizes are ints, got " + n.value();
    }
    if (wrong instanceof Ast.Name n) {
      return "'" + n.name() + "' is not an int argument of the block";
    }
    return "an int value is + - * of ints and int arguments";
  }

  /**
   * The part of {@code e} that {@link #notArithmetic} objects to (a name, a float, an operator
   * such as {@code /}), or null: where an error about it points, rather than at the top operator.
   */
  public static Expr wrongPart(Expr e, Set<String> intArgs) {
    if (e instanceof Ast.Num n) {
      return n.integral() ? null : n;
    }
    if (e instanceof Ast.Name n) {
      return intArgs.contains(n.name()) ? null : n;
    }
    if (e instanceof Ast.Unary u && u.op().equals("-")) {
      return wrongPart(u.operand(), intArgs);
    }
    if (e instanceof Ast.Binary b && OPERATORS.contains(b.op())) {
      Expr l = wrongPart(b.left(), intArgs);
      return l != null ? l : wrongPart(b.right(), intArgs);
    }
    return e;
  }

  /**
   * The value of {@code e} for the argument values in {@code env} (a {@link Dim} or Long per
   * int argument): a Long when every argument it reads is known, else a {@link Dim} over their
   * symbols.
   */
  public static Object value(Expr e, Map<String, Object> env) {
    Dim d = dim(e, env);
    return d instanceof Dim.Known k ? (Object) (long) k.size() : d;
  }

  private static Dim dim(Expr e, Map<String, Object> env) {
    if (e instanceof Ast.Num n) {
      return Dim.of((int) n.value());
    }
    if (e instanceof Ast.Name n) {
      Object v = env.get(n.name());
      return v instanceof Dim d ? d : v instanceof Long x ? Dim.of(x.intValue()) : new Dim.Sym(n.name());
    }
    if (e instanceof Ast.Unary u) {
      return Dim.minus(Dim.of(0), dim(u.operand(), env));
    }
    Ast.Binary b = (Ast.Binary) e;
    Dim l = dim(b.left(), env);
    Dim r = dim(b.right(), env);
    return switch (b.op()) {
      case "+" -> Dim.plus(l, r);
      case "-" -> Dim.minus(l, r);
      default -> Dim.times(l, r);
    };
  }
}
