package dev.netspec.compiler.infer;

import dev.netspec.compiler.parse.Ast;
import dev.netspec.compiler.parse.Ast.Expr;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A condition on a block's arguments, decided when the block is built: a child's
 * {@code when: "stride != 1 or in_planes != planes"}, or an {@code if} of the forward that
 * reads only arguments. Each instantiation with known arguments takes it as true or false
 * (a child that does not exist, a branch that does not run); the generic one, where the
 * arguments are symbols, keeps both sides, and the generated Java tests it on the argument
 * fields. The operators are the forward language's: comparisons, {@code and}, {@code or},
 * {@code not}, {@code + - * /} and unary minus over numbers, bools and argument names.
 */
public final class ArgCondition {
  private static final Set<String> OPERATORS =
      Set.of("and", "or", "==", "!=", "<", ">", "<=", ">=", "+", "-", "*", "/");

  private ArgCondition() {}

  /**
   * Whether {@code e} reads only literals and names in {@code argNames}, with the operators
   * above; null when it does, else the first thing that is not (a sentence fragment).
   */
  public static String notOnArgs(Expr e, Set<String> argNames) {
    Expr wrong = wrongPart(e, argNames);
    if (wrong == null) {
      return null;
    }
    if (wrong instanceof Ast.Name n) {
      return "'" + n.name() + "' is not an argument of the block";
    }
    if (wrong instanceof Ast.Binary b) {
      return "'" + b.op() + "' is not a condition operator";
    }
    return "a condition reads only the block's arguments and literals";
  }

  /**
   * The part of {@code e} that {@link #notOnArgs} objects to (a name, an operator, a call), or
   * null: where an error about it points, rather than at the top operator of the condition.
   */
  public static Expr wrongPart(Expr e, Set<String> argNames) {
    if (e instanceof Ast.Num || e instanceof Ast.Bool) {
      return null;
    }
    if (e instanceof Ast.Name n) {
      return argNames.contains(n.name()) ? null : n;
    }
    if (e instanceof Ast.Unary u) {
      return wrongPart(u.operand(), argNames);
    }
    if (e instanceof Ast.Binary b && OPERATORS.contains(b.op())) {
      Expr l = wrongPart(b.left(), argNames);
      return l != null ? l : wrongPart(b.right(), argNames);
    }
    return e;
  }

  /**
   * Whether {@code e} is a true-or-false test: a comparison, {@code and}/{@code or}/{@code not}
   * of tests, a bool literal or one of {@code boolArgs}.
   */
  public static boolean isTest(Expr e, Set<String> boolArgs) {
    if (e instanceof Ast.Binary b) {
      return b.op().equals("and") || b.op().equals("or") ? isTest(b.left(), boolArgs) && isTest(b.right(), boolArgs)
          : Set.of("==", "!=", "<", ">", "<=", ">=").contains(b.op());
    }
    if (e instanceof Ast.Unary u) {
      return u.op().equals("not") && isTest(u.operand(), boolArgs);
    }
    return e instanceof Ast.Bool || e instanceof Ast.Name n && boolArgs.contains(n.name());
  }

  /**
   * The value of {@code e} for the argument values in {@code env} (a {@link Dim} or Long for
   * an int, a Double, a Boolean): a Boolean when every argument it reads is known, else null.
   */
  public static Boolean decide(Expr e, Map<String, Object> env) {
    return value(e, env) instanceof Boolean b ? b : null;
  }

