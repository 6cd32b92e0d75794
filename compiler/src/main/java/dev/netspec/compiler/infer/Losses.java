package dev.netspec.compiler.infer;

import dev.netspec.compiler.infer.TensorOps.Problem;
import dev.netspec.compiler.parse.Ast;
import dev.netspec.compiler.parse.Ast.Expr;
import java.util.List;
import java.util.Map;

/**
 * The loss functions of the forward language, PyTorch's {@code torch.nn.functional} ones
 * with their argument names and defaults: {@code mse_loss}, {@code l1_loss}, {@code
 * smooth_l1_loss} ({@code beta}), {@code binary_cross_entropy_with_logits} (without {@code
 * pos_weight} so far), each over a float32 input and a float32 target of one shape; {@code
 * cross_entropy} ({@code ignore_index}, {@code label_smoothing}) and {@code nll_loss} ({@code
 * ignore_index}) over {@code (N, C)} or {@code (C)} scores and int64 class indices {@code
 * (N)} or {@code ()}; each with {@code reduction} {@code 'mean'} (the default) or {@code
 * 'sum'} (a scalar) or {@code 'none'} (per element: the input's shape, the target's for class
 * indices). The constant arguments are checked and stored back as values for code generation.
 */
final class Losses {
  private final TensorOps.Context ctx;

  Losses(TensorOps.Context ctx) {
    this.ctx = ctx;
  }

  /** Registers the functions with PyTorch's parameters and defaults. */
  static void register(Functions.Registry add) {
    Functions.Param input = new Functions.Param("input", null);
    Functions.Param target = new Functions.Param("target", null);
    Functions.Param reduction = new Functions.Param("reduction", "mean");
    add.fn("mse_loss", input, target, reduction);
    add.fn("l1_loss", input, target, reduction);
    add.fn("smooth_l1_loss", input, target, reduction, new Functions.Param("beta", 1.0));
    add.fn("binary_cross_entropy_with_logits", input, target,
        new Functions.Param("weight", Functions.NONE), reduction,
        new Functions.Param("pos_weight", Functions.NONE));
    Functions.Param weight = new Functions.Param("weight", Functions.NONE);
    Functions.Param ignore = new Functions.Param("ignore_index", -100L);
    add.fn("cross_entropy", input, target, weight, ignore, reduction,
        new Functions.Param("label_smoothing", 0.0));
    add.fn("nll_loss", input, target, weight, ignore, reduction);
  }

  /** The type of a call of one of the losses (its arguments kept for code generation). */
  Type call(Ast.Call call, Functions.Fn fn, Map<String, Type> env) {
    Map<String, Object> a = ctx.match(call, fn);
    if (a == null) {
      return Type.unknownTensor();
    }
    try {
      Type t = apply(call, a, env);
      ctx.record(call, a);
      return t;
    } catch (Problem p) {
      if (p.getMessage() != null) {
        ctx.error(p.loc, call.callee() + ": " + p.getMessage());
      }
      return Type.unknownTensor();
    }
  }

  private Type apply(Ast.Call call, Map<String, Object> a, Map<String, Type> env) throws Problem {
    Type.TensorT input = tensor(a, "input", env);
    Type.TensorT target = tensor(a, "target", env);
    if (input.dtype() != DType.FLOAT32) {
      throw new Problem(loc(a, "input", call), "input must be float32 scores, got " + input);
    }
    String reduction = reduction(a, call);
    if (a.get("weight") instanceof Expr w && !(w instanceof Ast.NoneLit)) {
      throw new Problem(w.loc(), "'weight' is not supported yet; leave it None");
    }
    String name = call.callee();
    if (name.equals("cross_entropy") || name.equals("nll_loss")) {
      a.put("ignore_index", intConstant(a, "ignore_index", call));
      if (name.equals("cross_entropy")) {
        Ast.Loc at = loc(a, "label_smoothing", call);
        double s = number(a, "label_smoothing", call);
        if (!(s >= 0 && s <= 1)) {
          throw new Problem(at, "label_smoothing must be between 0.0"
              + " and 1.0, got " + s);
        }
      }
      Shape out = classTargets(call, a, input, target);
      return new Type.TensorT(reduction.equals("none") ? out : Shape.SCALAR);
    }
    if (target.dtype() != DType.FLOAT32) {
      throw new Problem(loc(a, "target", call), "target must be float32 (of the input's shape),"
          + " got " + target);
    }
    if (!Shape.compatible(input.shape(), target.shape())) {
      throw new Problem(loc(a, "target", call), "target has shape " + target.shape()
          + ", but input has " + input.shape() + "; the two must have one shape");
    }
    if (name.equals("smooth_l1_loss")) {
      Ast.Loc at = loc(a, "beta", call);
      if (!(number(a, "beta", call) >= 0)) {
        throw new Problem(at, "beta must be >= 0, got " + a.get("beta"));
      }
    }
    if (name.equals("binary_cross_entropy_with_logits")) {
      posWeight(a);
    }
    return new Type.TensorT(reduction.equals("none") ? input.shape() : Shape.SCALAR);
  }

