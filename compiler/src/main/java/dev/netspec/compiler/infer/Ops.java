package dev.netspec.compiler.infer;

import java.util.ArrayList;
import java.util.List;

/** Shape rules of tensor operations, PyTorch's: broadcasting, matmul, reductions, views. */
public final class Ops {
  /** A shape rule that does not hold; the message says what was expected and found. */
  public static final class ShapeError extends Exception {
    private static final long serialVersionUID = 1L;

    public ShapeError(String message) {
      super(message, null, false, false);
    }
  }

  private Ops() {}

  /** PyTorch broadcasting of two shapes. */
  static Shape broadcast(Shape a, Shape b) throws ShapeError {
    if (!a.knownRank() || !b.knownRank()) {
      return Shape.ANY;
    }
    int n = Math.max(a.rank(), b.rank());
    List<Dim> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int ia = a.rank() - n + i;
      int ib = b.rank() - n + i;
      Dim x = ia < 0 ? Dim.of(1) : a.dim(ia);
      Dim y = ib < 0 ? Dim.of(1) : b.dim(ib);
      out.add(broadcastDim(x, y, a, b));
    }
    return new Shape(out);
  }

  private static Dim broadcastDim(Dim x, Dim y, Shape a, Shape b) throws ShapeError {
    if (x.size() == 1) {
      return y;
    }
    if (y.size() == 1 || x.equals(y)) {
      return x;
    }
    if (x.isLazy()) {
      return y;
    }
    if (y.isLazy()) {
      return x;
    }
    throw new ShapeError("cannot broadcast " + a + " with " + b);
  }

  /** {@code a @ b} with PyTorch's rules for 1-D, 2-D and batched operands. */
  static Shape matmul(Shape a, Shape b) throws ShapeError {
    if (!a.knownRank() || !b.knownRank()) {
      return Shape.ANY;
    }
    if (a.rank() == 0 || b.rank() == 0) {
      throw new ShapeError("matmul needs tensors of at least 1 dim, got " + a + " @ " + b);
    }
    Dim k1 = a.dim(-1);
    Dim k2 = b.rank() == 1 ? b.dim(0) : b.dim(-2);
    if (!Dim.compatible(k1, k2)) {
      throw new ShapeError("matmul " + a + " @ " + b + ": inner dims differ (" + k1 + " and " + k2 + ")");
    }
    List<Dim> out = new ArrayList<>();
    List<Dim> batchA = a.rank() > 2 ? a.dims().subList(0, a.rank() - 2) : List.of();
    List<Dim> batchB = b.rank() > 2 ? b.dims().subList(0, b.rank() - 2) : List.of();
    if (!batchA.isEmpty() || !batchB.isEmpty()) {
      out.addAll(broadcast(new Shape(batchA), new Shape(batchB)).dims());
    }
    if (a.rank() >= 2) {
      out.add(a.dim(-2));
    }
    if (b.rank() >= 2) {
      out.add(b.dim(-1));
    }
    return new Shape(out);
  }

  /** A dim index in range, negatives counted from the end. */
  public static int dimIndex(Shape s, long dim, String what) throws ShapeError {
    int r = s.rank();
    if (dim < -Math.max(r, 1) || dim >= Math.max(r, 1)) {
      throw new ShapeError(what + " " + dim + " is out of range for shape " + s + " (rank " + r + ")");
    }
    return (int) (dim < 0 ? dim + r : dim);
  }

  /** {@code sum(x, dim, keepdim)} and friends; {@code dim == null} reduces to a scalar. */
  static Shape reduce(Shape s, Long dim, boolean keepdim) throws ShapeError {
    if (dim == null) {
      return Shape.SCALAR;
    }
    if (!s.knownRank()) {
      return Shape.ANY;
    }
    int d = dimIndex(s, dim, "dim");
    if (s.rank() == 0) {
      return s; // PyTorch: a scalar's dim 0 (or -1) reduces to the scalar
    }
    List<Dim> out = new ArrayList<>(s.dims());
    if (keepdim) {
      out.set(d, Dim.of(1));
    } else {
      out.remove(d);
    }
    return new Shape(out);
  }

  /** {@code flatten(x, start, end)}. */
  public static Shape flatten(Shape s, long start, long end) throws ShapeError {
    if (!s.knownRank()) {
      return Shape.ANY;
    }
    int a = dimIndex(s, start, "start_dim");
    int b = dimIndex(s, end, "end_dim");
    if (s.rank() == 0) {
      return new Shape(List.of(Dim.of(1)));
    }
    if (a > b) {
      throw new ShapeError("flatten start_dim " + start + " comes after end_dim " + end + " for shape " + s);
    }
    List<Dim> out = new ArrayList<>(s.dims().subList(0, a));
    Dim p = Dim.of(1);
    for (int i = a; i <= b; i++) {
      p = Dim.times(p, s.dim(i));
    }
    out.add(p);
    out.addAll(s.dims().subList(b + 1, s.rank()));
    return new Shape(out);
  }

  /** {@code transpose(x, d0, d1)}. */
  static Shape transpose(Shape s, long d0, long d1) throws ShapeError {
    if (!s.knownRank()) {
      return Shape.ANY;
    }
    int a = dimIndex(s, d0, "dim0");
    int b = dimIndex(s, d1, "dim1");
    if (s.rank() == 0) {
      return s; // PyTorch: a scalar's dims 0 and -1 are the scalar itself
    }
    List<Dim> out = new ArrayList<>(s.dims());
    out.set(a, s.dim(b));
    out.set(b, s.dim(a));
    return new Shape(out);
  }

  /** {@code concat([a, b, ...], dim)}. */
  static Shape concat(List<Shape> shapes, long dim) throws ShapeError {
    Shape first = shapes.get(0);
    if (!first.knownRank()) {
      return Shape.ANY;
    }
    int d = dimIndex(first, dim, "dim");
    Dim total = first.dim(d);
    for (Shape s : shapes.subList(1, shapes.size())) {
      if (!s.knownRank() || s.rank() != first.rank()) {
        throw new ShapeError("concat needs tensors of one rank, got " + first + " and " + s);
      }
      for (int i = 0; i < s.rank(); i++) {
        if (i != d && !Dim.compatible(s.dim(i), first.dim(i))) {
          throw new ShapeError("concat along dim " + dim + " needs equal other dims, got " + first + " and " + s);
        }
      }
      Dim x = s.dim(d);
      total = Dim.plus(total, x);
    }
    List<Dim> out = new ArrayList<>(first.dims());
    out.set(d, total);
    return new Shape(out);
  }

  /**
   * {@code stack([a, b, ...], dim)}: tensors of one shape joined along a new dim, which counts
   * from the end when negative ({@code -1} appends it, as PyTorch's).
   */
  static Shape stack(List<Shape> shapes, long dim) throws ShapeError {
    Shape first = shapes.get(0);
    if (!first.knownRank()) {
      return Shape.ANY;
    }
    int r = first.rank();
    Shape stacked = withNewDim(first, dim, Dim.of(shapes.size()));
    for (Shape s : shapes.subList(1, shapes.size())) {
      boolean same = s.knownRank() && s.rank() == r;
      for (int i = 0; same && i < r; i++) {
        same = Dim.compatible(s.dim(i), first.dim(i));
      }
      if (!same) {
        throw new ShapeError("needs tensors of one shape, got " + first + " and " + s);
      }
    }
    return stacked;
  }

  /**
   * {@code s} with a new dim of {@code size} at {@code dim}, which counts from the end when
   * negative ({@code -1} appends it): {@code unsqueeze}'s and {@code stack}'s rule.
   */
  static Shape withNewDim(Shape s, long dim, Dim size) throws ShapeError {
    int r = s.rank();
    if (dim < -r - 1 || dim > r) {
      throw new ShapeError("dim " + dim + " is out of range for a new dim of " + s + " (from " + (-r - 1)
          + " to " + r + ")");
    }
    List<Dim> out = new ArrayList<>(s.dims());
    out.add((int) (dim < 0 ? dim + r + 1 : dim), size);
    return new Shape(out);
  }
}
