package dev.netspec.compiler.parse;

import dev.netspec.compiler.parse.Ast.Expr;
import dev.netspec.compiler.parse.Ast.Stmt;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The names a piece of a forward mentions: variables read or assigned, children and
 * functions called, arguments read. What the generator checks before it moves a step, and which
 * layers a forward never calls (for a suggestion).
 */
public final class Mentions {
  /**
   * Stands for anything, in what a statement or expression of a kind this class does not
   * know mentions: no spec name is spelled so.
   */
  public static final String ANY = "*";

  private Mentions() {}

  /** Every name {@code s} mentions, its nested statements included. */
  public static Set<String> of(Stmt s) {
    List<String> out = new ArrayList<>();
    stmt(s, out);
    return new LinkedHashSet<>(out);
  }

  /** Every name {@code e} mentions. */
  public static Set<String> of(Expr e) {
    List<String> out = new ArrayList<>();
    expr(e, out);
    return new LinkedHashSet<>(out);
  }

  /** How many times {@code e} mentions {@code name}. */
  public static int count(Expr e, String name) {
    List<String> out = new ArrayList<>();
    expr(e, out);
    return (int) out.stream().filter(name::equals).count();
  }

  private static void stmt(Stmt s, List<String> out) {
    if (s instanceof Ast.Assign a) {
      out.add(a.name());
      expr(a.value(), out);
    } else if (s instanceof Ast.Return r) {
      expr(r.value(), out);
    } else if (s instanceof Ast.While w) {
      expr(w.condition(), out);
      w.body().forEach(t -> stmt(t, out));
    } else if (s instanceof Ast.If f) {
      expr(f.condition(), out);
      f.then().forEach(t -> stmt(t, out));
      f.otherwise().forEach(t -> stmt(t, out));
    } else if (s instanceof Ast.For f) {
      out.add(f.name());
      expr(f.items(), out);
      f.body().forEach(t -> stmt(t, out));
    } else {
      out.add(ANY);
    }
  }

  private static void expr(Expr e, List<String> out) {
    if (e instanceof Ast.Name n) {
      out.add(n.name());
    } else if (e instanceof Ast.Unary u) {
      expr(u.operand(), out);
    } else if (e instanceof Ast.Binary b) {
      expr(b.left(), out);
      expr(b.right(), out);
    } else if (e instanceof Ast.Call c) {
      out.add(c.callee());
      c.args().forEach(x -> expr(x, out));
      c.kwargs().forEach(k -> expr(k.value(), out));
    } else if (e instanceof Ast.Attr a) {
      expr(a.target(), out);
    } else if (e instanceof Ast.Method m) {
      expr(m.target(), out);
      expr(m.call(), out);
    } else if (e instanceof Ast.Tuple t) {
      t.items().forEach(x -> expr(x, out));
    } else if (!(e instanceof Ast.Num || e instanceof Ast.Bool)) {
      out.add(ANY);
    }
  }
}