  /** The shape of the per-row losses: (N) for (N, C) scores and (N) targets, () for (C) and (). */
  private Shape classTargets(Ast.Call call, Map<String, Object> a, Type.TensorT input,
      Type.TensorT target) throws Problem {
    if (target.dtype() != DType.INT64) {
      throw new Problem(loc(a, "target", call), "target must hold class indices as int64, got "
          + target + " (declare the input as [batch, int64])");
    }
    Shape in = input.shape();
    Shape t = target.shape();
    if (!in.knownRank() || !t.knownRank()) {
      return t;
    }
    if (in.rank() != 1 && in.rank() != 2) {
      throw new Problem(loc(a, "input", call), "input must be (N, C) scores or (C) for one"
          + " sample, got " + input + (in.rank() > 2 ? " (extra spatial dims are not supported yet)" : "")
          + ctx.flattenHint(in));
    }
    boolean fits = in.rank() == 2 ? t.rank() == 1 && Dim.compatible(t.dim(0), in.dim(0))
        : t.rank() == 0;
    if (!fits) {
      throw new Problem(loc(a, "target", call), "target has shape " + t + ", but " + input
          + " takes " + (in.rank() == 2 ? "(" + in.dim(0) + ") class indices" : "a scalar class index"));
    }
    return t;
  }

  /**
   * {@code pos_weight}: None only, for now. PyTorch differentiates it, and the runtime's
   * {@code BCEWithLogitsLoss} takes it as a constant: a forward's tensor would lose its gradient.
   */
  private static void posWeight(Map<String, Object> a) throws Problem {
    if (a.get("pos_weight") instanceof Expr e && !(e instanceof Ast.NoneLit)) {
      throw new Problem(e.loc(), "'pos_weight' is not supported in a forward yet (its gradient is"
          + " not computed); leave it None, or use BCEWithLogitsLoss(reduction, posWeight) from Java");
    }
  }

  /** {@code reduction}: 'mean', 'sum' or 'none', stored back as the string. */
  private static String reduction(Map<String, Object> a, Ast.Call call) throws Problem {
    Object v = a.get("reduction");
    String r = v instanceof String s ? s : v instanceof Ast.Str s ? s.value() : null;
    if (r == null || !List.of("mean", "sum", "none").contains(r)) {
      throw new Problem(loc(a, "reduction", call), "reduction must be 'mean', 'sum' or 'none'"
          + (r == null ? ", a string" : ", got '" + r + "'"));
    }
    a.put("reduction", r);
    return r;
  }

  /** A number constant (or the default), stored back as a Double. */
  private static double number(Map<String, Object> a, String name, Ast.Call call) throws Problem {
    Object v = a.get(name);
    Double d = v instanceof Double x ? x : v instanceof Expr e ? constant(e) : null;
    if (d == null) {
      throw new Problem(loc(a, name, call), "'" + name + "' must be a number constant");
    }
    a.put(name, d);
    return d;
  }

  /** An int constant (or the default), stored back as a Long. */
  private static long intConstant(Map<String, Object> a, String name, Ast.Call call)
      throws Problem {
    Object v = a.get(name);
    if (v instanceof Long l) {
      return l;
    }
    Double d = v instanceof Expr e && !(e instanceof Ast.Num n && !n.integral()) ? constant(e) : null;
    if (d == null || d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
      throw new Problem(loc(a, name, call), "'" + name + "' must be an int constant");
    }
    return d.longValue();
  }

  private static Double constant(Expr e) {
    if (e instanceof Ast.Num n) {
      return n.value();
    }
    if (e instanceof Ast.Unary u && u.op().equals("-")) {
      Double v = constant(u.operand());
      return v == null ? null : -v;
    }
    return null;
  }

  private Type.TensorT tensor(Map<String, Object> a, String name, Map<String, Type> env)
      throws Problem {
    Expr e = (Expr) a.get(name);
    Type t = ctx.eval(e, env);
    if (t instanceof Type.TensorT tt && !tt.shape().knownRank()) {
      throw new Problem(e.loc(), null); // its error is reported where it was evaluated
    }
    if (!(t instanceof Type.TensorT tt)) {
      throw new Problem(e.loc(), "'" + name + "' must be a tensor, got " + t);
    }
    return tt;
  }

  /** Where argument {@code name} is written, or the call for a default. */
  private static Ast.Loc loc(Map<String, Object> a, String name, Ast.Call call) {
    return a.get(name) instanceof Expr e ? e.loc() : call.loc();
  }
}
