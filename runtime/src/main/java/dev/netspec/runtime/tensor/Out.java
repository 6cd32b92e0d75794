package dev.netspec.runtime.tensor;

import dev.netspec.runtime.kernels.BinaryOp;
import dev.netspec.runtime.kernels.CompareOp;
import dev.netspec.runtime.kernels.Kernels;
import java.util.Arrays;

/**
 * PyTorch's {@code out=} forms of the operations the allocation-free forward of sequence
 * models needs beside {@link Tensor}'s {@code ...Into} methods: {@code arange} into an int64
 * buffer, a comparison with a number, a number minus a tensor, and a sum over one dim. As
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

  /** {@code out = (x != value)} as 1 and 0 (float32 out; x float32 or int64); returns {@code out}. */
  public static Tensor ne(Tensor x, float value, Tensor out) {
    requireShape("ne", x.shape, out);
    if (!out.isContiguous() || out.storage == null || !x.isContiguous() || x.storage == out.storage) {
      return out.copy_(x.ne(value));
    }
    out.bumpVersion();
    int n = Math.toIntExact(x.numel());
    if (x.longs != null) {
      for (int i = 0; i < n; i++) {
        out.storage[out.offset + i] = x.longs[x.offset + i] != value ? 1f : 0f;
      }
    } else {
      Kernels.compareScalar(CompareOp.NE, x.storage, x.offset, value, out.storage, out.offset, n);
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
