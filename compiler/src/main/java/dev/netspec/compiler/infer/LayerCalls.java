package dev.netspec.compiler.infer;

import dev.netspec.compiler.check.Names;
import dev.netspec.compiler.layers.CallParam;
import dev.netspec.compiler.parse.Ast;
import dev.netspec.compiler.parse.Ast.Expr;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Binding a call of a layer kind that has a {@linkplain CallParam call signature}
 * ({@code attn(q, k, v, key_padding_mask=m, need_weights=False)}) to its parameters, as
 * Python binds them: positional first, then keywords, each once; every tensor given; a mask
 * may be {@code None}; a flag is a {@code True}/{@code False} literal. Inference and the
 * generator bind the same way.
 */
public final class LayerCalls {
  private LayerCalls() {}

  /**
   * The argument of each parameter given (an absent one left out); null after reporting
   * what is wrong through {@code error}.
   */
  public static Map<String, Expr> bind(String layer, List<CallParam> params, Ast.Call call,
      BiConsumer<Ast.Loc, String> error) {
    Map<String, Expr> out = new LinkedHashMap<>();
    if (call.args().size() > params.size()) {
      error.accept(call.loc(), "layer '" + layer + "' takes at most " + params.size() + " arguments ("
          + names(params) + "), got " + call.args().size());
      return null;
    }
    for (int i = 0; i < call.args().size(); i++) {
      out.put(params.get(i).name(), call.args().get(i));
    }
    for (Ast.Kwarg k : call.kwargs()) {
      if (find(params, k.name()) == null) {
        List<String> names = params.stream().map(CallParam::name).toList();
        error.accept(k.loc(), "layer '" + layer + "' has no argument '" + k.name() + "'"
            + orList(Names.suggestArgument(k.name(), names), params));
        return null;
      }
      if (out.put(k.name(), k.value()) != null) {
        error.accept(k.loc(), "layer '" + layer + "' got '" + k.name() + "' twice");
        return null;
      }
    }
    List<String> missing = new ArrayList<>();
    for (CallParam p : params) {
      Expr e = out.get(p.name());
      if (p.kind() == CallParam.Kind.TENSOR && e == null) {
        missing.add(p.name());
      } else if (p.kind() == CallParam.Kind.FLAG && e != null && !(e instanceof Ast.Bool)) {
        error.accept(e.loc(), "layer '" + layer + "': " + p.name() + " must be True or False, written out");
        return null;
      } else if (p.kind() == CallParam.Kind.MASK && e instanceof Ast.NoneLit) {
        out.remove(p.name());
      }
    }
    if (!missing.isEmpty()) {
      error.accept(call.loc(), "layer '" + layer + "' needs " + String.join(", ", missing)
          + " (it takes " + names(params) + ")");
      return null;
    }
    return out;
  }

  /** The flags' values, defaults filled in. */
  public static Map<String, Boolean> flags(List<CallParam> params, Map<String, Expr> bound) {
    Map<String, Boolean> out = new LinkedHashMap<>();
    for (CallParam p : params) {
      if (p.kind() == CallParam.Kind.FLAG) {
        out.put(p.name(), bound.get(p.name()) instanceof Ast.Bool b ? b.value() : p.flagDefault());
      }
    }
    return out;
  }

  /** The value of an integer literal, {@code 0} or {@code -1}, else null. */
  public static Integer literalIndex(Expr e) {
    if (e instanceof Ast.Num n && n.integral() && Math.abs(n.value()) < 1 << 20) {
      return (int) n.value();
    }
    if (e instanceof Ast.Unary u && u.op().equals("-") && u.operand() instanceof Ast.Num) {
      Integer v = literalIndex(u.operand());
      return v == null ? null : -v;
    }
    return null;
  }

  private static CallParam find(List<CallParam> params, String name) {
    return params.stream().filter(p -> p.name().equals(name)).findFirst().orElse(null);
  }

  private static String orList(String suggestion, List<CallParam> params) {
    return !suggestion.isEmpty() ? suggestion : " (it takes " + names(params) + ")";
  }

  private static String names(List<CallParam> params) {
    return String.join(", ", params.stream().map(CallParam::name).toList());
  }
}
