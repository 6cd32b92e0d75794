package dev.netspec.runtime.tensor;

import dev.netspec.runtime.kernels.BinaryOp;
import dev.netspec.runtime.kernels.CompareOp;
import dev.netspec.runtime.kernels.Kernels;
import java.util.Arrays;
import java.util.Locale;

/**
 * PyTorch's {@code out=} forms of the operations the allocation-free forward of sequence
 * models needs beside {@link Tensor}'s {@code ...Into} methods: {@code arange} into an int64
 * buffer, the comparisons with a number or a tensor ({@code eq}, {@code ne}, {@code lt},
 * {@code le}, {@code gt}, {@code ge}), {@code masked_fill}, {@code where}, {@code tril} and
 * {@code triu} (their bodies are {@link Masks}'), a number minus a tensor, a sum and a mean
 * over one dim, one part of a {@code concat} placed in its result, and a dense copy of a piece
 * ({@code narrow_copy}). The mask operations read broadcast and strided operands where they
 * lie; the others take a path that allocates nothing for contiguous operands, and any other
 * layout falls back to the allocating op and a copy, so every call is correct.
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

  /** {@code out = (x == other)}, broadcast, as 1 and 0 (float32 out); returns {@code out}. */
  public static Tensor eq(Tensor x, Tensor other, Tensor out) {
    return Masks.compare(x, CompareOp.EQ, other, out);
  }

  /** {@code out = (x != other)}, broadcast, as 1 and 0 (float32 out); returns {@code out}. */
  public static Tensor ne(Tensor x, Tensor other, Tensor out) {
    return Masks.compare(x, CompareOp.NE, other, out);
  }

  /** {@code out = (x < other)}, broadcast, as 1 and 0 (float32 out); returns {@code out}. */
  public static Tensor lt(Tensor x, Tensor other, Tensor out) {
    return Masks.compare(x, CompareOp.LT, other, out);
  }

  /** {@code out = (x <= other)}, broadcast, as 1 and 0 (float32 out); returns {@code out}. */
  public static Tensor le(Tensor x, Tensor other, Tensor out) {
    return Masks.compare(x, CompareOp.LE, other, out);
  }

  /** {@code out = (x > other)}, broadcast, as 1 and 0 (float32 out); returns {@code out}. */
  public static Tensor gt(Tensor x, Tensor other, Tensor out) {
    return Masks.compare(x, CompareOp.GT, other, out);
  }

  /** {@code out = (x >= other)}, broadcast, as 1 and 0 (float32 out); returns {@code out}. */
  public static Tensor ge(Tensor x, Tensor other, Tensor out) {
    return Masks.compare(x, CompareOp.GE, other, out);
  }

  /**
   * {@code out = x.masked_fill(mask, value)}, broadcast; {@code out} has x's dtype and may be
   * {@code x} itself (filled in place); returns {@code out}.
   */
  public static Tensor maskedFill(Tensor x, Tensor mask, float value, Tensor out) {
    return Masks.maskedFill(x, mask, value, out);
  }

  /** {@code out = torch.where(cond, a, b)}, broadcast (int64 when a and b are); returns {@code out}. */
  public static Tensor where(Tensor cond, Tensor a, Tensor b, Tensor out) {
    return Masks.where(cond, a, 0f, b, 0f, out);
  }

  /** {@code out = torch.where(cond, a, b)} for a number {@code b} (float32 out); returns {@code out}. */
  public static Tensor where(Tensor cond, Tensor a, float b, Tensor out) {
    return Masks.where(cond, a, 0f, null, b, out);
  }

  /** {@code out = torch.where(cond, a, b)} for a number {@code a} (float32 out); returns {@code out}. */
  public static Tensor where(Tensor cond, float a, Tensor b, Tensor out) {
    return Masks.where(cond, null, a, b, 0f, out);
  }

  /** {@code out = torch.where(cond, a, b)} for two numbers (float32 out); returns {@code out}. */
  public static Tensor where(Tensor cond, float a, float b, Tensor out) {
    return Masks.where(cond, null, a, null, b, out);
  }

  /** {@code out = torch.tril(x, k)}, out of x's shape and dtype (may be x); returns {@code out}. */
  public static Tensor tril(Tensor x, int k, Tensor out) {
    return Masks.triangle(x, k, true, out);
  }

  /** {@code out = torch.triu(x, k)}, out of x's shape and dtype (may be x); returns {@code out}. */
  public static Tensor triu(Tensor x, int k, Tensor out) {
    return Masks.triangle(x, k, false, out);
  }

  /**
   * {@code out = (x op value)}: the float kernel for float32, and for int64 each id compared
   * exactly in double, as {@code x.eq(value)} and the others do.
   */
  private static Tensor compare(CompareOp op, Tensor x, float value, Tensor out) {
    if (!Arrays.equals(x.shape, out.shape)) { // the op's name only for the message: no string per call
      requireShape(op.name().toLowerCase(Locale.ROOT), x.shape, out);
    }
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
    int d = requirePiece("concat: a part", part, out, dim, start);
    if (!part.isContiguous() && out.isContiguous() && !part.sharesStorageWith(out) && part.dim() <= 4
        && part.storage != null && out.storage != null) {
      out.bumpVersion(); // a strided part (a view of an input) read where it lies
      placeStrided(part, out, out.offset + start * out.stride[d]);
      return out;
    }
    if (!part.isContiguous() || !out.isContiguous() || part.sharesStorageWith(out)) {
      out.narrow(d, start, part.shape[d]).copy_(part);
      return out;
    }
    out.bumpVersion();
    copyRuns(part, part.offset, 0, out, out.offset + start * inner(out, d), out.shape[d], d);
    return out;
  }

  /**
   * Writes {@code part} into {@code out} at {@code index} of the new dim {@code dim} (a dim of
   * {@code out}, which has one more than {@code part}): one piece of {@code stack(parts, dim)}
   * written in place (part {@code i} at index {@code i}); returns {@code out}.
   */
  public static Tensor placeAt(Tensor part, int dim, int index, Tensor out) {
    int r = out.dim();
    int d = Layout.normDim(dim, Math.max(r, 1));
    boolean fits = part.dim() == r - 1 && part.dtype() == out.dtype() && index >= 0 && index < out.shape[d];
    for (int i = 0; i < r - 1 && fits; i++) {
      fits = part.shape[i] == out.shape[i < d ? i : i + 1];
    }
    if (!fits) {
      throw new IllegalArgumentException("stack: a part of shape " + Arrays.toString(part.shape)
          + " is no piece of " + Arrays.toString(out.shape) + " at " + index + " of dim " + dim);
    }
    if (!part.isContiguous() && out.isContiguous() && !part.sharesStorageWith(out) && part.dim() <= 4
        && part.storage != null && out.storage != null) {
      out.bumpVersion(); // a strided part (a view) read where it lies
      placeStrided(part, out, out.offset + index * out.stride[d], d);
      return out;
    }
    if (!part.isContiguous() || !out.isContiguous() || part.sharesStorageWith(out)) {
      out.select(d, index).copy_(part);
      return out;
    }
    out.bumpVersion();
    int inner = inner(out, d); // one index of the new dim: the part's dims from d on
    int outer = 1;
    for (int i = 0; i < d; i++) {
      outer *= part.shape[i];
    }
    copyRuns(part, part.offset, inner, out, out.offset + index * inner, out.shape[d] * inner, inner,
        outer);
    return out;
  }

  /**
   * {@code out = x.narrow(dim, start, out.size(dim))} as a dense copy (PyTorch's {@code
   * narrow_copy}): a piece of a {@code split} or {@code chunk} along a dim that is not the
   * first, which a layer then reads without a copy of its own; returns {@code out}.
   */
  public static Tensor narrowCopy(Tensor x, int dim, int start, Tensor out) {
    int d = requirePiece("narrow_copy: out", out, x, dim, start);
    if (!x.isContiguous() || !out.isContiguous() || x.sharesStorageWith(out)) {
      return out.copy_(x.narrow(d, start, out.shape[d]).clone());
    }
    out.bumpVersion();
    copyRuns(x, x.offset + start * inner(x, d), x.shape[d], out, out.offset, 0, d);
    return out;
  }

  /**
   * Checks that {@code piece} is {@code whole} narrowed along {@code dim} from {@code start}
   * (same rank, dtype and other sizes); returns the dim, normalized.
   */
  private static int requirePiece(String what, Tensor piece, Tensor whole, int dim, int start) {
    int r = whole.dim();
    int d = Layout.normDim(dim, Math.max(r, 1));
    boolean fits = piece.dim() == r && piece.dtype() == whole.dtype() && start >= 0
        && start + piece.shape[d] <= whole.shape[d];
    for (int i = 0; i < r && fits; i++) {
      fits = i == d || piece.shape[i] == whole.shape[i];
    }
    if (!fits) {
      throw new IllegalArgumentException(what + " of shape " + Arrays.toString(piece.shape)
          + " is no piece of " + Arrays.toString(whole.shape) + " at " + start + " of dim " + dim);
    }
    return d;
  }

  /** The elements of {@code t} after one index of dim {@code d}: the product of the later sizes. */
  private static int inner(Tensor t, int d) {
    int inner = 1;
    for (int i = d + 1; i < t.dim(); i++) {
      inner *= t.shape[i];
    }
    return inner;
  }

  /**
   * Copies the piece between dense {@code from} and dense {@code to}, one run of {@code
   * piece.size(d) * inner} elements per index of the dims before {@code d}: the side with size
   * {@code whole} along {@code d} (the other passes 0) steps over the rest of its dim.
   */
  private static void copyRuns(Tensor from, int fromAt, int fromWhole, Tensor to, int toAt, int toWhole, int d) {
    Tensor piece = fromWhole == 0 ? from : to;
    int inner = inner(piece, d);
    int run = piece.shape[d] * inner;
    int fromStride = fromWhole == 0 ? run : fromWhole * inner;
    int toStride = toWhole == 0 ? run : toWhole * inner;
    int outer = 1;
    for (int i = 0; i < d; i++) {
      outer *= piece.shape[i];
    }
    copyRuns(from, fromAt, fromStride, to, toAt, toStride, run, outer);
  }

  /** {@code outer} runs of {@code run} elements, each side stepping by its own stride. */
  private static void copyRuns(Tensor from, int fromAt, int fromStride, Tensor to, int toAt,
      int toStride, int run, int outer) {
    for (int o = 0; o < outer; o++, fromAt += fromStride, toAt += toStride) {
      if (to.longs != null) {
        System.arraycopy(from.longs, fromAt, to.longs, toAt, run);
      } else {
        System.arraycopy(from.storage, fromAt, to.storage, toAt, run);
      }
    }
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
    if (r == 0 || !out.isContiguous() || out.storage == null || x.storage == out.storage
        || !x.isContiguous() && !stridedSum(x, Layout.normDim(dim, r))) {
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
    if (!x.isContiguous()) {
      sumStrided(x, d, out.storage, out.offset);
      return out;
    }
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

  /**
   * {@code out = x.mean(dim, keepdim)}: the sum over {@code dim} divided by its size, the
   * floats {@link Tensor#mean(int, boolean)} computes; returns {@code out}.
   */
  public static Tensor mean(Tensor x, int dim, boolean keepdim, Tensor out) {
    sum(x, dim, keepdim, out);
    int n = x.dim() == 0 ? 1 : x.shape[Layout.normDim(dim, x.dim())];
    if (!out.isContiguous() || out.storage == null) {
      return out.div_((float) n);
    }
    Kernels.binaryScalar(BinaryOp.DIV, out.storage, out.offset, n, out.storage, out.offset,
        Math.toIntExact(out.numel()));
    return out;
  }

  /**
   * Whether {@link #sumStrided} sums {@code x} over {@code d} with the floats of the dense
   * path: rank 4 at most, and the last dim only when its elements are adjacent (the dense
   * path sums each row with one vector reduction).
   */
  private static boolean stridedSum(Tensor x, int d) {
    return x.dim() <= 4 && x.storage != null && (d != x.dim() - 1 || x.stride[d] == 1);
  }

  /**
   * The sum of a strided {@code x} over dim {@code d} into the dense {@code o} at {@code oo}:
   * for each output element, the slices added in order, as the dense path adds whole rows.
   */
  private static void sumStrided(Tensor x, int d, float[] o, int oo) {
    int r = x.dim();
    int pad = 4 - r; // x seen as rank 4, leading dims of size 1
    int s0 = size(x, 0 - pad);
    int s1 = size(x, 1 - pad);
    int s2 = size(x, 2 - pad);
    int s3 = size(x, 3 - pad);
    int t0 = step(x, 0 - pad);
    int t1 = step(x, 1 - pad);
    int t2 = step(x, 2 - pad);
    int t3 = step(x, 3 - pad);
    int rd = d + pad; // the reduced dim, of the four
    int n = x.shape[d];
    int dt = x.stride[d];
    int at = oo;
    for (int i0 = 0; i0 < (rd == 0 ? 1 : s0); i0++) {
      for (int i1 = 0; i1 < (rd == 1 ? 1 : s1); i1++) {
        for (int i2 = 0; i2 < (rd == 2 ? 1 : s2); i2++) {
          for (int i3 = 0; i3 < (rd == 3 ? 1 : s3); i3++) {
            int base = x.offset + i0 * t0 + i1 * t1 + i2 * t2 + i3 * t3;
            if (rd == 3) { // a dense row
              o[at++] = n == 0 ? 0f : Kernels.sum(x.storage, base, n);
              continue;
            }
            float sum = n == 0 ? 0f : x.storage[base];
            for (int k = 1; k < n; k++) {
              sum += x.storage[base + k * dt];
            }
            o[at++] = sum;
          }
        }
      }
    }
  }

  /** Copies the strided {@code part} (rank 4 at most) into {@code out}'s elements from {@code at}, out's strides. */
  private static void placeStrided(Tensor part, Tensor out, int at) {
    placeStrided(part, out, at, Integer.MAX_VALUE);
  }

  /**
   * {@link #placeStrided(Tensor, Tensor, int)} where {@code out} has the extra dim {@code
   * newDim} (a stack's), which the part's dims skip; {@code Integer.MAX_VALUE}: none.
   */
  private static void placeStrided(Tensor part, Tensor out, int at, int newDim) {
    int pad = 4 - part.dim();
    int s0 = size(part, -pad);
    int s1 = size(part, 1 - pad);
    int s2 = size(part, 2 - pad);
    int s3 = size(part, 3 - pad);
    for (int i0 = 0; i0 < s0; i0++) {
      for (int i1 = 0; i1 < s1; i1++) {
        for (int i2 = 0; i2 < s2; i2++) {
          int from = part.offset + i0 * step(part, -pad) + i1 * step(part, 1 - pad) + i2 * step(part, 2 - pad);
          int to = at + i0 * step(out, -pad, newDim) + i1 * step(out, 1 - pad, newDim)
              + i2 * step(out, 2 - pad, newDim);
          int fromStep = step(part, 3 - pad);
          int toStep = step(out, 3 - pad, newDim);
          for (int i3 = 0; i3 < s3; i3++) {
            out.storage[to + i3 * toStep] = part.storage[from + i3 * fromStep];
          }
        }
      }
    }
  }

  private static int size(Tensor x, int dim) {
    return dim < 0 ? 1 : x.shape[dim];
  }

  private static int step(Tensor x, int dim) {
    return dim < 0 ? 0 : x.stride[dim];
  }

  /** The stride of {@code out} for a part's dim {@code dim}, past the new dim {@code newDim}. */
  private static int step(Tensor out, int dim, int newDim) {
    return dim < 0 ? 0 : out.stride[dim < newDim ? dim : dim + 1];
  }

  private static void requireShape(String op, int[] expected, Tensor out) {
    if (!Arrays.equals(expected, out.shape)) {
      throw new IllegalArgumentException(op + ": out has shape " + Arrays.toString(out.shape)
          + ", the result has shape " + Arrays.toString(expected));
    }
  }
}