  /** Double, Boolean, or null when unknown. */
  private static Object value(Expr e, Map<String, Object> env) {
    if (e instanceof Ast.Num n) {
      return n.value();
    }
    if (e instanceof Ast.Bool b) {
      return b.value();
    }
    if (e instanceof Ast.Name n) {
      Object v = env.get(n.name());
      if (v instanceof Dim d) {
        return d instanceof Dim.Known k ? (Object) (double) k.size() : null;
      }
      return v instanceof Number x ? (Object) x.doubleValue() : v instanceof Boolean ? v : null;
    }
    if (e instanceof Ast.Unary u) {
      Object v = value(u.operand(), env);
      return u.op().equals("not") ? (v instanceof Boolean b ? (Object) !b : null)
          : v instanceof Double d ? (Object) (-d) : null;
    }
    if (!(e instanceof Ast.Binary b)) {
      return null;
    }
    Object l = value(b.left(), env);
    Object r = value(b.right(), env);
    switch (b.op()) {
      case "and":
        return Boolean.FALSE.equals(l) || Boolean.FALSE.equals(r) ? Boolean.FALSE
            : l instanceof Boolean && r instanceof Boolean ? Boolean.TRUE : null;
      case "or":
        return Boolean.TRUE.equals(l) || Boolean.TRUE.equals(r) ? Boolean.TRUE
            : l instanceof Boolean && r instanceof Boolean ? Boolean.FALSE : null;
      case "==":
        return l == null || r == null ? null : l.equals(r);
      case "!=":
        return l == null || r == null ? null : !l.equals(r);
      default:
        break;
    }
    if (!(l instanceof Double x) || !(r instanceof Double y)) {
      return null;
    }
    switch (b.op()) {
      case "<": return x < y;
      case ">": return x > y;
      case "<=": return x <= y;
      case ">=": return x >= y;
      case "+": return x + y;
      case "-": return x - y;
      case "*": return x * y;
      default: return x / y;
    }
  }

  /**
   * The int arguments that are equal whenever {@code e} has the value {@code when}, as a
   * substitution: {@code stride != 1 or in_planes != planes} false gives {@code stride -> 1}
   * and {@code in_planes -> planes}. Only equalities {@code e} forces (through {@code and},
   * {@code or} and {@code not}) of an argument to a whole number or to another argument.
   */
  public static Map<String, Dim> equalities(Expr e, boolean when, Set<String> intArgs) {
    Map<String, Dim> out = new java.util.LinkedHashMap<>();
    collect(e, when, intArgs, out);
    return out;
  }

  private static void collect(Expr e, boolean when, Set<String> intArgs, Map<String, Dim> out) {
    if (e instanceof Ast.Unary u && u.op().equals("not")) {
      collect(u.operand(), !when, intArgs, out);
    } else if (e instanceof Ast.Binary b && b.op().equals(when ? "and" : "or")) {
      collect(b.left(), when, intArgs, out);
      collect(b.right(), when, intArgs, out);
    } else if (e instanceof Ast.Binary b && b.op().equals(when ? "==" : "!=")
        && b.left() instanceof Ast.Name n && intArgs.contains(n.name())) {
      if (b.right() instanceof Ast.Num k && k.integral()) {
        out.put(n.name(), Dim.of((int) k.value()));
      } else if (b.right() instanceof Ast.Name m && intArgs.contains(m.name()) && !m.name().equals(n.name())) {
        out.put(n.name(), new Dim.Sym(m.name()));
      }
    }
  }

  /**
   * {@code e} as a Java boolean (or number) expression over the argument fields that
   * {@code field} names: {@code stride != 1 || inPlanes != planes}.
   */
  public static String toJava(Expr e, Function<String, String> field) {
    if (e instanceof Ast.Num n) {
      return n.integral() ? Long.toString((long) n.value()) : Double.toString(n.value());
    }
    if (e instanceof Ast.Bool b) {
      return Boolean.toString(b.value());
    }
    if (e instanceof Ast.Name n) {
      return field.apply(n.name());
    }
    if (e instanceof Ast.Unary u) {
      String inner = toJava(u.operand(), field);
      return (u.op().equals("not") ? "!" : "-") + (u.operand() instanceof Ast.Binary ? "(" + inner + ")" : inner);
    }
    Ast.Binary b = (Ast.Binary) e;
    String op = b.op().equals("and") ? "&&" : b.op().equals("or") ? "||" : b.op();
    return operand(b.left(), field) + " " + op + " " + operand(b.right(), field);
  }

  private static String operand(Expr e, Function<String, String> field) {
    String j = toJava(e, field);
    return e instanceof Ast.Binary b && !Set.of("==", "!=", "<", ">", "<=", ">=").contains(b.op()) ? "(" + j + ")" : j;
  }
}
