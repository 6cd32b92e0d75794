package dev.netspec.runtime.tensor;

import dev.netspec.runtime.kernels.CompareOp;
import dev.netspec.runtime.kernels.Kernels;
import java.util.Arrays;

/**
 * Comparisons, {@code masked_fill}, {@code where}, {@code tril} and {@code triu}, on float32
 * and int64 tensors with PyTorch's broadcasting. A mask is what the comparisons return: a
 * float32 tensor of 0 and 1 (PyTorch's bool); as an input, any nonzero element of a float32
 * or int64 mask counts as true. Each op is written once, into a contiguous {@code out} of the
 * broadcast shape (PyTorch's {@code out=}); the allocating forms make that tensor first. The
 * operands are read where they lie, broadcast by stride 0, so a warm call into a buffer
 * allocates nothing; an {@code out} overlapping an operand (other than exactly, for {@code
 * masked_fill}, {@code tril} and {@code triu}) takes a copy.
 */
final class Masks {
  private Masks() {}

  /** {@code x op y} elementwise, broadcast; int64 pairs compare exactly, others as float. */
  static Tensor compare(Tensor x, CompareOp op, Tensor y) {
    return compare(x, op, y, Tensor.zeros(Layout.broadcastShapes(x.shape, y.shape)));
  }

  /** {@code out = (x op y)} as 1 and 0, broadcast (float32 out); returns {@code out}. */
  static Tensor compare(Tensor x, CompareOp op, Tensor y, Tensor out) {
    requireOut(op, out, DType.FLOAT32, x, y, null);
    if (out.sharesStorageWith(x) || out.sharesStorageWith(y)) {
      return out.copy_(compare(x, op, y));
    }
    out.bumpVersion();
    int[] shape = out.shape;
    int n = Math.toIntExact(out.numel());
    int cols = cols(shape);
    int sx = Layout.strideIn(x, shape, shape.length - 1);
    int sy = Layout.strideIn(y, shape, shape.length - 1);
    boolean longs = x.longs != null && y.longs != null;
    for (int row = 0; row < n; row += cols) {
      int ox = Layout.offsetIn(x, shape, row);
      int oy = Layout.offsetIn(y, shape, row);
      for (int j = 0, o = out.offset + row; j < cols; j++, o++, ox += sx, oy += sy) {
        int c = longs ? Long.compare(x.longs[ox], y.longs[oy]) : compareFloats(floatAt(x, ox), floatAt(y, oy));
        out.storage[o] = holds(op, c) ? 1f : 0f;
      }
    }
    return out;
  }

  /** {@code x op value} for an int64 {@code x}, compared exactly in double. */
  static Tensor compareLongs(Tensor x, CompareOp op, float value) {
    Tensor out = Tensor.zeros(x.shape);
    int[] shape = x.shape;
    int n = Math.toIntExact(out.numel());
    int cols = cols(shape);
    int sx = Layout.strideIn(x, shape, shape.length - 1);
    for (int row = 0; row < n; row += cols) {
      for (int j = 0, ox = Layout.offsetIn(x, shape, row); j < cols; j++, ox += sx) {
        out.storage[row + j] = holds(op, x.longs[ox], value) ? 1f : 0f;
      }
    }
    return out;
  }

  /** {@code x op value} for one int64 id, compared exactly in double (as {@link #compareLongs}). */
  static boolean holds(CompareOp op, long x, float value) {
    return holds(op, compareFloats(x, value));
  }

  /** -1, 0 or 1 as {@code a} is below, equal to or above {@code b}; 2 if either is NaN. */
  private static int compareFloats(double a, double b) {
    return a < b ? -1 : a > b ? 1 : a == b ? 0 : 2;
  }

  private static boolean holds(CompareOp op, int c) {
    switch (op) {
      case EQ:
        return c == 0;
      case NE:
        return c != 0;
      case LT:
        return c == -1;
      case LE:
        return c == -1 || c == 0;
      case GT:
        return c == 1;
      default:
        return c == 1 || c == 0;
    }
  }

  /** {@code x.masked_fill(mask, value)}: value where the (broadcast) mask is nonzero. */
  static Tensor maskedFill(Tensor x, Tensor mask, float value) {
    return maskedFill(x, mask, value, Tensor.zeros(x.dtype(), Layout.broadcastShapes(x.shape, mask.shape)));
  }

