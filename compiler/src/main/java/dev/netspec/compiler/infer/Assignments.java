package dev.netspec.compiler.infer;

import dev.netspec.compiler.parse.Ast;
import dev.netspec.compiler.parse.Ast.Stmt;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which variables an {@code if} defines for the statements after it. Python's rule, where
 * Java's definite assignment agrees: a variable assigned with {@code =} in every branch that
 * does not return lives on after the {@code if} (the generated Java declares it before the
 * {@code if}). A variable assigned on only some paths, or only inside a {@code while}, does not.
 */
public final class Assignments {
  private Assignments() {}

  /** The variables {@code f} defines, each with its first assignment, in order. */
  public static Map<String, Ast.Assign> definedBy(Ast.If f) {
    Map<String, Ast.Assign> out = joined(f);
    return out == null ? Map.of() : out;
  }

  /** Every variable assigned with {@code =} anywhere in {@code body}, nested blocks included. */
  public static Set<String> assignedIn(List<Stmt> body) {
    Set<String> out = new LinkedHashSet<>();
    for (Stmt s : body) {
      if (s instanceof Ast.Assign a && a.op().equals("=")) {
        out.add(a.name());
      } else if (s instanceof Ast.Unpack u) {
        out.addAll(Unpacking.names(u.targets()));
      } else if (s instanceof Ast.If f) {
        out.addAll(assignedIn(f.then()));
        out.addAll(assignedIn(f.otherwise()));
      } else if (s instanceof Ast.While w) {
        out.addAll(assignedIn(w.body()));
      } else if (s instanceof Ast.For f) {
        out.addAll(assignedIn(f.body()));
      }
    }
    return out;
  }

  /** What {@link #definedBy} returns, or null when every branch returns. */
  private static Map<String, Ast.Assign> joined(Ast.If f) {
    Map<String, Ast.Assign> then = onEveryPath(f.then());
    Map<String, Ast.Assign> otherwise = onEveryPath(f.otherwise());
    if (then == null || otherwise == null) {
      return then == null ? otherwise : then;
    }
    Map<String, Ast.Assign> out = new LinkedHashMap<>();
    then.forEach((name, a) -> {
      if (otherwise.containsKey(name)) {
        out.put(name, a);
      }
    });
    return out;
  }

  /** The variables assigned on every path through {@code body}; null when every path returns. */
  private static Map<String, Ast.Assign> onEveryPath(List<Stmt> body) {
    Map<String, Ast.Assign> out = new LinkedHashMap<>();
    for (Stmt s : body) {
      if (s instanceof Ast.Return) {
        return null;
      }
      if (s instanceof Ast.Assign a && a.op().equals("=")) {
        out.putIfAbsent(a.name(), a);
      } else if (s instanceof Ast.If f) {
        Map<String, Ast.Assign> inner = joined(f);
        if (inner == null) {
          return null;
        }
        inner.forEach(out::putIfAbsent);
      }
    }
    return out;
  }
}
