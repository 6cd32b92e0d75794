package dev.netspec.compiler.layers;

import dev.netspec.compiler.check.Model.ArgExpr;
import dev.netspec.compiler.check.Model.ArgRef;
import dev.netspec.compiler.check.Model.Literal;
import dev.netspec.compiler.check.Model.Value;
import dev.netspec.compiler.diag.Position;
import dev.netspec.compiler.infer.ArgArithmetic;
import dev.netspec.compiler.infer.Dim;
import dev.netspec.compiler.infer.Ops.ShapeError;
import java.util.List;
import java.util.Map;

/**
 * The arguments of one layer use, resolved against the enclosing block's argument values:
 * a literal as written, a block argument as its value in this instantiation (a {@link Dim}
 * for an int, possibly symbolic).
 */
public final class Args {
  /**
   * An int of {@link #windowInts} that is a block argument not known here (the generic
   * instantiation of a block: {@code stride: stride}); the sizes it decides are lazy there.
   */
  public static final int UNKNOWN = Integer.MIN_VALUE;

  private final Map<String, Value> given;
  private final Map<String, Object> env;

  /** {@code given} as the spec wrote them; {@code env} the enclosing block's argument values. */
  public Args(Map<String, Value> given, Map<String, Object> env) {
    this.given = given;
    this.env = env;
  }

  /** The value of {@code v} in {@code env}: Long, Double, Boolean, String, List of Long, a symbolic Dim. */
  public static Object resolve(Value v, Map<String, Object> env, Object fallback) {
    if (v == null) {
      return fallback;
    }
    if (v instanceof Literal l) {
      return l.value();
    }
    if (v instanceof ArgExpr e) {
      return ArgArithmetic.value(e.expr(), env);
    }
    Object a = env.get(((ArgRef) v).name());
    return a instanceof Dim.Known k ? (Object) (long) k.size() : a;
  }

  /** Whether the spec gives {@code name}. */
  public boolean has(String name) {
    return given.containsKey(name);
  }

  /** Where the spec gives {@code name}. */
  public Position pos(String name) {
    return given.get(name).pos();
  }

  /** The value of {@code name}, or {@code fallback} when not given. */
  public Object value(String name, Object fallback) {
    return resolve(given.get(name), env, fallback);
  }

  /** An int argument as a dim: known, or the symbol of a block argument. */
  public Dim dim(String name) {
    Value v = given.get(name);
    if (v instanceof ArgRef r) {
      Object a = env.get(r.name());
      return a instanceof Dim d ? d : new Dim.Sym(r.name());
    }
    if (v instanceof ArgExpr e) {
      Object a = ArgArithmetic.value(e.expr(), env);
      return a instanceof Long n ? Dim.of(n.intValue()) : (Dim) a;
    }
    return Dim.of(((Long) ((Literal) v).value()).intValue());
  }

  /** An int argument that has to be known here (a dim index), or {@code fallback} when not given. */
  public long known(String name, Long fallback) throws ShapeError {
    Object v = value(name, fallback);
    if (!(v instanceof Long n)) {
      throw new ShapeError(name + " must be a known int here, got " + v);
    }
    return n;
  }

  /**
   * An int-or-ints argument (PyTorch's {@code _single}, {@code _pair}) as {@code n} known ints:
   * one int is repeated; {@code fallback} when not given.
   */
  public int[] ints(String name, int n, int fallback) throws ShapeError {
    return ints(name, n, fallback, false);
  }

  /**
   * {@link #ints}, where a block argument whose value is not known here (a symbol in the
   * generic instantiation) is {@link #UNKNOWN}.
   */
  public int[] windowInts(String name, int n, int fallback) throws ShapeError {
    return ints(name, n, fallback, true);
  }

  private int[] ints(String name, int n, int fallback, boolean unknownAllowed) throws ShapeError {
    Object v = value(name, (long) fallback);
    List<?> items = v instanceof List<?> l ? l : List.of(v);
    if (items.size() != 1 && items.size() != n) {
      throw new ShapeError(name + " must be an int or a list of " + n + " ints, got " + items);
    }
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      Object x = items.get(items.size() == 1 ? 0 : i);
      if (x instanceof Long k) {
        out[i] = k.intValue();
      } else if (unknownAllowed && x instanceof Dim) {
        out[i] = UNKNOWN;
      } else {
        throw new ShapeError(name + " must be known here, got " + x);
      }
    }
    return out;
  }

  /** A bool argument; one not known here counts as true. */
  public boolean bool(String name, boolean fallback) {
    Object v = value(name, fallback);
    return !(v instanceof Boolean x) || x;
  }
}