  /**
   * {@code out = x.masked_fill(mask, value)}, broadcast ({@code out} of x's dtype; it may be
   * {@code x} itself when that is contiguous and of the result's shape); returns {@code out}.
   */
  static Tensor maskedFill(Tensor x, Tensor mask, float value, Tensor out) {
    requireOut("masked_fill", out, x.dtype(), x, mask, null);
    if (out.sharesStorageWith(mask) || out.sharesStorageWith(x) && !sameElements(x, out)) {
      return out.copy_(maskedFill(x, mask, value));
    }
    out.bumpVersion();
    int[] shape = out.shape;
    int n = Math.toIntExact(out.numel());
    int len = x.storage != null && mask.storage != null
        ? Math.min(denseRun(shape, x), denseRun(shape, mask)) : 0;
    if (len >= MIN_BLOCK) { // one kernel call per dense run of both (a row, a matrix)
      for (int o = 0; o < n; o += len) {
        Kernels.maskedFill(mask.storage, Layout.offsetIn(mask, shape, o), value, x.storage,
            Layout.offsetIn(x, shape, o), out.storage,
            out.offset + o, len);
      }
      return out;
    }
    int cols = cols(shape);
    int sx = Layout.strideIn(x, shape, shape.length - 1);
    int sm = Layout.strideIn(mask, shape, shape.length - 1);
    for (int row = 0; row < n; row += cols) {
      int ox = Layout.offsetIn(x, shape, row);
      int om = Layout.offsetIn(mask, shape, row);
      for (int j = 0, o = out.offset + row; j < cols; j++, o++, ox += sx, om += sm) {
        boolean fill = truthAt(mask, om);
        if (out.longs != null) {
          out.longs[o] = fill ? (long) value : x.longs[ox];
        } else {
          out.storage[o] = fill ? value : x.storage[ox];
        }
      }
    }
    return out;
  }

  /** {@code torch.where(cond, a, b)}: a where cond is nonzero, else b; all broadcast. */
  static Tensor where(Tensor cond, Tensor a, Tensor b) {
    int[] shape = Layout.broadcastShapes(cond.shape, Layout.broadcastShapes(a.shape, b.shape));
    boolean longs = a.dtype() == DType.INT64 && b.dtype() == DType.INT64;
    return where(cond, a, 0f, b, 0f, Tensor.zeros(longs ? DType.INT64 : DType.FLOAT32, shape));
  }

  /**
   * {@code out = torch.where(cond, a, b)}, broadcast, where a null {@code a} ({@code b}) is the
   * number {@code av} ({@code bv}); {@code out} is int64 when both are int64 tensors, else
   * float32; returns {@code out}.
   */
  static Tensor where(Tensor cond, Tensor a, float av, Tensor b, float bv, Tensor out) {
    boolean longs = a != null && b != null && a.longs != null && b.longs != null;
    requireOut("where", out, longs ? DType.INT64 : DType.FLOAT32, cond, a, b);
    if (out.sharesStorageWith(cond) || a != null && out.sharesStorageWith(a) || b != null && out.sharesStorageWith(b)) {
      return out.copy_(where(cond, a != null ? a : Tensor.scalar(av), b != null ? b : Tensor.scalar(bv)));
    }
    out.bumpVersion();
    int[] shape = out.shape;
    int n = Math.toIntExact(out.numel());
    boolean floats = cond.storage != null && a != null && a.storage != null && b != null && b.storage != null;
    int len = floats ? Math.min(denseRun(shape, cond), Math.min(denseRun(shape, a), denseRun(shape, b))) : 0;
    if (len >= MIN_BLOCK) { // one kernel call per run where all three are dense
      for (int o = 0; o < n; o += len) {
        Kernels.where(cond.storage, Layout.offsetIn(cond, shape, o), a.storage, Layout.offsetIn(a, shape, o),
            b.storage, Layout.offsetIn(b, shape, o),
            out.storage, out.offset + o, len);
      }
      return out;
    }
    int cols = cols(shape);
    int last = shape.length - 1;
    int sc = Layout.strideIn(cond, shape, last);
    int sa = a == null ? 0 : Layout.strideIn(a, shape, last);
    int sb = b == null ? 0 : Layout.strideIn(b, shape, last);
    for (int row = 0; row < n; row += cols) {
      int oc = Layout.offsetIn(cond, shape, row);
      int oa = a == null ? 0 : Layout.offsetIn(a, shape, row);
      int ob = b == null ? 0 : Layout.offsetIn(b, shape, row);
      for (int j = 0, o = out.offset + row; j < cols; j++, o++, oc += sc, oa += sa, ob += sb) {
        boolean t = truthAt(cond, oc);
        if (longs) {
          out.longs[o] = t ? a.longs[oa] : b.longs[ob];
        } else {
          out.storage[o] = t ? (a == null ? av : floatAt(a, oa)) : (b == null ? bv : floatAt(b, ob));
        }
      }
    }
    return out;
  }

  /**
   * {@code torch.tril(x, k)} ({@code lower}) or {@code torch.triu(x, k)}: a copy of {@code x}
   * with the elements above (below) diagonal {@code k} of its last two dims zeroed.
   */
  static Tensor triangle(Tensor x, int k, boolean lower) {
    requireMatrices(x, lower);
    return triangle(x, k, lower, Tensor.zeros(x.dtype(), x.shape));
  }

