package dev.netspec.compiler.infer;

import dev.netspec.compiler.check.Names;
import dev.netspec.compiler.layers.LayerKinds;
import dev.netspec.compiler.parse.Ast;
import dev.netspec.compiler.parse.Ast.Expr;
import dev.netspec.compiler.parse.ExprText;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * What a PyTorch user writes in a {@code forward} and what to write here instead:
 * {@code self.fc1(x)} is {@code fc1(x)}, {@code h.mean()} is {@code mean(h)},
 * {@code h.view(-1, 8)} is {@code reshape(h, (-1, 8))}, {@code F.relu(x)} and
 * {@code torch.relu(x)} are {@code relu(x)}. Each advice carries the expression it stands for,
 * so inference goes on with it (a layer called as {@code self.fc1(x)} is still built).
 */
final class PyTorchSpellings {
  /**
   * @param message what to write instead, and why
   * @param instead the expression meant, or null when there is none
   */
  record Advice(String message, Expr instead) {}

  /** Module prefixes of PyTorch's functions: {@code F.relu}, {@code torch.nn.functional.relu}. */
  private static final Set<String> MODULES = Set.of("F", "torch", "nn", "functional");
  /** Tensor methods named differently from the function. */
  private static final Map<String, String> RENAMED = Map.of();
  /** Tensor methods that change nothing a forward here can see. */
  private static final Set<String> NO_OPS = Set.of("contiguous", "detach", "clone", "float");

  /** How a forward reads sizes, for {@code x.size(0)} and {@code x.shape}. */
  private static final String SIZES = "a forward reads the input's sizes by their names in 'input:'"
      + " (with input: [batch, 20], 'batch' is x.size(0)); in view or reshape, -1 stands for the"
      + " size left over, as in view(x, (batch, -1))";

  private PyTorchSpellings() {}

  /** Advice for {@code x.size(0)} or {@code x.shape[0]} whose dim is named {@code name} here. */
  static String size(String written, String name) {
    return write(name, written) + ": a forward reads the input's sizes by their names in 'input:' (or"
        + " writes the number); in view or reshape, -1 stands for the size left over, as in view(x, (batch, -1))";
  }

  /**
   * Advice for {@code target.name(args)}.
   *
   * @param isChild whether a name is a layer of the block
   * @param children the block's layer names, for suggestions
   * @param sizes what to write for a part of the expression, such as {@code batch} for {@code
   *     x.size(0)}, or null to write it as it is
   */
  static Advice method(Ast.Method m, Predicate<String> isChild, Set<String> children,
      Function<Expr, String> sizes) {
    String written = m.targetText() + "." + m.call().callee() + "(" + m.argsText() + ")";
    return method(m, written, isChild, children, sizes);
  }

  /**
   * {@code sizes}, and inside what the advice writes, each {@code self.child(...)} as {@code
   * child(...)} and each {@code F.relu(...)} as {@code relu(...)}: one message gives the whole
   * line to write ({@code relu(conv(x))} for {@code F.relu(self.conv(x))}).
   */
  private static Function<Expr, String> rewritten(Function<Expr, String> sizes, Predicate<String> isChild) {
    return new Function<>() {
      @Override
      public String apply(Expr e) {
        String own = sizes.apply(e);
        if (own != null || !(e instanceof Ast.Method m)) {
          return own;
        }
        boolean self = m.target() instanceof Ast.Name n && n.name().equals("self") && isChild.test(m.call().callee());
        boolean prefixed = isModule(m.target()) && Functions.get(m.call().callee()) != null;
        return self || prefixed ? ExprText.code(m.call(), this) : null;
      }
    };
  }

