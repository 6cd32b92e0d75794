package dev.netspec.runtime.tensor;

import dev.netspec.runtime.kernels.BinaryOp;
import dev.netspec.runtime.kernels.CompareOp;
import dev.netspec.runtime.kernels.Kernels;
import java.util.Arrays;
import java.util.Locale;

/**
 * PyTorch's {@code out=} forms of the operations the allocation-free forward of sequence
 * models needs beside {@link Tensor}'s {@code ...Into} methods: {@code arange} into an int64
 * buffer, the comparisons with a number ({@code eq}, {@code ne}, {@code lt}, {@code le},
 * {@code gt}, {@code ge}), a number minus a tensor, a sum over one dim, one part of a
 * {@code concat} placed in its result, and a dense copy of a piece ({@code narrow_copy}). As
 * there, contiguous operands take a path that allocates nothing; any other layout falls back
 * to the allocating op and a copy, so every call is correct.
 */
public final class Out {
  private Out() {}

  /** {@code out = arange(start, start + n)}, n = out's length (1-D, int64 or float32); returns {@code out}. */
  public static Tensor arange(long start, Tensor out) {
    if (out.dim() != 1 || !out.isContiguous()) {
      throw new IllegalArgumentException("arange: out must be a contiguous 1-D tensor, got shape "
          + Arrays.toString(out.shape));
    }
    out.bumpVersion();
    int n = out.shape[0];
    if (out.longs != null) {
      for (int i = 0; i < n; i++) {
        out.longs[out.offset + i] = start + i;
      }
    } else {
      for (int i = 0; i < n; i++) {
        out.storage[out.offset + i] = start + i;
      }
    }
    return out;
  }

  /** {@code out = (x == value)} as 1 and 0 (float32 out; x float32 or int64); returns {@code out}. */
  public static Tensor eq(Tensor x, float value, Tensor out) {
    return compare(CompareOp.EQ, x, value, out);
  }

  /** {@code out = (x != value)} as 1 and 0 (float32 out; x float32 or int64); returns {@code out}. */
  public static Tensor ne(Tensor x, float value, Tensor out) {
    return compare(CompareOp.NE, x, value, out);
  }

  /** {@code out = (x < value)} as 1 and 0 (float32 out; x float32 or int64); returns {@code out}. */
  public static Tensor lt(Tensor x, float value, Tensor out) {
    return compare(CompareOp.LT, x, value, out);
  }

  /** {@code out = (x <= value)} as 1 and 0 (float32 out; x float32 or int64); returns {@code out}. */
  public static Tensor le(Tensor x, float value, Tensor out) {
    return compare(CompareOp.LE, x, value, out);
  }

  /** {@code out = (x > value)} as 1 and 0 (float32 out; x float32 or int64); returns {@code out}. */
  public static Tensor gt(Tensor x, float value, Tensor out) {
    return compare(CompareOp.GT, x, value, out);
  }

  /** {@code out = (x >= value)} as 1 and 0 (float32 out; x float32 or int64); returns {@code out}. */
  public static Tensor ge(Tensor x, float value, Tensor out) {
    return compare(CompareOp.GE, x, value, out);
  }

  /**
   * {@code out = (x op value)}: the float kernel for float32, and for int64 each id compared
   * exactly in double, as {@code x.eq(value)} and the others do.
   */
  private static Tensor compare(CompareOp op, Tensor x, float value, Tensor out) {
    requireShape(op.name().toLowerCase(Locale.ROOT), x.shape, out);
    if (!out.isContiguous() || out.storage == null || !x.isContiguous() || x.storage == out.storage) {
      return out.copy_(x.longs != null ? Masks.compareLongs(x, op, value)
          : Elementwise.compare(x, op, value));
    }
    out.bumpVersion();
    int n = Math.toIntExact(x.numel());
    if (x.longs != null) {
      for (int i = 0; i < n; i++) {
        out.storage[out.offset + i] = Masks.holds(op, x.longs[x.offset + i], value) ? 1f : 0f;
      }
    } else {
      Kernels.compareScalar(op, x.storage, x.offset, value, out.storage, out.offset, n);
    }
    return out;
  }

  /**
   * Writes {@code part} into {@code out} from index {@code start} of dim {@code dim}, the other
   * dims the same: one piece of {@code concat(parts, dim)} written in place (each part in turn,
   * at the sum of the sizes before it); returns {@code out}.
   */
  public static Tensor place(Tensor part, int dim, int start, Tensor out) {
    int r = out.dim();
    int d = Layout.normDim(dim, Math.max(r, 1));
    boolean fits = part.dim() == r && part.dtype() == out.dtype() && start >= 0
        && start + part.shape[d] <= out.shape[d];
    for (int i = 0; i < r && fits; i++) {
      fits = i == d || part.shape[i] == out.shape[i];
    }
    if (!fits) {
      throw new IllegalArgumentException("concat: a part of shape " + Arrays.toString(part.shape)
          + " does not fit " + Arrays.toString(out.shape) + " at " + start + " of dim " + dim);
    }
    if (!part.isContiguous() || !out.isContiguous() || part.sharesStorageWith(out)) {
      out.narrow(d, start, part.shape[d]).copy_(part);
      return out;
    }
    out.bumpVersion();
    int outer = 1;
    for (int i = 0; i < d; i++) {
      outer *= out.shape[i];
    }
    int inner = 1;
    for (int i = d + 1; i < r; i++) {
      inner *= out.shape[i];
    }
    int run = part.shape[d] * inner; // one part row: dense in both
    int stride = out.shape[d] * inner;
    for (int o = 0; o < outer; o++) {
      int from = part.offset + o * run;
      int to = out.offset + o * stride + start * inner;
      if (out.longs != null) {
        System.arraycopy(part.longs, from, out.longs, to, run);
      } else {
        System.arraycopy(part.storage, from, out.storage, to, run);
      }
    }
    return out;
  }

