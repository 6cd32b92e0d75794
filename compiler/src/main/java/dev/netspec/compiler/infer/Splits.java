package dev.netspec.compiler.infer;

import dev.netspec.compiler.infer.Ops.ShapeError;
import dev.netspec.compiler.parse.Ast;
import dev.netspec.compiler.parse.Ast.Expr;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code chunk(x, chunks, dim)} and {@code split(x, split_size_or_sections, dim)}: PyTorch's
 * rules, a tuple of views of {@code x} along {@code dim}. How many there are depends on the
 * size of {@code dim}, which must be known.
 */
final class Splits {
  /** The most pieces one call may give (each is a variable of the generated code). */
  static final int MAX_PIECES = 1024;

  private Splits() {}

  /** An int constant (a size) or a list of them (sections), or null when neither. */
  static Object sizes(Expr x, Function<Expr, Long> constInt) {
    if (x instanceof Ast.Tuple t) {
      List<Long> out = new ArrayList<>();
      for (Expr item : t.items()) {
        Long v = constInt.apply(item);
        if (v == null) {
          return null;
        }
        out.add(v);
      }
      return out;
    }
    return constInt.apply(x);
  }

  /** The tuple a bound {@code chunk} or {@code split} call gives. */
  static Type apply(Functions.Fn fn, Map<String, Object> a, Map<Expr, Type> types) throws ShapeError {
    Type t = types.get((Expr) a.get("input"));
    if (!(t instanceof Type.TensorT x)) {
      throw new ShapeError("'input' must be a tensor, got " + t);
    }
    if (!x.shape().knownRank()) {
      return Type.unknownTensor(); // reported where it became unknown
    }
    Shape s = x.shape();
    if (s.rank() == 0) {
      throw new ShapeError("expects a tensor of at least 1 dim, got a scalar");
    }
    int d = Ops.dimIndex(s, (Long) a.get("dim"), "dim");
    if (!(s.dim(d) instanceof Dim.Known k)) {
      throw new ShapeError("dim " + a.get("dim") + " of " + s + " is " + s.dim(d)
          + "; the number of tensors it gives must be known, so that size must be a number");
    }
    int n = k.size();
    List<Integer> pieces = new ArrayList<>();
    if (fn.name().equals("chunk")) {
      long chunks = (Long) a.get("chunks");
      if (chunks < 1) {
        throw new ShapeError("chunks must be at least 1, got " + chunks);
      }
      pieces(n, (int) Math.min((n + chunks - 1) / chunks, n), pieces);
    } else if (a.get("split_size_or_sections") instanceof Long size) {
      if (size < 1) {
        throw new ShapeError("split_size must be at least 1, got " + size);
      }
      pieces(n, (int) Math.min(size, n), pieces);
    } else {
      @SuppressWarnings("unchecked")
      List<Long> sections = (List<Long>) a.get("split_size_or_sections");
      long sum = 0;
      for (long v : sections) {
        if (v < 0) {
          throw new ShapeError("sections must not be negative, got " + sections);
        }
        sum += v;
        pieces.add((int) Math.min(v, Integer.MAX_VALUE));
      }
      if (sum != n) {
        throw new ShapeError("sections " + sections + " add up to " + sum + ", but dim " + a.get("dim")
            + " of " + s + " has " + n);
      }
    }
    if (pieces.size() > MAX_PIECES) {
      throw new ShapeError("gives " + pieces.size() + " tensors; the limit is " + MAX_PIECES);
    }
    List<Type> items = new ArrayList<>();
    for (int p : pieces) {
      List<Dim> dims = new ArrayList<>(s.dims());
      dims.set(d, Dim.of(p));
      items.add(new Type.TensorT(new Shape(dims), x.dtype()));
    }
    return new Type.TupleT(items);
  }

  /**
   * Pieces of {@code size} covering {@code n}, the last one shorter if need be; refused,
   * with their true count, when they are more than {@link #MAX_PIECES}.
   */
  private static void pieces(int n, int size, List<Integer> out) throws ShapeError {
    long count = ((long) n + size - 1) / size;
    if (count > MAX_PIECES) {
      throw new ShapeError("gives " + count + " tensors; the limit is " + MAX_PIECES);
    }
    for (int start = 0; start < n; start += size) {
      out.add(Math.min(size, n - start));
    }
  }
}
