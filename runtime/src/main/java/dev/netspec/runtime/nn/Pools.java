package dev.netspec.runtime.nn;

import dev.netspec.runtime.autograd.Autograd;
import dev.netspec.runtime.autograd.PoolGrad;
import dev.netspec.runtime.kernels.Kernels;
import dev.netspec.runtime.kernels.Pooling;
import dev.netspec.runtime.tensor.Tensor;
import java.util.Arrays;

/** The pooling ops on tensors, shared by the pooling layers and {@link Functional}. */
final class Pools {
  private Pools() {}

  /**
   * Where a max pooling in training mode keeps the argmax of each output (the flat index
   * within its input plane), for a backward: one buffer, grown when needed.
   */
  static final class Argmax {
    private int[] indices = new int[0];
    private long count;

    int[] room(long n) {
      if (indices.length < n) {
        indices = new int[Math.toIntExact(n)];
      }
      count = n;
      return indices;
    }

    /** The argmax of the last forward's outputs, in the output's row-major order. */
    int[] indices() {
      return java.util.Arrays.copyOf(indices, (int) count);
    }
  }

  /**
   * {@code max_pool}: into {@code out} (allocated when null); {@code saved} (null: none)
   * receives each output's argmax within its plane, for a backward.
   */
  static Tensor max(PoolArgs args, Tensor x, Tensor out, Argmax saved) {
    PoolArgs.Plan p = args.plan(x);
    boolean record = out == null && Autograd.isRecording(x);
    Tensor y = PoolArgs.output(args.op, x, out, p.outShape());
    int[] indices = record ? new int[Math.toIntExact(y.numel())]
        : saved == null ? null : saved.room(y.numel());
    Tensor xc = x.isContiguous() ? x : x.contiguous();
    Kernels.maxPool2d(p.geometry(), xc.array(), xc.arrayOffset(), y.array(), y.arrayOffset(),
        indices);
    y.bumpVersion();
    if (!record) {
      return y;
    }
    if (saved != null) {
      System.arraycopy(indices, 0, saved.room(indices.length), 0, indices.length);
    }
    return PoolGrad.recordMaxPool(x, args.dims, indices, y);
  }

  /** {@code avg_pool}; {@code divisor} 0 for none. */
  static Tensor avg(PoolArgs args, Tensor x, Tensor out, boolean countIncludePad,
      int divisor) {
    PoolArgs.Plan p = args.plan(x);
    Tensor y = PoolArgs.output(args.op, x, out, p.outShape());
    Tensor xc = x.isContiguous() ? x : x.contiguous();
    Pooling.avgPool2d(p.geometry(), xc.array(), xc.arrayOffset(), y.array(), y.arrayOffset(),
        countIncludePad, divisor);
    y.bumpVersion();
    return out != null ? y
        : PoolGrad.recordAvgPool(x, args.dims, p.geometry(), countIncludePad, divisor, y);
  }

  /** The output shape of an adaptive pooling of {@code x} to {@code size} (one per dim). */
  static int[] adaptiveShape(String op, int dims, int[] size, Tensor x) {
    if (x.dim() != dims + 1 && x.dim() != dims + 2) {
      throw new IllegalArgumentException(op + "(): Expected " + (dims + 1) + "D or "
          + (dims + 2) + "D tensor, but got " + Arrays.toString(x.shape()));
    }
    for (int d = x.dim() - dims; d < x.dim(); d++) {
      if (x.size(d) == 0) {
        throw new IllegalArgumentException(op + "(): Expected input to have non-zero size for"
            + " non-batch dimensions, but input has sizes " + Arrays.toString(x.shape())
            + " with dimension " + d + " being empty");
      }
    }
    int[] out = x.shape();
    System.arraycopy(size, 0, out, out.length - dims, dims);
    return out;
  }

  /** {@code adaptive_avg_pool} ({@code max == false}) or {@code adaptive_max_pool}. */
  static Tensor adaptive(boolean max, String op, int dims, int[] size, Tensor x, Tensor out,
      Argmax saved) {
    Tensor y = out != null && sameLeadingDims(x, out, dims) && endsWith(out, size)
        && out.isContiguous() && !out.sharesStorageWith(x) ? out
        : PoolArgs.output(op, x, out, adaptiveShape(op, dims, size, x));
    boolean record = out == null && Autograd.isRecording(x);
    int[] indices = max && record ? new int[Math.toIntExact(y.numel())]
        : saved == null ? null : saved.room(y.numel());
    Tensor xc = x.isContiguous() ? x : x.contiguous();
    int h = dims == 2 ? x.size(-2) : 1;
    int w = x.size(-1);
    int planes = (int) (x.numel() / ((long) h * w));
    Pooling.adaptivePool2d(max, planes, h, w, dims == 2 ? size[0] : 1, size[dims - 1],
        xc.array(), xc.arrayOffset(), y.array(), y.arrayOffset(), indices);
    y.bumpVersion();
    if (!record) {
      return y;
    }
    if (max && saved != null) {
      System.arraycopy(indices, 0, saved.room(indices.length), 0, indices.length);
    }
    return PoolGrad.recordAdaptivePool(x, dims, max ? indices : null, y);
  }

  /** Whether {@code out} has {@code x}'s rank and leading dims (all but the last {@code dims}). */
  private static boolean sameLeadingDims(Tensor x, Tensor out, int dims) {
    if (x.dim() != out.dim() || (x.dim() != dims + 1 && x.dim() != dims + 2)) {
      return false;
    }
    for (int d = 0; d < x.dim() - dims; d++) {
      if (x.size(d) != out.size(d)) {
        return false;
      }
    }
    for (int d = x.dim() - dims; d < x.dim(); d++) {
      if (x.size(d) == 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean endsWith(Tensor out, int[] size) {
    for (int i = 0; i < size.length; i++) {
      if (out.size(out.dim() - size.length + i) != size[i]) {
        return false;
      }
    }
    return true;
  }

  /** Checks an adaptive output size: one value per dim (or one for all), none negative. */
  static int[] outputSize(String op, int dims, int[] size) {
    int[] s = ConvArgs.tuple("output_size", size, dims);
    for (int v : s) {
      if (v < 0) {
        throw new IllegalArgumentException(op + ": output_size must not be negative, got "
            + PoolArgs.given(size));
      }
    }
    return s;
  }
}
