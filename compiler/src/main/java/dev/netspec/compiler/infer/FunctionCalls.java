package dev.netspec.compiler.infer;

import dev.netspec.compiler.check.Names;
import dev.netspec.compiler.infer.Ops.ShapeError;
import dev.netspec.compiler.layers.Pooling;
import dev.netspec.compiler.parse.Ast;
import dev.netspec.compiler.parse.Ast.Expr;
import dev.netspec.compiler.parse.PyRepr;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Infers a call of a builtin function of the forward other than the tensor ops and losses
 * ({@code relu(x)}, {@code softmax(x, dim=-1)}, {@code max_pool2d(x, 2)}, {@code split(x, 2)}):
 * binds its arguments to the function's parameters (sizes, dims and flags must be constants),
 * then gives its output's shape and flops. {@link TensorOps} and {@link Losses} share its
 * {@link #match}.
 */
final class FunctionCalls {
  private final TensorOps.Context ctx;
  /** The type of every expression, by identity; the constants bound here are typed in it. */
  private final Map<Expr, Type> types;

  FunctionCalls(TensorOps.Context ctx, Map<Expr, Type> types) {
    this.ctx = ctx;
    this.types = types;
  }

  /** The type of {@code call}, reporting what does not fit; an unknown tensor after an error. */
  Type call(Ast.Call call, Functions.Fn fn, Map<String, Type> env) {
    Map<String, Object> bound = bind(call, fn, env);
    if (bound == null) {
      return Type.unknownTensor();
    }
    ctx.record(call, bound);
    if (fn.kind() == Functions.Kind.SPLIT) {
      try {
        return Splits.apply(fn, bound, types);
      } catch (ShapeError e) {
        ctx.error(call.loc(), call.callee() + ": " + e.getMessage());
        return Type.unknownTensor();
      }
    }
    for (Object operand : operands(bound)) {
      String wrong = DTypeRules.floatOnly(call.callee(), types.get((Expr) operand));
      if (wrong != null) {
        ctx.error(((Expr) operand).loc(), wrong);
        return Type.unknownTensor();
      }
    }
    try {
      return new Type.TensorT(apply(call, fn, bound));
    } catch (ShapeError e) {
      ctx.error(call.loc(), call.callee() + ": " + e.getMessage());
      return Type.unknownTensor();
    }
  }

  /** The tensor operands of a bound call. */
  private static List<Object> operands(Map<String, Object> bound) {
    List<Object> out = new ArrayList<>();
    for (String n : List.of("input", "other", "exponent")) {
      if (bound.get(n) instanceof Expr e) {
        out.add(e);
      }
    }
    if (bound.get("tensors") instanceof Ast.Tuple t) {
      out.addAll(t.items());
    }
    return out;
  }

  /**
   * Matches positional and keyword arguments to the function's parameters: each an expression
   * or the default; null after a reported error.
   */
  Map<String, Object> match(Ast.Call call, Functions.Fn fn) {
    Map<String, Object> out = new LinkedHashMap<>();
    List<Functions.Param> params = fn.params();
    if (call.args().size() > params.size()) {
      boolean sizes = Set.of("view", "reshape", "permute").contains(call.callee()) && params.size() == 2;
      ctx.error(call.loc(), call.callee() + " takes at most " + params.size() + " arguments, got " + call.args().size()
          + (sizes ? "; it takes the sizes as one tuple, as in " + call.callee() + "(x, (batch, -1)), not "
              + call.callee() + "(x, batch, -1)" : ""));
      return null;
    }
    for (int i = 0; i < call.args().size(); i++) {
      out.put(params.get(i).name(), call.args().get(i));
    }
    for (Ast.Kwarg k : call.kwargs()) {
      Functions.Param p = params.stream().filter(x -> x.name().equals(k.name())).findFirst().orElse(null);
      if (p == null) {
        List<String> names = new ArrayList<>();
        params.forEach(x -> names.add(x.name()));
        ctx.error(k.loc(), call.callee() + " has no argument '" + k.name() + "'" + Names.suggestArgument(k.name(), names));
        return null;
      }
      if (out.put(k.name(), k.value()) != null) {
        ctx.error(k.loc(), call.callee() + " got '" + k.name() + "' twice");
        return null;
      }
    }
    for (Functions.Param p : params) {
      if (!out.containsKey(p.name())) {
        if (p.defaultValue() == null) {
          ctx.error(call.loc(), call.callee() + " needs '" + p.name() + "'" + (p.name().equals("dim")
              ? ", such as " + call.callee() + "(x, dim=-1) for the last dim" : ""));
          return null;
        }
        out.put(p.name(), p.defaultValue());
      }
    }
    return out;
  }

  /** Binds positional and keyword arguments to the function's parameters. */
  private Map<String, Object> bind(Ast.Call call, Functions.Fn fn, Map<String, Type> env) {
    Map<String, Object> out = match(call, fn);
    if (out == null) {
      return null;
    }
    // Tensor operands are evaluated; dims, flags and sizes must be constants.
    Map<String, Object> resolved = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : out.entrySet()) {
      Object v = e.getValue();
      String n = e.getKey();
      if (!(v instanceof Expr x)) {
        resolved.put(n, v);
      } else if (n.equals("input") || n.equals("other") || n.equals("exponent") || n.equals("tensors")) {
        resolved.put(n, x);
        ctx.eval(x, env);
      } else if (n.equals("split_size_or_sections")) {
        Object sizes = Splits.sizes(x, this::constInt);
        if (sizes == null) {
          ctx.error(x.loc(), call.callee() + ": '" + n + "' must be an int constant or a list of them");
          return null;
        }
        resolved.put(n, sizes);
      } else if (n.equals("keepdim")) {
        if (!(x instanceof Ast.Bool bo)) {
          ctx.error(x.loc(), call.callee() + ": keepdim must be True or False");
          return null;
        }
        resolved.put(n, bo.value());
      } else if (n.equals("approximate")) {
        if (!(x instanceof Ast.Str str) || !(str.value().equals("none") || str.value().equals("tanh"))) {
          ctx.error(x.loc(), call.callee() + ": approximate must be 'none' or 'tanh'");
          return null;
        }
        resolved.put(n, str.value());
      } else if (NUMBERS.contains(n)) {
        Double c = constNumber(x);
        if (c == null) {
          ctx.error(x.loc(), call.callee() + ": '" + n + "' must be a number constant");
          return null;
        }
        resolved.put(n, c);
      } else if (n.equals("shape") || WINDOW_SIZES.contains(n)) {
        List<Long> sizes = new ArrayList<>();
        List<Expr> items = x instanceof Ast.Tuple t ? t.items() : List.of(x);
        for (Expr item : items) {
          Long c = constInt(item);
          if (c == null) {
            ctx.error(item.loc(), call.callee() + ": " + (n.equals("shape") ? "sizes" : "'" + n + "'")
                + " must be int constants");
            return null;
          }
          sizes.add(c);
        }
        resolved.put(n, sizes);
      } else {
        Long c = constInt(x);
        if (c == null) {
          ctx.error(x.loc(), call.callee() + ": '" + n + "' must be an int constant");
          return null;
        }
        resolved.put(n, c);
      }
    }
    return resolved;
  }

  /** The pooling arguments that take an int or a tuple of ints, one per spatial dim. */
  private static final Set<String> WINDOW_SIZES = Set.of("kernel_size", "stride", "padding", "output_size");

  /** The arguments that take a number constant: leaky_relu's slope, clamp's bounds. */
  private static final Set<String> NUMBERS = Set.of("negative_slope", "min", "max");

  /** A number constant ({@code 0.2}, {@code -1}, {@code 1e-3}), or null. */
  private Double constNumber(Expr e) {
    if (e instanceof Ast.Num n) {
      types.put(e, new Type.NumT(n.integral()));
      return n.value();
    }
    if (e instanceof Ast.Unary u && u.op().equals("-") && u.operand() instanceof Ast.Num n) {
      types.put(e, new Type.NumT(n.integral()));
      return -constNumber(n);
    }
    return null;
  }

  private Long constInt(Expr e) {
    if (e instanceof Ast.Num n && n.integral() && Math.abs(n.value()) < Integer.MAX_VALUE) {
      types.put(e, new Type.NumT(true));
      return (long) n.value();
    }
    if (e instanceof Ast.Unary u && u.op().equals("-")) {
      Long v = constInt(u.operand());
      if (v != null) {
        types.put(e, new Type.NumT(true));
      }
      return v == null ? null : -v;
    }
    return null;
  }

  private Shape tensorArg(Ast.Call call, Object v, String what) throws ShapeError {
    Type t = types.get((Expr) v);
    if (t instanceof Type.TensorT tt) {
      return tt.shape();
    }
    if (t instanceof Type.NumT && what.equals("exponent")) {
      return null;
    }
    throw new ShapeError("'" + what + "' must be a tensor, got " + t);
  }

  private Shape apply(Ast.Call call, Functions.Fn fn, Map<String, Object> a) throws ShapeError {
    switch (fn.kind()) {
      case ELEMENTWISE: {
        if (a.get("min") == Functions.NONE && a.get("max") == Functions.NONE) {
          throw new ShapeError("needs 'min' or 'max', such as clamp(x, min=0) or clamp(x, -1, 1)");
        }
        Shape s = tensorArg(call, a.get("input"), "input");
        ctx.addFlops(s.numel());
        return s;
      }
      case POW: {
        Shape s = tensorArg(call, a.get("input"), "input");
        Shape p = tensorArg(call, a.get("exponent"), "exponent");
        Shape out = p == null ? s : Ops.broadcast(s, p);
        ctx.addFlops(out.numel());
        return out;
      }
      case REDUCE: {
        Shape s = tensorArg(call, a.get("input"), "input");
        Object dim = a.get("dim");
        ctx.addFlops(s.numel());
        return Ops.reduce(s, dim instanceof Long d ? d : null, (Boolean) a.get("keepdim"));
      }
      case SOFTMAX: {
        Shape s = tensorArg(call, a.get("input"), "input");
        if (s.knownRank()) {
          Ops.dimIndex(s, (Long) a.get("dim"), "dim");
        }
        ctx.addFlops(s.numel() < 0 ? -1 : 3 * s.numel());
        return s;
      }
      case TRANSPOSE:
        return Ops.transpose(tensorArg(call, a.get("input"), "input"), (Long) a.get("dim0"), (Long) a.get("dim1"));
      case FLATTEN:
        return Ops.flatten(tensorArg(call, a.get("input"), "input"), (Long) a.get("start_dim"), (Long) a.get("end_dim"));
      case MATMUL: {
        Shape l = tensorArg(call, a.get("input"), "input");
        Shape r = tensorArg(call, a.get("other"), "other");
        return Ops.matmul(l, r);
      }
      case CONCAT:
      case STACK: {
        Object t = a.get("tensors");
        if (!(t instanceof Ast.Tuple tuple) || tuple.items().isEmpty()) {
          throw new ShapeError("expects a list of tensors, such as " + call.callee() + "([a, b], dim=1)");
        }
        List<Shape> shapes = new ArrayList<>();
        for (Expr item : tuple.items()) {
          shapes.add(tensorArg(call, item, "tensors"));
        }
        long dim = (Long) a.get("dim");
        return fn.kind() == Functions.Kind.STACK ? Ops.stack(shapes, dim) : Ops.concat(shapes, dim);
      }
      case POOL: {
        Shape s = tensorArg(call, a.get("input"), "input");
        int n = Functions.spatialDims(fn);
        int[] kernel = windowSizes(a, "kernel_size", n, 1);
        int[] stride = a.get("stride") == Functions.NONE ? kernel : windowSizes(a, "stride", n, 1);
        int[] padding = windowSizes(a, "padding", n, 0);
        String padError = Pooling.paddingError(kernel, padding);
        if (padError != null) {
          throw new ShapeError(padError);
        }
        Shape out = Pooling.window(s, n, kernel, stride, padding, new int[] {1, 1}, false,
            "kernel_size=" + PyRepr.tuple(kernel) + ", stride=" + PyRepr.tuple(stride) + ", padding=" + PyRepr.tuple(padding));
        ctx.addFlops(out.numel() < 0 ? -1 : out.numel() * Arrays.stream(kernel).reduce(1, (x, y) -> x * y));
        return out;
      }
      case ADAPTIVE_POOL: {
        Shape s = tensorArg(call, a.get("input"), "input");
        int n = Functions.spatialDims(fn);
        Shape out = Pooling.adaptive(s, n, windowSizes(a, "output_size", n, 1));
        ctx.addFlops(s.numel());
        return out;
      }
      default:
        throw new ShapeError("unsupported function");
    }
  }

  /**
   * A window size as one int per spatial dim: an int (or a tuple of one) repeats, a tuple
   * gives each; each at least {@code min}.
   */
  private static int[] windowSizes(Map<String, Object> a, String name, int spatial, int min) throws ShapeError {
    @SuppressWarnings("unchecked")
    List<Long> given = (List<Long>) a.get(name);
    if (given.size() != 1 && given.size() != spatial) {
      throw new ShapeError("'" + name + "' must be an int" + (spatial > 1 ? " or " + spatial + " ints" : "") + ", got " + given);
    }
    int[] out = new int[spatial];
    for (int i = 0; i < spatial; i++) {
      long v = given.get(given.size() == 1 ? 0 : i);
      if (v < min) {
        throw new ShapeError("'" + name + "' must be at least " + min + ", got " + v);
      }
      out[i] = (int) v;
    }
    return out;
  }
}