  /** Advice for {@code m}, which the user wrote as {@code written}. */
  private static Advice method(Ast.Method m, String written, Predicate<String> isChild, Set<String> children,
      Function<Expr, String> given) {
    Function<Expr, String> sizes = rewritten(given, isChild);
    Ast.Call call = m.call();
    String name = call.callee();
    if (m.target() instanceof Ast.Name n && n.name().equals("self")) {
      if (isChild.test(name)) {
        return new Advice(write(ExprText.code(call, sizes), written)
            + ": a forward calls its layers by name, without 'self.'", call);
      }
      return new Advice("'self." + name + "' is not a layer of this block" + Names.suggest(name, children)
          + " (a forward calls its layers by name, without 'self.')", null);
    }
    if (m.target() instanceof Ast.Name n && n.name().equals("math")) {
      return math(m, written, sizes);
    }
    if (isModule(m.target())) {
      if (Functions.get(name) != null) {
        return new Advice(write(ExprText.code(call, sizes), written)
            + ": functions are called without a module prefix", call);
      }
      return new Advice("'" + m.targetText() + "." + name + "' is not a function of the forward language"
          + functionHint(name), null);
    }
    boolean bare = call.args().isEmpty() && call.kwargs().isEmpty();
    if (name.equals("t") && bare) {
      Expr transposed = new Ast.Attr(m.loc(), m.target(), "T");
      return new Advice(write(ExprText.code(transposed, sizes), written) + ": a forward transposes with '.T'",
          transposed);
    }
    if (NO_OPS.contains(name) && bare) {
      return new Advice(write(ExprText.code(m.target(), sizes), written) + ": a forward has no '." + name + "()'",
          m.target());
    }
    if (m.target() instanceof Ast.Method inner && NO_OPS.contains(inner.call().callee())
        && inner.call().args().isEmpty() && inner.call().kwargs().isEmpty()) {
      // x.contiguous().view(-1, 8): the advice is for x.view(-1, 8), the message names what was written
      return method(new Ast.Method(m.loc(), inner.target(), call, inner.targetText(), m.argsText()), written,
          isChild, children, sizes);
    }
    if (name.equals("size")) {
      return new Advice("'" + written + "': " + SIZES, null);
    }
    String fn = RENAMED.getOrDefault(name, name);
    if (Functions.get(fn) == null) {
      return new Advice("'" + written + "': a forward has no tensor methods, and no function '" + name + "'"
          + functionHint(name), null);
    }
    List<Expr> args = new ArrayList<>();
    args.add(m.target());
    boolean oneByOne = Set.of("reshape", "view", "permute").contains(fn) && call.kwargs().isEmpty()
        && !(call.args().size() == 1 && call.args().get(0) instanceof Ast.Tuple);
    if (oneByOne) {
      // h.view(-1, 8) and h.permute(0, 2, 1) take the sizes one by one; the functions take a tuple.
      args.add(new Ast.Tuple(m.loc(), call.args()));
    } else {
      args.addAll(call.args());
    }
    Ast.Call instead = new Ast.Call(m.loc(), fn, args, call.kwargs());
    return new Advice(write(ExprText.code(instead, sizes), written) + ": a forward calls functions, not tensor methods",
        instead);
  }

  /** Advice for {@code target.name} other than {@code .T}. */
  static Advice attribute(Ast.Attr a, Predicate<String> isChild, Predicate<String> isMember) {
    if (a.target() instanceof Ast.Name n && n.name().equals("self")) {
      if (isChild.test(a.name())) {
        return new Advice("write '" + a.name() + "(...)' to call layer '" + a.name()
            + "': a forward calls its layers by name, without 'self.'", null);
      }
      if (isMember.test(a.name())) {
        return new Advice(write(a.name(), "self." + a.name()) + ": a forward names its parameters, buffers"
            + " and arguments without 'self.'", new Ast.Name(a.loc(), a.name()));
      }
      return new Advice("'self." + a.name() + "' is not a member of this block; a forward names its members"
          + " without 'self.'", null);
    }
    if (a.target() instanceof Ast.Name n && n.name().equals("math")) {
      String value = a.name().equals("pi") ? " (" + Math.PI + ")" : a.name().equals("e") ? " (" + Math.E + ")" : "";
      return new Advice("'math." + a.name() + "': a forward has no module 'math'; write the number" + value, null);
    }
    if (a.name().equals("shape")) {
      return new Advice("'" + (a.target() instanceof Ast.Name n ? n.name() : "...") + ".shape': " + SIZES, null);
    }
    return new Advice("only '.T' is supported after an expression, not '." + a.name() + "'", null);
  }

