package dev.netspec.compiler.inspect;

import dev.netspec.compiler.parse.Ast;
import dev.netspec.compiler.parse.Ast.Expr;
import java.util.ArrayList;
import java.util.List;

/** A forward expression written back as the spec's language, for labels. */
final class ExprText {
  private ExprText() {}

  static String of(Expr e) {
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
      return operand(b.left()) + " " + b.op() + " " + operand(b.right());
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
      return (sl.start() == null ? "" : of(sl.start())) + ":" + (sl.stop() == null ? "" : of(sl.stop()))
          + (sl.step() == null ? "" : ":" + of(sl.step()));
    }
    if (e instanceof Ast.Subscript sub) {
      return operand(sub.target()) + index(sub);
    }
    if (e instanceof Ast.Tuple t) {
      List<String> items = new ArrayList<>();
      t.items().forEach(i -> items.add(of(i)));
      return "[" + String.join(", ", items) + "]";
    }
    Ast.Call c = (Ast.Call) e;
    List<String> args = new ArrayList<>();
    c.args().forEach(a -> args.add(of(a)));
    c.kwargs().forEach(k -> args.add(k.name() + "=" + of(k.value())));
    return c.callee() + "(" + String.join(", ", args) + ")";
  }

  /** The brackets of a subscript: {@code [:, 0]}. */
  static String index(Ast.Subscript sub) {
    List<String> items = new ArrayList<>();
    sub.items().forEach(i -> items.add(of(i)));
    return "[" + String.join(", ", items) + "]";
  }

  /** A number as written: {@code 2} for an int, {@code 0.5} for a float. */
  static String number(Ast.Num n) {
    if (n.integral()) {
      return Long.toString((long) n.value());
    }
    return Double.toString(n.value());
  }

  private static String operand(Expr e) {
    return e instanceof Ast.Binary || e instanceof Ast.Unary u && u.op().equals("not")
        ? "(" + of(e) + ")" : of(e);
  }
}
