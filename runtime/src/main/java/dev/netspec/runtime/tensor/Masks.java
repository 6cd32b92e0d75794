package dev.netspec.runtime.tensor;

import dev.netspec.runtime.kernels.CompareOp;
import dev.netspec.runtime.kernels.Kernels;
import java.util.Arrays;

/**
 * Comparisons, {@code masked_fill}, {@code where}, {@code tril} and {@code triu}, on float32
 * and int64 tensors with PyTorch's broadcasting. A mask is what the comparisons return: a
 * float32 tensor of 0 and 1 (PyTorch's bool); as an input, any nonzero element of a float32
 * or int64 mask counts as true.
 */
final class Masks {
  private Masks() {}

  /** {@code x op y} elementwise, broadcast; int64 pairs compare exactly, others as float. */
  static Tensor compare(Tensor x, CompareOp op, Tensor y) {
    int[] shape = Layout.broadcastShapes(x.shape, y.shape);
    Tensor a = x.expand(shape);
    Tensor b = y.expand(shape);
    Tensor out = Tensor.zeros(shape);
    boolean longs = x.dtype() == DType.INT64 && y.dtype() == DType.INT64;
    Walk w = new Walk(shape, a, b);
    for (int i = 0; i < out.storage.length; i++, w.next()) {
      int c = longs ? Long.compare(longAt(a, w.o[0]), longAt(b, w.o[1]))
          : compareFloats(floatAt(a, w.o[0]), floatAt(b, w.o[1]));
      out.storage[i] = holds(op, c) ? 1f : 0f;
    }
    return out;
  }

