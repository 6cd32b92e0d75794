package dev.netspec.runtime.tensor;

import dev.netspec.runtime.kernels.BinaryOp;
import dev.netspec.runtime.kernels.Kernels;

/**
 * Reductions over one dim, on the kernels. The tensor is viewed as {@code (outer, n, inner)}
 * with {@code n} the reduced size: when {@code inner} is 1 each output is one reduction
 * kernel call over a dense run; otherwise the {@code n} slices of {@code inner} values are
 * combined into the output with the elementwise kernel.
 */
final class Reductions {
  private Reductions() {}

  /** Sum ({@code ADD}), max ({@code MAX}) or min ({@code MIN}) over {@code dim}. */
  static Tensor reduce(Tensor t, int dim, boolean keepdim, BinaryOp op) {
    t.requireFloat(op == BinaryOp.ADD ? "sum" : Tensor.opName(op));
    if (t.dim() == 0) {
      Layout.normDim(dim, 0);
      return t.clone();
    }
    Split s = new Split(t, dim);
    Tensor c = s.input;
    int n = s.n;
    int inner = s.inner;
    float[] o = s.out.storage;
    if (n > 0 && inner == 1) {
      for (int i = 0; i < s.outer; i++) {
        int base = c.offset + i * n;
        o[i] = op == BinaryOp.ADD ? Kernels.sum(c.storage, base, n)
            : op == BinaryOp.MAX ? Kernels.max(c.storage, base, n) : Kernels.min(c.storage, base, n);
      }
    } else if (n > 0) {
      for (int i = 0; i < s.outer; i++) {
        int base = c.offset + i * n * inner;
        System.arraycopy(c.storage, base, o, i * inner, inner);
        for (int k = 1; k < n; k++) {
          Kernels.binary(op, o, i * inner, c.storage, base + k * inner, o, i * inner, inner);
        }
      }
    }
    return s.result(keepdim);
  }

  /** The index of the first largest value (or first NaN) along {@code dim}, as floats. */
  static Tensor argmax(Tensor t, int dim, boolean keepdim) {
    t.requireFloat("argmax");
    if (t.dim() == 0) {
      Layout.normDim(dim, 0);
      return Tensor.scalar(0f);
    }
    Split s = new Split(t, dim);
    Tensor c = s.input;
    int n = s.n;
    int inner = s.inner;
    for (int i = 0; i < s.outer; i++) {
      for (int j = 0; j < inner; j++) {
        int base = c.offset + i * n * inner + j;
        int best = 0;
        float bestValue = c.storage[base];
        for (int k = 1; k < n && !Float.isNaN(bestValue); k++) {
          float v = c.storage[base + k * inner];
          if (v > bestValue || Float.isNaN(v)) {
            best = k;
            bestValue = v;
          }
        }
        s.out.storage[i * inner + j] = best;
      }
    }
    return s.result(keepdim);
  }

  /** A dense input viewed as {@code (outer, n, inner)}, and its zeroed {@code (outer, 1, inner)} output. */
  private static final class Split {
    final Tensor input;
    final int dim;
    final int n;
    final int outer;
    final int inner;
    final Tensor out;

    Split(Tensor t, int dim) {
      this.dim = Layout.normDim(dim, t.dim());
      this.input = t.contiguousView();
      this.n = t.shape[this.dim];
      this.outer = product(t.shape, 0, this.dim);
      this.inner = product(t.shape, this.dim + 1, t.dim());
      int[] outShape = t.shape.clone();
      outShape[this.dim] = 1;
      this.out = Tensor.zeros(outShape);
    }

    Tensor result(boolean keepdim) {
      return keepdim ? out : out.squeeze(dim);
    }
  }

  private static int product(int[] shape, int from, int to) {
    int p = 1;
    for (int i = from; i < to; i++) {
      p *= shape[i];
    }
    return p;
  }
}
