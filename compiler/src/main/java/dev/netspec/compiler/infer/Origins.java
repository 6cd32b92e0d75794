package dev.netspec.compiler.infer;

import dev.netspec.compiler.parse.Ast;
import dev.netspec.compiler.parse.Ast.Expr;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Where a forward value's shape comes from, for errors that must say which layer to change: in
 * {@code h = fc2(relu(fc1(x)))} then {@code h + x}, {@code h} is made by {@code fc2} (an
 * activation keeps the shape of what it was given) and {@code x} is the block's input.
 */
final class Origins {
  private final Predicate<String> isLayer;
  private final Set<String> inputs;
  private final Map<Expr, Type> types;
  /** The origin of each variable, at its latest assignment in forward order. */
  private final Map<String, String> byName = new HashMap<>();

  Origins(Predicate<String> isLayer, Set<String> inputs, Map<Expr, Type> types) {
    this.isLayer = isLayer;
    this.inputs = inputs;
    this.types = types;
  }

  /** Records {@code name = value} (after {@code value} was evaluated). */
  void assigned(String name, Expr value) {
    String origin = of(value);
    if (origin == null) {
      byName.remove(name);
    } else {
      byName.put(name, origin);
    }
  }

  /**
   * {@code " (h, made by fc2)"}, {@code " (the input x)"}, {@code " (y, the input x)"} or
   * {@code " (made by fc2)"} for an operand, or {@code ""} when its origin is unknown.
   */
  String side(Expr e) {
    String origin = of(e);
    if (origin == null) {
      return "";
    }
    boolean named = e instanceof Ast.Name n && !origin.equals("the input " + n.name());
    return " (" + (named ? ((Ast.Name) e).name() + ", " : "") + origin + ")";
  }

  /** {@code "made by fc2"} or {@code "the input x"}, or null. */
  private String of(Expr e) {
    if (e instanceof Ast.Name n) {
      if (byName.containsKey(n.name())) {
        return byName.get(n.name());
      }
      return inputs.contains(n.name()) ? "the input " + n.name() : null;
    }
    if (e instanceof Ast.Call c) {
      if (isLayer.test(c.callee())) {
        return "made by " + c.callee();
      }
      return c.args().isEmpty() ? null : keeping(e, c.args().get(0));
    }
    if (e instanceof Ast.Method m) {
      return keeping(e, m.target());
    }
    if (e instanceof Ast.Unary u) {
      return keeping(e, u.operand());
    }
    if (e instanceof Ast.Binary b) {
      String left = keeping(e, b.left());
      return left != null ? left : keeping(e, b.right());
    }
    return null;
  }

  /** The origin of {@code operand} if {@code e} has its shape (an activation, a scaling). */
  private String keeping(Expr e, Expr operand) {
    Type t = types.get(e);
    Type o = types.get(operand);
    return t instanceof Type.TensorT a && o instanceof Type.TensorT b
        && a.shape().equals(b.shape()) ? of(operand) : null;
  }
}
