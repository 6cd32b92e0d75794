package dev.netspec.runtime.nn;

import dev.netspec.runtime.kernels.ConvGeometry;
import dev.netspec.runtime.tensor.Tensor;
import java.util.Arrays;

/**
 * The checked arguments of a max or average pooling over 1 or 2 spatial dims, their repr
 * as given (an int prints as an int, a pair as a tuple) and the output size with PyTorch's
 * {@code ceil_mode} rule: {@code floor} or {@code ceil} of {@code (L + 2p - d(k - 1) - 1) / s}
 * plus 1, less one if the last window would start past the input and its left padding.
 */
final class PoolArgs {
  final String op;
  final int dims;
  /** As given: one value (an int) or one per dim (a tuple). */
  final int[] kernelGiven;
  final int[] strideGiven;
  final int[] paddingGiven;
  final int[] dilationGiven;
  final int[] kernel;
  final int[] stride;
  final int[] padding;
  final int[] dilation;
  final boolean ceilMode;
  /** The last call's input shape and plan (layers are not for concurrent use). */
  private int[] lastShape;
  private Plan lastPlan;

  PoolArgs(String op, int dims, int[] kernel, int[] stride, int[] padding, int[] dilation,
      boolean ceilMode) {
    this.op = op;
    this.dims = dims;
    this.kernelGiven = kernel.clone();
    this.strideGiven = stride == null ? kernel.clone() : stride.clone();
    this.paddingGiven = padding.clone();
    this.dilationGiven = dilation.clone();
    this.kernel = ConvArgs.tuple("kernel_size", kernel, dims);
    this.stride = ConvArgs.tuple("stride", strideGiven, dims);
    this.padding = ConvArgs.tuple("padding", padding, dims);
    this.dilation = ConvArgs.tuple("dilation", dilation, dims);
    this.ceilMode = ceilMode;
    for (int i = 0; i < dims; i++) {
      if (this.kernel[i] <= 0) {
        throw new IllegalArgumentException("kernel size should be greater than zero, but got "
            + PyFormat.tuple(this.kernel));
      }
      if (this.stride[i] <= 0) {
        throw new IllegalArgumentException("stride should be greater than zero, but got "
            + PyFormat.tuple(this.stride));
      }
      if (this.dilation[i] <= 0) {
        throw new IllegalArgumentException("dilation should be greater than zero, but got "
            + PyFormat.tuple(this.dilation));
      }
      if (this.padding[i] < 0 || this.padding[i] > this.kernel[i] / 2) {
        throw new IllegalArgumentException("pad should be at most half of kernel size, but got"
            + " pad=" + this.padding[i] + " and kernel_size=" + this.kernel[i]);
      }
    }
  }

  /** An int as given prints as an int, a tuple as a tuple. */
  static String given(int[] values) {
    return values.length == 1 ? String.valueOf(values[0]) : PyFormat.tuple(values);
  }

  /** {@code pooling_output_shape}. */
  static int outputSize(int in, int k, int pad, int stride, int dilation, boolean ceil) {
    long num = (long) in + 2L * pad - (long) dilation * (k - 1) - 1 + (ceil ? stride - 1 : 0);
    long out = Math.floorDiv(num, stride) + 1;
    if (ceil && (out - 1) * stride >= in + pad) {
      out--; // the last window must start inside the input or its left padding
    }
    return (int) out;
  }

  /** The geometry of one call and its output shape. */
  record Plan(ConvGeometry geometry, int[] outShape) {}

  /**
   * The plan for {@code x}: the last one when {@code x} has the last call's shape (so a warm
   * forward allocates nothing), else a new one.
   */
  Plan plan(Tensor x) {
    Plan last = lastPlan;
    if (last != null && x.hasShape(lastShape)) {
      return last;
    }
    Plan p = newPlan(x.shape());
    lastShape = x.shape();
    lastPlan = p;
    return p;
  }

  /** The geometry of a call on an input of shape {@code shape} (checked as a forward would). */
  ConvGeometry geometry(int[] shape) {
    return newPlan(shape.clone()).geometry();
  }

  private Plan newPlan(int[] s) {
    checkRank(op, dims, s);
    boolean batched = s.length == dims + 2;
    int batch = batched ? s[0] : 1;
    int channels = s[batched ? 1 : 0];
    int h = dims == 2 ? s[s.length - 2] : 1;
    int w = s[s.length - 1];
    int kh = dims == 2 ? kernel[0] : 1;
    int kw = kernel[dims - 1];
    int sh = dims == 2 ? stride[0] : 1;
    int sw = stride[dims - 1];
    int ph = dims == 2 ? padding[0] : 0;
    int pw = padding[dims - 1];
    int dh = dims == 2 ? dilation[0] : 1;
    int dw = dilation[dims - 1];
    int oh = dims == 2 ? outputSize(h, kh, ph, sh, dh, ceilMode) : 1;
    int ow = outputSize(w, kw, pw, sw, dw, ceilMode);
    if (oh < 1 || ow < 1) {
      String in = channels + "x" + h + "x" + w;
      String out = channels + "x" + oh + "x" + ow;
      throw new IllegalArgumentException("Given input size: (" + in
          + "). Calculated output size: (" + out + "). Output size is too small");
    }
    ConvGeometry g = new ConvGeometry(batch, channels, h, w, channels, kh, kw, sh, sw, ph, pw,
        dh, dw, channels, oh, ow);
    int[] out = s.clone();
    out[out.length - 1] = ow;
    if (dims == 2) {
      out[out.length - 2] = oh;
    }
    return new Plan(g, out);
  }

  /** Rank {@code dims + 1} (unbatched) or {@code dims + 2}, no empty dims. */
  static void checkRank(String op, int dims, int[] shape) {
    if ((shape.length != dims + 1 && shape.length != dims + 2)
        || Arrays.stream(shape).anyMatch(d -> d == 0)) {
      throw new IllegalArgumentException(op + ": expected a non-empty " + (dims + 1) + "D or "
          + (dims + 2) + "D (batch mode) input, got shape " + Arrays.toString(shape));
    }
  }

  /** {@code out} if it fits {@code shape} (else an error), or a new tensor when null. */
  static Tensor output(String op, Tensor x, Tensor out, int[] shape) {
    if (out == null) {
      return Tensor.zeros(shape);
    }
    if (!out.isContiguous() || !out.hasShape(shape)) {
      throw new IllegalArgumentException(op + ": output of shape "
          + Arrays.toString(out.shape()) + (out.isContiguous() ? "" : " (not contiguous)")
          + " does not hold the result " + Arrays.toString(shape));
    }
    if (out.sharesStorageWith(x)) {
      throw new IllegalArgumentException(op + ": the output must not share storage with x");
    }
    return out;
  }
}
