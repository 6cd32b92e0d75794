package dev.netspec.compiler.parse;

import dev.netspec.compiler.parse.Ast.Expr;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A forward expression written back as the spec's language: {@link #of} for the labels of an
 * inspection ({@code [a, b]} for a tuple), {@link #code} for what a message tells the user to
 * write ({@code view(x, (batch, -1))}), where a part may be written otherwise.
 */
public final class ExprText {
  /** The precedence of the comparisons, which Python chains ({@code a < b < c}). */
  private static final int COMPARISON = ForwardParser.BINARY.get("<");
  /** The precedence of {@code **}, which binds right to left. */
  private static final int POWER = ForwardParser.BINARY.get("**");

  private final boolean label;
  private final Function<Expr, String> instead;

  private ExprText(boolean label, Function<Expr, String> instead) {
    this.label = label;
    this.instead = instead;
  }

  /** {@code e} for a label: a tuple in brackets. */
  public static String of(Expr e) {
    return new ExprText(true, x -> null).text(e);
  }

  /**
   * {@code e} as code to write, a tuple in parentheses; each part for which {@code instead}
   * gives a text (not null) is written as that text.
   */
  public static String code(Expr e, Function<Expr, String> instead) {
    return new ExprText(false, instead).text(e);
  }

  private String text(Expr e) {
    String own = instead.apply(e);
    if (own != null) {
      return own;
    }
    if (e instanceof Ast.Num n) {
      return number(n);
    }
    if (e instanceof Ast.Bool b) {
      return b.value() ? "True" : "False";
    }
    if (e instanceof Ast.Name n) {
      return n.name();
    }
    if (e instanceof Ast.Unary u) {
      return (u.op().equals("not") ? "not " : u.op()) + operand(u.operand());
    }
    if (e instanceof Ast.Binary b) {
      // parentheses only where the grammar needs them: 16 * 30 * 30, (a + b) * c, a - (b - c), (a ** b) ** c
      int p = precedence(b);
      boolean rightAssoc = b.op().equals("**");
      boolean chained = p == COMPARISON;
      return side(b.left(), p, rightAssoc || chained) + " " + b.op() + " " + side(b.right(), p, !rightAssoc);
    }
    if (e instanceof Ast.Attr a) {
      return operand(a.target()) + "." + a.name();
    }
    if (e instanceof Ast.Str str) {
      return "'" + str.value() + "'";
    }
    if (e instanceof Ast.NoneLit) {
      return "None";
    }
    if (e instanceof Ast.Ellipsis) {
      return "...";
    }
    if (e instanceof Ast.Slice sl) {
      return (sl.start() == null ? "" : text(sl.start())) + ":" + (sl.stop() == null ? "" : text(sl.stop()))
          + (sl.step() == null ? "" : ":" + text(sl.step()));
    }
    if (e instanceof Ast.Subscript sub) {
      return operand(sub.target()) + "[" + items(sub.items()) + "]";
    }
    if (e instanceof Ast.Tuple t) {
      return label ? "[" + items(t.items()) + "]"
          : "(" + items(t.items()) + (t.items().size() == 1 ? ",)" : ")");
    }
    if (e instanceof Ast.Method m) {
      String callee = m.call().callee().equals(Ast.ITEM_CALL) ? "" : "." + m.call().callee();
      return operand(m.target()) + callee + arguments(m.call());
    }
    Ast.Call c = (Ast.Call) e;
    return c.callee() + arguments(c);
  }

  private String arguments(Ast.Call c) {
    List<String> args = new ArrayList<>();
    c.args().forEach(a -> args.add(text(a)));
    c.kwargs().forEach(k -> args.add(k.name() + "=" + text(k.value())));
    return "(" + String.join(", ", args) + ")";
  }

  private String items(List<Expr> items) {
    List<String> out = new ArrayList<>();
    items.forEach(i -> out.add(text(i)));
    return String.join(", ", out);
  }

  /** The brackets of a subscript: {@code [:, 0]}. */
  public static String index(Ast.Subscript sub) {
    return "[" + new ExprText(true, x -> null).items(sub.items()) + "]";
  }

  /**
   * A number as Python prints it: {@code 2} for an int, {@code 0.5} or {@code 1e-05} for a
   * float ({@code repr}).
   */
  public static String number(Ast.Num n) {
    if (n.integral()) {
      return Long.toString((long) n.value());
    }
    if (Double.isNaN(n.value()) || Double.isInfinite(n.value())) {
      return Double.toString(n.value());
    }
    return PyRepr.floatRepr(n.value());
  }

  /**
   * Python's binding strength, as {@link ForwardParser} reads it (higher binds tighter); {@code
   * MAX_VALUE} for anything that is not an operator.
   */
  private static int precedence(Expr e) {
    if (e instanceof Ast.Unary u) {
      return u.op().equals("not") ? ForwardParser.UNARY_NOT : ForwardParser.UNARY_MINUS;
    }
    if (!(e instanceof Ast.Binary b)) {
      return Integer.MAX_VALUE;
    }
    return ForwardParser.BINARY.getOrDefault(b.op(), COMPARISON);
  }

  /**
   * An operand of an operator of precedence {@code p}, in parentheses where it binds looser (or
   * as tightly, when {@code tie}); a negation needs none after {@code **} ({@code x ** -0.5}).
   */
  private String side(Expr e, int p, boolean tie) {
    int q = precedence(e);
    boolean exponent = p == POWER && !tie && e instanceof Ast.Unary u && u.op().equals("-");
    return !exponent && (q < p || q == p && tie) ? "(" + text(e) + ")" : text(e);
  }

  private String operand(Expr e) {
    return e instanceof Ast.Binary || e instanceof Ast.Unary u && u.op().equals("not")
        ? "(" + text(e) + ")" : text(e);
  }
}