  /** {@code x op value} for an int64 {@code x}, compared exactly in double. */
  static Tensor compareLongs(Tensor x, CompareOp op, float value) {
    Tensor out = Tensor.zeros(x.shape);
    Walk w = new Walk(x.shape, x);
    for (int i = 0; i < out.storage.length; i++, w.next()) {
      out.storage[i] = holds(op, compareFloats(longAt(x, w.o[0]), value)) ? 1f : 0f;
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
    int[] shape = Layout.broadcastShapes(x.shape, mask.shape);
    Tensor out = Tensor.zeros(x.dtype(), shape);
    out.copy_(x.expand(shape));
    Tensor m = mask.expand(shape);
    if (x.dtype() == DType.FLOAT32 && m.dtype() == DType.FLOAT32) {
      int len = denseBlock(shape, m);
      if (len >= MIN_BLOCK) { // one kernel call per dense run of the mask (a row, a matrix)
        Walk w = new Walk(blockShape(shape, len), m);
        for (int o = 0; o < out.storage.length; o += len, w.next()) {
          Kernels.maskedFill(m.storage, w.o[0], value, out.storage, o, out.storage, o, len);
        }
        return out;
      }
    }
    Walk w = new Walk(shape, m);
    for (int i = 0, n = Math.toIntExact(out.numel()); i < n; i++, w.next()) {
      if (truthAt(m, w.o[0])) {
        setFlat(out, i, value);
      }
    }
    return out;
  }

  /** {@code torch.where(cond, a, b)}: a where cond is nonzero, else b; all broadcast. */
  static Tensor where(Tensor cond, Tensor a, Tensor b) {
    int[] shape = Layout.broadcastShapes(cond.shape, Layout.broadcastShapes(a.shape, b.shape));
    boolean longs = a.dtype() == DType.INT64 && b.dtype() == DType.INT64;
    Tensor c = cond.expand(shape);
    Tensor x = a.expand(shape);
    Tensor y = b.expand(shape);
    Tensor out = Tensor.zeros(longs ? DType.INT64 : DType.FLOAT32, shape);
    boolean floats = c.dtype() == DType.FLOAT32 && x.dtype() == DType.FLOAT32
        && y.dtype() == DType.FLOAT32;
    int len = floats ? denseBlock(shape, c, x, y) : 0;
    if (len >= MIN_BLOCK) { // one kernel call per run where all three are dense
      Walk w = new Walk(blockShape(shape, len), c, x, y);
      for (int o = 0; o < out.storage.length; o += len, w.next()) {
        Kernels.where(c.storage, w.o[0], x.storage, w.o[1], y.storage, w.o[2], out.storage, o,
            len);
      }
      return out;
    }
    Walk w = new Walk(shape, c, x, y);
    for (int i = 0, n = Math.toIntExact(out.numel()); i < n; i++, w.next()) {
      boolean t = truthAt(c, w.o[0]);
      if (longs) {
        out.longs[i] = t ? longAt(x, w.o[1]) : longAt(y, w.o[2]);
      } else {
        out.storage[i] = t ? floatAt(x, w.o[1]) : floatAt(y, w.o[2]);
      }
    }
    return out;
  }

  /**
   * {@code torch.tril(x, k)} ({@code lower}) or {@code torch.triu(x, k)}: a copy of {@code x}
   * with the elements above (below) diagonal {@code k} of its last two dims zeroed.
   */
  static Tensor triangle(Tensor x, int k, boolean lower) {
    if (x.dim() < 2) {
      throw new IllegalArgumentException((lower ? "tril" : "triu")
          + " needs a tensor of rank >= 2, got shape " + Arrays.toString(x.shape));
    }
    Tensor out = x.clone();
    int rows = x.shape[x.dim() - 2];
    int cols = x.shape[x.dim() - 1];
    for (int i = 0, n = Math.toIntExact(out.numel()); i < n; i++) {
      int col = i % cols;
      int row = cols == 0 ? 0 : (i / cols) % rows;
      if (lower ? col - row > k : col - row < k) {
        setFlat(out, i, 0f);
      }
    }
    return out;
  }

  private static long longAt(Tensor t, int o) {
    return t.longs[o];
  }

  /** The element at storage offset {@code o} as a float (int64 promotes, as in PyTorch). */
  private static float floatAt(Tensor t, int o) {
    return t.longs != null ? t.longs[o] : t.storage[o];
  }

  /** Whether the mask element at storage offset {@code o} is nonzero. */
  private static boolean truthAt(Tensor t, int o) {
    return t.longs != null ? t.longs[o] != 0 : t.storage[o] != 0f;
  }

  /** Sets element {@code i} of a fresh contiguous tensor; int64 truncates {@code v}. */
  private static void setFlat(Tensor t, int i, float v) {
    if (t.longs != null) {
      t.longs[i] = (long) v;
    } else {
      t.storage[i] = v;
    }
  }

  /** Below this many elements per dense run, the element walk beats a kernel call per run. */
  private static final int MIN_BLOCK = 16;

  /**
   * The length of the trailing run over which every one of {@code ts} (all of {@code shape})
   * is dense row-major: the product of the trailing dims they all lay out densely.
   */
  private static int denseBlock(int[] shape, Tensor... ts) {
    int len = 1;
    for (int d = shape.length - 1; d >= 0; d--) {
      for (Tensor t : ts) {
        if (shape[d] != 1 && t.stride[d] != len) {
          return len;
        }
      }
      len *= shape[d];
    }
    return len;
  }

  /**
   * {@code shape} with its trailing dims of {@code len} elements replaced by one dim of size
   * 1, so that a {@link Walk} over it visits the start of each run; {@code len} is a product
   * of trailing dims, as {@link #denseBlock} returns.
   */
  private static int[] blockShape(int[] shape, int len) {
    int d = shape.length;
    for (long p = 1; p < len; ) {
      p *= shape[--d];
    }
    int[] s = Arrays.copyOf(shape, d + 1);
    s[d] = 1;
    return s;
  }

  /** The storage offsets of several tensors of one shape, advanced in row-major order. */
  private static final class Walk {
    final int[] o;
    private final int[] idx;
    private final int[] shape;
    private final Tensor[] ts;

    Walk(int[] shape, Tensor... ts) {
      this.shape = shape;
      this.ts = ts;
      this.idx = new int[shape.length];
      this.o = new int[ts.length];
      for (int t = 0; t < ts.length; t++) {
        o[t] = ts[t].offset;
      }
    }

    void next() {
      for (int d = idx.length - 1; d >= 0; d--) {
        if (++idx[d] < shape[d]) {
          for (int t = 0; t < ts.length; t++) {
            o[t] += ts[t].stride[d];
          }
          return;
        }
        idx[d] = 0;
        for (int t = 0; t < ts.length; t++) {
          o[t] -= (shape[d] - 1) * ts[t].stride[d];
        }
      }
    }
  }
}