  /**
   * {@code out = tril(x, k)} ({@code lower}) or {@code triu(x, k)}, {@code out} of x's shape
   * and dtype (it may be {@code x} itself when that is contiguous); returns {@code out}.
   */
  static Tensor triangle(Tensor x, int k, boolean lower, Tensor out) {
    requireMatrices(x, lower);
    requireOut(lower ? "tril" : "triu", out, x.dtype(), x, null, null);
    if (out.sharesStorageWith(x) && !sameElements(x, out)) {
      return out.copy_(triangle(x, k, lower));
    }
    out.bumpVersion();
    int[] shape = out.shape;
    int n = Math.toIntExact(out.numel());
    int rows = shape[shape.length - 2];
    int cols = shape[shape.length - 1];
    int sx = x.stride[x.dim() - 1];
    for (int start = 0, row = 0; start < n; start += cols, row = row + 1 == rows ? 0 : row + 1) {
      int ox = Layout.offsetIn(x, shape, start);
      for (int col = 0, o = out.offset + start; col < cols; col++, o++, ox += sx) {
        boolean zero = lower ? col - row > k : col - row < k;
        if (out.longs != null) {
          out.longs[o] = zero ? 0L : x.longs[ox];
        } else {
          out.storage[o] = zero ? 0f : x.storage[ox];
        }
      }
    }
    return out;
  }

  private static void requireMatrices(Tensor x, boolean lower) {
    if (x.dim() < 2) {
      throw new IllegalArgumentException((lower ? "tril" : "triu")
          + " needs a tensor of rank >= 2, got shape " + Arrays.toString(x.shape));
    }
  }

  /**
   * Refuses an {@code out} that is not contiguous, not of {@code dtype} or not of the broadcast
   * shape of the operands ({@code b}, {@code c} may be null: a number or none); {@code op}, a
   * name or a {@code CompareOp}, is spelled only then (no allocation on the way through).
   */
  private static void requireOut(Object op, Tensor out, DType dtype, Tensor a, Tensor b, Tensor c) {
    boolean fits = out.isContiguous() && out.dtype() == dtype && covers(out.shape, a) && covers(out.shape, b)
        && covers(out.shape, c);
    for (int d = 0; fits && d < out.shape.length; d++) { // each size of out is some operand's
      fits = out.shape[d] == 1 || sizeIn(a, out.shape, d) == out.shape[d] || sizeIn(b, out.shape, d) == out.shape[d]
          || sizeIn(c, out.shape, d) == out.shape[d];
    }
    fits &= out.shape.length == Math.max(rank(a), Math.max(rank(b), rank(c)));
    if (!fits) {
      throw new IllegalArgumentException(op.toString().toLowerCase(java.util.Locale.ROOT) + ": out of shape "
          + Arrays.toString(out.shape) + " (" + out.dtype()
          + (out.isContiguous() ? "" : ", strided") + ") is not the " + dtype + " result of "
          + shapes(a, b, c) + ", or not contiguous");
    }
  }

  private static String shapes(Tensor a, Tensor b, Tensor c) {
    StringBuilder s = new StringBuilder(Arrays.toString(a.shape));
    for (Tensor t : new Tensor[] {b, c}) {
      if (t != null) {
        s.append(" and ").append(Arrays.toString(t.shape));
      }
    }
    return s.toString();
  }

  private static int rank(Tensor t) {
    return t == null ? 0 : t.shape.length;
  }

  /** Whether {@code t} (null: a number) broadcasts to {@code shape}. */
  private static boolean covers(int[] shape, Tensor t) {
    if (t == null) {
      return true;
    }
    int pad = shape.length - t.shape.length;
    if (pad < 0) {
      return false;
    }
    for (int d = 0; d < t.shape.length; d++) {
      if (t.shape[d] != 1 && t.shape[d] != shape[pad + d]) {
        return false;
      }
    }
    return true;
  }

  /** The size of {@code t} at dim {@code d} of {@code shape} (right-aligned); 1 beyond its rank or for null. */
  private static int sizeIn(Tensor t, int[] shape, int d) {
    int td = t == null ? -1 : d - (shape.length - t.shape.length);
    return td < 0 ? 1 : t.shape[td];
  }

  /** The length of a row of the last dim (1 for a scalar). */
  private static int cols(int[] shape) {
    return shape.length == 0 ? 1 : Math.max(shape[shape.length - 1], 1);
  }

  /** Whether {@code a} and {@code b} are the same elements in the same order (both contiguous). */
  private static boolean sameElements(Tensor a, Tensor b) {
    return a.offset == b.offset && a.isContiguous() && Arrays.equals(a.shape, b.shape);
  }

  /** The element at storage offset {@code o} as a float (int64 promotes, as in PyTorch). */
  private static float floatAt(Tensor t, int o) {
    return t.longs != null ? t.longs[o] : t.storage[o];
  }

  /** Whether the mask element at storage offset {@code o} is nonzero. */
  private static boolean truthAt(Tensor t, int o) {
    return t.longs != null ? t.longs[o] != 0 : t.storage[o] != 0f;
  }

  /** Below this many elements per dense run, the element walk beats a kernel call per run. */
  private static final int MIN_BLOCK = 16;

  /**
   * The length of the trailing run over which {@code t}, broadcast to {@code shape}, is dense
   * row-major: the product of the trailing dims it lays out densely.
   */
  private static int denseRun(int[] shape, Tensor t) {
    int len = 1;
    for (int d = shape.length - 1; d >= 0; d--) {
      if (shape[d] != 1 && Layout.strideIn(t, shape, d) != len) {
        return len;
      }
      len *= shape[d];
    }
    return len;
  }
}
