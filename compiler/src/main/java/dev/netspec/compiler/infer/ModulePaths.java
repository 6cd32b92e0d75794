package dev.netspec.compiler.infer;

import dev.netspec.compiler.parse.Ast;
import dev.netspec.compiler.parse.Ast.Expr;
import java.util.ArrayList;
import java.util.List;

/**
 * A module named in a forward through its containers: {@code h} is {@code [h]},
 * {@code transformer.h} is {@code [transformer, h]}. Inference and the writer read the same
 * paths from the same expressions.
 */
public final class ModulePaths {
  private ModulePaths() {}

  /** The names of a name or a dotted chain of names, or null for any other expression. */
  public static List<String> of(Expr e) {
    if (e instanceof Ast.Name n) {
      List<String> out = new ArrayList<>();
      out.add(n.name());
      return out;
    }
    if (e instanceof Ast.Attr a) {
      List<String> out = of(a.target());
      if (out != null) {
        out.add(a.name());
      }
      return out;
    }
    return null;
  }

  /** {@code transformer.h}: the path as written. */
  public static String text(List<String> path) {
    return String.join(".", path);
  }

  /** {@code path} with {@code name} appended. */
  public static List<String> child(List<String> path, String name) {
    List<String> out = new ArrayList<>(path);
    out.add(name);
    return out;
  }
}