  /**
   * {@code out = x.narrow(dim, start, out.size(dim))} as a dense copy (PyTorch's {@code
   * narrow_copy}): a piece of a {@code split} or {@code chunk} along a dim that is not the
   * first, which a layer then reads without a copy of its own; returns {@code out}.
   */
  public static Tensor narrowCopy(Tensor x, int dim, int start, Tensor out) {
    int r = x.dim();
    int d = Layout.normDim(dim, Math.max(r, 1));
    boolean fits = out.dim() == r && out.dtype() == x.dtype() && start >= 0
        && start + out.shape[d] <= x.shape[d];
    for (int i = 0; i < r && fits; i++) {
      fits = i == d || out.shape[i] == x.shape[i];
    }
    if (!fits) {
      throw new IllegalArgumentException("narrow_copy: out of shape " + Arrays.toString(out.shape)
          + " is no piece of " + Arrays.toString(x.shape) + " at " + start + " of dim " + dim);
    }
    if (!x.isContiguous() || !out.isContiguous() || x.sharesStorageWith(out)) {
      return out.copy_(x.narrow(d, start, out.shape[d]).clone());
    }
    out.bumpVersion();
    int outer = 1;
    for (int i = 0; i < d; i++) {
      outer *= x.shape[i];
    }
    int inner = 1;
    for (int i = d + 1; i < r; i++) {
      inner *= x.shape[i];
    }
    int run = out.shape[d] * inner;
    int stride = x.shape[d] * inner;
    for (int o = 0; o < outer; o++) {
      int from = x.offset + o * stride + start * inner;
      int to = out.offset + o * run;
      if (out.longs != null) {
        System.arraycopy(x.longs, from, out.longs, to, run);
      } else {
        System.arraycopy(x.storage, from, out.storage, to, run);
      }
    }
    return out;
  }

  /** {@code out = value - x} (PyTorch's {@code rsub}); returns {@code out}. */
  public static Tensor rsub(float value, Tensor x, Tensor out) {
    requireShape("rsub", x.shape, out);
    x.requireFloat("rsub");
    if (!out.isContiguous() || out.storage == null || !x.isContiguous()
        || x.storage == out.storage && x.offset != out.offset) {
      return out.copy_(Tensor.scalar(value).sub(x));
    }
    out.bumpVersion();
    int n = Math.toIntExact(x.numel());
    for (int i = 0; i < n; i++) {
      out.storage[out.offset + i] = value - x.storage[x.offset + i];
    }
    return out;
  }

  /** {@code out = x.sum(dim, keepdim)}; returns {@code out}. */
  public static Tensor sum(Tensor x, int dim, boolean keepdim, Tensor out) {
    x.requireFloat("sum");
    int r = x.dim();
    if (r == 0 || !x.isContiguous() || !out.isContiguous() || out.storage == null
        || x.storage == out.storage) {
      return out.copy_(x.sum(dim, keepdim));
    }
    int d = Layout.normDim(dim, r);
    int outer = 1;
    for (int i = 0; i < d; i++) {
      outer *= x.shape[i];
    }
    int n = x.shape[d];
    int inner = 1;
    for (int i = d + 1; i < r; i++) {
      inner *= x.shape[i];
    }
    if (out.numel() != (long) outer * inner || out.dim() != (keepdim ? r : r - 1)) {
      throw new IllegalArgumentException("sum: out has shape " + Arrays.toString(out.shape)
          + ", the sum over dim " + dim + " of " + Arrays.toString(x.shape) + " has another");
    }
    out.bumpVersion();
    float[] o = out.storage;
    int oo = out.offset;
    for (int i = 0; i < outer; i++) {
      int base = x.offset + i * n * inner;
      if (inner == 1) {
        o[oo + i] = n == 0 ? 0f : Kernels.sum(x.storage, base, n);
        continue;
      }
      if (n == 0) {
        Arrays.fill(o, oo + i * inner, oo + (i + 1) * inner, 0f);
        continue;
      }
      System.arraycopy(x.storage, base, o, oo + i * inner, inner);
      for (int k = 1; k < n; k++) {
        Kernels.binary(BinaryOp.ADD, o, oo + i * inner, x.storage, base + k * inner, o, oo + i * inner, inner);
      }
    }
    return out;
  }

  private static void requireShape(String op, int[] expected, Tensor out) {
    if (!Arrays.equals(expected, out.shape)) {
      throw new IllegalArgumentException(op + ": out has shape " + Arrays.toString(out.shape)
          + ", the result has shape " + Arrays.toString(expected));
    }
  }
}
