package dev.netspec.runtime.tensor;

import dev.netspec.runtime.kernels.BinaryOp;
import dev.netspec.runtime.kernels.CompareOp;
import dev.netspec.runtime.kernels.Kernels;
import dev.netspec.runtime.kernels.UnaryOp;
import java.util.Arrays;

/**
 * Elementwise tensor ops on the kernels. Strided and broadcast operands are walked in
 * blocks: the trailing dims over which the output and the left operand are dense and the
 * right operand is dense or constant (broadcast) form one kernel call each, so a contiguous
 * tensor is one call and adding a bias row to a matrix is one call per row.
 */
final class Elementwise {
  private Elementwise() {}

  /** One kernel call: {@code len} elements from these offsets; y constant or dense. */
  @FunctionalInterface
  private interface Block {
    void run(int outOff, int xOff, int yOff, int len, boolean yConstant);
  }

  static Tensor binary(Tensor x, BinaryOp op, Tensor y) {
    x.requireFloat(Tensor.opName(op));
    y.requireFloat(Tensor.opName(op));
    int[] shape = Tensor.broadcastShapes(x.shape, y.shape);
    Tensor out = Tensor.zeros(shape);
    if (Arrays.equals(shape, x.shape)) {
      apply(op, out, x, y.expand(shape));
    } else {
      copy(out, x.expand(shape));
      apply(op, out, out, y.expand(shape));
    }
    return out;
  }

  static Tensor binaryInPlace(Tensor t, BinaryOp op, Tensor other) {
    t.requireFloat(Tensor.opName(op) + "_");
    other.requireFloat(Tensor.opName(op) + "_");
    apply(op, t, t, other.expand(t.shape));
    return t;
  }

  static Tensor scalar(Tensor x, BinaryOp op, float value) {
    x.requireFloat(Tensor.opName(op));
    return mapDense(x, (in, off, out, n) -> Kernels.binaryScalar(op, in, off, value, out, 0, n));
  }

  static Tensor scalarInPlace(Tensor t, BinaryOp op, float value) {
    t.requireFloat(Tensor.opName(op) + "_");
    apply(op, t, t, Tensor.scalar(value).expand(t.shape));
    return t;
  }

  static Tensor unary(Tensor x, UnaryOp op) {
    x.requireFloat(Tensor.opName(op));
    return mapDense(x, (in, off, out, n) -> Kernels.unary(op, in, off, out, 0, n));
  }

  static Tensor compare(Tensor x, CompareOp op, float value) {
    if (x.dtype() == DType.INT64) {
      return Masks.compareLongs(x, op, value);
    }
    return mapDense(x, (in, off, out, n) -> Kernels.compareScalar(op, in, off, value, out, 0, n));
  }

  /** A kernel from {@code n} dense inputs at {@code in[off]} to {@code out[0 .. n)}. */
  @FunctionalInterface
  private interface DenseKernel {
    void run(float[] in, int off, float[] out, int n);
  }

  /** A new tensor of x's shape, filled by one kernel call over x's values. */
  private static Tensor mapDense(Tensor x, DenseKernel kernel) {
    Tensor c = x.contiguousView();
    Tensor out = Tensor.zeros(x.shape);
    kernel.run(c.storage, c.offset, out.storage, out.storage.length);
    return out;
  }

  /** {@code out = src}, both of out's shape ({@code src} may be a broadcast view). */
  static void copy(Tensor out, Tensor src) {
    forEachBlock(out, null, src, (oo, unused, so, len, constant) -> {
      if (constant) {
        Arrays.fill(out.storage, oo, oo + len, src.storage[so]);
      } else {
        System.arraycopy(src.storage, so, out.storage, oo, len);
      }
    });
  }

  /** {@code out = op(x, y)}, all three of one shape; {@code out} may be {@code x}. */
  private static void apply(BinaryOp op, Tensor out, Tensor x, Tensor y) {
    forEachBlock(out, x, y, (oo, xo, yo, len, constant) -> {
      if (constant) {
        Kernels.binaryScalar(op, x.storage, xo, y.storage[yo], out.storage, oo, len);
      } else {
        Kernels.binary(op, x.storage, xo, y.storage, yo, out.storage, oo, len);
      }
    });
  }

  /** Visits {@code out}, {@code x} (null: ignored) and {@code y}, of one shape, in blocks. */
  private static void forEachBlock(Tensor out, Tensor x, Tensor y, Block block) {
    long numel = out.numel();
    if (numel == 0) {
      return;
    }
    int[] shape = out.shape;
    int common = Math.max(denseFrom(out), x == null ? 0 : denseFrom(x));
    int dense = Math.max(common, denseFrom(y));
    int constant = Math.max(common, constantFrom(y));
    boolean yConstant = constant < dense;
    int d = yConstant ? constant : dense;
    int len = 1;
    for (int i = d; i < shape.length; i++) {
      len *= shape[i];
    }
    int[] idx = new int[d]; // the multi-index over dims [0, d)
    for (long done = 0; done < numel; done += len) {
      int oo = out.offset;
      int xo = x == null ? 0 : x.offset;
      int yo = y.offset;
      for (int i = 0; i < d; i++) {
        oo += idx[i] * out.stride[i];
        xo += x == null ? 0 : idx[i] * x.stride[i];
        yo += idx[i] * y.stride[i];
      }
      block.run(oo, xo, yo, len, yConstant);
      Layout.increment(idx, shape);
    }
  }

  /** The first dim from which the trailing dims of t are laid out densely, row-major. */
  private static int denseFrom(Tensor t) {
    int expected = 1;
    for (int i = t.shape.length - 1; i >= 0; i--) {
      if (t.shape[i] != 1 && t.stride[i] != expected) {
        return i + 1;
      }
      expected *= t.shape[i];
    }
    return 0;
  }

  /** The first dim from which t is constant (stride 0 or size 1) over the trailing dims. */
  private static int constantFrom(Tensor t) {
    for (int i = t.shape.length - 1; i >= 0; i--) {
      if (t.shape[i] != 1 && t.stride[i] != 0) {
        return i + 1;
      }
    }
    return 0;
  }
}