  /**
   * {@code math.sqrt(d)} in a scaled attention: a forward computes on its numbers with
   * operators, so the square root is {@code d ** 0.5}; other {@code math} functions have no
   * spelling here.
   */
  private static Advice math(Ast.Method m, String written, Function<Expr, String> sizes) {
    Ast.Call call = m.call();
    if (call.callee().equals("sqrt") && call.args().size() == 1 && call.kwargs().isEmpty()) {
      Expr root = new Ast.Binary(m.loc(), "**", call.args().get(0), new Ast.Num(m.loc(), 0.5, false));
      return new Advice(write(ExprText.code(root, sizes), written)
          + ": a forward has no module 'math'; it computes a square root with '** 0.5'", root);
    }
    return new Advice("'" + written + "': a forward has no module 'math'; write the number, or"
        + " compute it from the block's arguments with + - * / and **", null);
  }

  private static String write(String instead, String written) {
    return "write '" + instead + "', not '" + written + "'";
  }

  private static boolean isModule(Expr e) {
    if (e instanceof Ast.Name n) {
      return MODULES.contains(n.name());
    }
    return e instanceof Ast.Attr a && MODULES.contains(a.name()) && isModule(a.target());
  }

  /**
   * {@code "; ..."} for a builtin layer called as a function ({@code dropout(x, 0.5)},
   * {@code F.dropout(x)}, {@code F.layer_norm(x, ...)}), or null: a forward calls layers
   * declared in {@code layers:}, as PyTorch's forward calls what {@code __init__} made.
   */
  static String layerHint(String name) {
    if (LayerKinds.get(name) == null || Functions.get(name) != null) {
      return null;
    }
    String child = name.equals("dropout") ? "drop" : name.equals("layer_norm") ? "norm" : name + "1";
    return "; '" + name + "' is a layer, not a function: declare it in 'layers:' as PyTorch's __init__"
        + " does, such as '" + child + ": {" + name + ": ...}', and call it by that name: " + child + "(x)";
  }

  /**
   * The one error for a call of PyTorch's {@code argmax} or {@code len}, which a
   * forward writes otherwise (with the call's own operands where it can); null for any other
   * callee.
   *
   * @param sizes the name or number of a size expression such as {@code x.size(0)}, or null
   */
  static String missing(Ast.Call call, Function<Expr, String> sizes) {
    Ast.Loc at = call.loc();
    switch (call.callee()) {
      case "argmax":
      case "argmin":
        return "'" + call.callee() + "' is not a function of the forward language: a forward computes float"
            + " tensors, not int64 indices; return the scores and take the indices from the output in Java,"
            + " y." + call.callee() + "(dim, false), as after PyTorch's model(x)";
      case "len": {
        Expr of = argument(call, 0, "obj");
        String name = of == null ? null : sizes.apply(new Ast.Method(at, of,
            new Ast.Call(at, "size", List.of(new Ast.Num(at, 0, true)), List.of()), "", "0"));
        if (name != null) {
          return write(name, "len(" + ExprText.code(of, sizes) + ")") + ": a forward reads the input's sizes by"
              + " their names in 'input:' (or writes the number)";
        }
        return "'len' is not a function of the forward language: " + SIZES + "; a forward loops over a"
            + " module list with 'for layer in layers:'";
      }
      default:
        return null;
    }
  }

  /** Argument {@code i} of {@code call}, positional or by its keyword {@code name}; null if absent. */
  private static Expr argument(Ast.Call call, int i, String name) {
    if (call.args().size() > i) {
      return call.args().get(i);
    }
    return call.kwargs().stream().filter(k -> k.name().equals(name)).map(Ast.Kwarg::value).findFirst().orElse(null);
  }

  /** PyTorch's functions that make a new tensor, which a forward has none of. */
  private static final Set<String> MAKERS = Set.of("zeros", "ones", "empty", "full", "rand", "randn",
      "randint", "tensor", "eye", "zeros_like", "ones_like", "empty_like", "full_like", "rand_like",
      "randn_like", "linspace");

  static String functionHint(String name) {
    String layer = layerHint(name);
    if (layer != null) {
      return layer;
    }
    if (MAKERS.contains(name)) {
      return "; a forward makes no new tensors: declare a buffer (buffers: {name: {shape: [...]}},"
          + " zeros unless its 'init' says otherwise) and use it by its name, or compute from the input"
          + " (x * 0)";
    }
    String near = Names.suggest(name, Functions.names());
    return near.isEmpty() ? " (functions: " + String.join(", ", Functions.names()) + ")" : near;
  }
}
