package dev.netspec.runtime.autograd;

import dev.netspec.runtime.kernels.ConvGeometry;
import dev.netspec.runtime.kernels.Kernels;
import dev.netspec.runtime.kernels.Pooling;
import dev.netspec.runtime.nn.AdaptivePoolNd;
import dev.netspec.runtime.nn.AvgPoolNd;
import dev.netspec.runtime.nn.MaxPoolNd;
import dev.netspec.runtime.tensor.Tensor;
import java.util.Arrays;

/**
 * The derivatives of pooling over 1 or 2 spatial dims ({@code MaxPool2DWithIndicesBackward0},
 * {@code AvgPool2DBackward0}, {@code AdaptiveAvgPool2DBackward0}, {@code
 * AdaptiveMaxPool2DBackward0}; the 1-D ops are the 2-D ones of height 1, as in PyTorch):
 *
 * <ul>
 *   <li>max: each output's gradient goes to the input its forward chose, the argmax PyTorch
 *       picks (the first of equal maxima in window order, row by row; the last NaN), so
 *       overlapping windows that chose one input add up there;
 *   <li>average: each output's gradient divided by its divisor (the window clipped to the
 *       padded input with {@code count_include_pad}, else the inputs inside it, or {@code
 *       divisor_override}) and added to every input of its window;
 *   <li>adaptive average: divided by the window's size, added to its inputs.
 * </ul>
 *
 * The argmax is recomputed from the forward's input with the forward's own kernel ({@link
 * Pooling#maxPool2d} with indices), so it is the one the forward used; a layer in training
 * mode also keeps the last forward's ({@link MaxPoolNd#savedIndices()}).
 */
public final class PoolGrad {
  private PoolGrad() {}

  /**
   * {@code d L / d x} of a max pooling from each output's argmax: {@code indices[o]} is the
   * flat index of output {@code o}'s input within its plane (PyTorch's {@code return_indices},
   * our {@link Pooling#maxPool2d}); {@code dims} spatial dims of the input {@code inputShape}.
   */
  public static Tensor maxPool(Tensor gradOutput, int[] inputShape, int dims, int[] indices) {
    int inPlane = plane(inputShape, dims);
    int outPlane = plane(gradOutput.shape(), dims);
    long planes = gradOutput.numel() / Math.max(1, outPlane);
    if (gradOutput.dim() != inputShape.length || planes * inPlane != numel(inputShape)
        || indices.length < gradOutput.numel()) {
      throw new IllegalArgumentException("max_pool backward: gradOutput "
          + Arrays.toString(gradOutput.shape()) + " with " + indices.length + " indices does"
          + " not fit the input " + Arrays.toString(inputShape));
    }
    Tensor gc = gradOutput.contiguous();
    float[] g = gc.array(); // read only
    int gOff = gc.arrayOffset();
    float[] dx = new float[Math.toIntExact(numel(inputShape))];
    // Plane by plane: an integer division per output to find its plane was most of this
    // loop's time (the Fashion CNN's pooling backward, 4% of its step).
    for (int p = 0, o = 0; p < planes; p++) {
      int in = p * inPlane;
      for (int end = o + outPlane; o < end; o++) {
        int idx = indices[o];
        if (idx >= 0) { // -1: an output with no input in its window (never chosen)
          dx[in + idx] += g[gOff + o];
        }
      }
    }
    return Tensor.fromArray(dx, inputShape);
  }

  /** {@code d L / d x} of {@code max_pool} over the windows {@code g} gives, for input {@code x}. */
  public static Tensor maxPool(Tensor gradOutput, Tensor x, ConvGeometry g, int dims) {
    int[] indices = new int[g.batch() * g.inChannels() * g.positions()];
    Tensor xc = x.contiguous();
    float[] y = new float[indices.length];
    Kernels.maxPool2d(g, xc.array(), xc.arrayOffset(), y, 0, indices);
    return maxPool(gradOutput, x.shape(), dims, indices);
  }

  /** The backward of a {@link MaxPoolNd} layer applied to {@code x}. */
  public static Tensor maxPool(Tensor gradOutput, Tensor x, MaxPoolNd pool) {
    return maxPool(gradOutput, x, pool.geometry(x.shape()), pool.kernelSize().length);
  }

  /**
   * {@code d L / d x} of {@code avg_pool} over the windows {@code g} gives: divisor {@code
   * divisor} if positive, else as {@code countIncludePad} says.
   */
  public static Tensor avgPool(Tensor gradOutput, int[] inputShape, ConvGeometry g,
      boolean countIncludePad, int divisor) {
    if (gradOutput.numel() != (long) g.batch() * g.inChannels() * g.positions()
        || numel(inputShape) != (long) g.batch() * g.inChannels() * g.inPlane()) {
      throw new IllegalArgumentException("avg_pool backward: gradOutput "
          + Arrays.toString(gradOutput.shape()) + " does not fit the input "
          + Arrays.toString(inputShape));
    }
    float[] go = gradOutput.contiguous().toFloatArray();
    float[] dx = new float[Math.toIntExact(numel(inputShape))];
    int hPad = g.height() + g.padTop();
    int wPad = g.width() + g.padLeft();
    for (int c = 0; c < g.batch() * g.inChannels(); c++) {
      int plane = c * g.inPlane();
      int out = c * g.positions();
      for (int oh = 0; oh < g.outHeight(); oh++) {
        int h0 = oh * g.strideH() - g.padTop();
        int h1 = Math.min(h0 + g.kernelH(), hPad);
        int hs = Math.max(h0, 0);
        int he = Math.min(h1, g.height());
        for (int ow = 0; ow < g.outWidth(); ow++) {
          int w0 = ow * g.strideW() - g.padLeft();
          int w1 = Math.min(w0 + g.kernelW(), wPad);
          int ws = Math.max(w0, 0);
          int we = Math.min(w1, g.width());
          if (hs >= he || ws >= we) {
            continue;
          }
          int d = divisor > 0 ? divisor
              : countIncludePad ? (h1 - h0) * (w1 - w0) : (he - hs) * (we - ws);
          float v = go[out + oh * g.outWidth() + ow] / d;
          for (int ih = hs; ih < he; ih++) {
            for (int iw = ws; iw < we; iw++) {
              dx[plane + ih * g.width() + iw] += v;
            }
          }
        }
      }
    }
    return Tensor.fromArray(dx, inputShape);
  }

  /** The backward of an {@link AvgPoolNd} layer applied to {@code x}. */
  public static Tensor avgPool(Tensor gradOutput, Tensor x, AvgPoolNd pool) {
    return avgPool(gradOutput, x.shape(), pool.geometry(x.shape()), pool.countIncludePad(),
        pool.divisorOverride());
  }

  /**
   * {@code d L / d x} of {@code adaptive_avg_pool1d/2d} of an input of shape {@code
   * inputShape} ({@code dims} spatial dims) to {@code gradOutput}'s spatial size.
   */
  public static Tensor adaptiveAvgPool(Tensor gradOutput, int[] inputShape, int dims) {
    int h = dims == 2 ? inputShape[inputShape.length - 2] : 1;
    int w = inputShape[inputShape.length - 1];
    int oh = dims == 2 ? gradOutput.size(-2) : 1;
    int ow = gradOutput.size(-1);
    long planes = numel(inputShape) / Math.max(1, (long) h * w);
    if (gradOutput.numel() != planes * oh * ow) {
      throw new IllegalArgumentException("adaptive_avg_pool backward: gradOutput "
          + Arrays.toString(gradOutput.shape()) + " does not fit the input "
          + Arrays.toString(inputShape));
    }
    float[] go = gradOutput.contiguous().toFloatArray();
    float[] dx = new float[Math.toIntExact(numel(inputShape))];
    for (int c = 0; c < planes; c++) {
      for (int i = 0; i < oh; i++) {
        int hs = Pooling.start(i, h, oh);
        int he = Pooling.end(i, h, oh);
        for (int j = 0; j < ow; j++) {
          int ws = Pooling.start(j, w, ow);
          int we = Pooling.end(j, w, ow);
          float v = go[(c * oh + i) * ow + j] / ((he - hs) * (we - ws));
          for (int ih = hs; ih < he; ih++) {
            for (int iw = ws; iw < we; iw++) {
              dx[(c * h + ih) * w + iw] += v;
            }
          }
        }
      }
    }
    return Tensor.fromArray(dx, inputShape);
  }

  /**
   * {@code d L / d x} of {@code adaptive_max_pool2d} (or 1-D, {@code dims}) of {@code x} to
   * {@code gradOutput}'s spatial size: the argmax recomputed by the forward's kernel.
   */
  public static Tensor adaptiveMaxPool(Tensor gradOutput, Tensor x, int dims) {
    int h = dims == 2 ? x.size(-2) : 1;
    int w = x.size(-1);
    int oh = dims == 2 ? gradOutput.size(-2) : 1;
    int ow = gradOutput.size(-1);
    int planes = Math.toIntExact(x.numel() / Math.max(1, (long) h * w));
    int[] indices = new int[planes * oh * ow];
    Tensor xc = x.contiguous();
    Pooling.adaptivePool2d(true, planes, h, w, oh, ow, xc.array(), xc.arrayOffset(),
        new float[indices.length], 0, indices);
    return maxPool(gradOutput, x.shape(), dims, indices);
  }

  /** The backward of an {@link AdaptivePoolNd} layer (average or max) applied to {@code x}. */
  public static Tensor adaptivePool(Tensor gradOutput, Tensor x, AdaptivePoolNd pool) {
    int dims = pool.outputSize().length;
    return pool.isMax() ? adaptiveMaxPool(gradOutput, x, dims)
        : adaptiveAvgPool(gradOutput, x.shape(), dims);
  }

  /**
   * Records {@code y = max_pool(x)} over {@code dims} spatial dims ({@code
   * MaxPool2DWithIndicesBackward0}; {@code SqueezeBackward1} for a 1-D pooling, which PyTorch
   * runs as a 2-D one and squeezes) when recording is on and {@code x} requires a gradient.
   * {@code indices} are the forward's argmax ({@link #maxPool(Tensor, int[], int, int[])}),
   * owned by the node from now on. Returns {@code y}.
   */
  public static Tensor recordMaxPool(Tensor x, int dims, int[] indices, Tensor y) {
    int[] shape = x.shape();
    return Autograd.recordUnary(dims == 1 ? "SqueezeBackward1" : "MaxPool2DWithIndicesBackward0",
        x, y, g -> maxPool(g, shape, dims, indices));
  }

  /**
   * Records {@code y = avg_pool(x)} over the windows {@code geometry} ({@code
   * AvgPool2DBackward0}, {@code SqueezeBackward1} in 1-D) with the forward's divisor rule
   * ({@link #avgPool(Tensor, int[], ConvGeometry, boolean, int)}); returns {@code y}.
   */
  public static Tensor recordAvgPool(Tensor x, int dims, ConvGeometry geometry,
      boolean countIncludePad, int divisor, Tensor y) {
    int[] shape = x.shape();
    return Autograd.recordUnary(dims == 1 ? "SqueezeBackward1" : "AvgPool2DBackward0", x, y,
        g -> avgPool(g, shape, geometry, countIncludePad, divisor));
  }

  /**
   * Records {@code y = adaptive_avg_pool(x)} or, with {@code indices} (the forward's argmax,
   * owned by the node from now on), {@code adaptive_max_pool(x)}, over {@code dims} spatial
   * dims; named as PyTorch names it: {@code AdaptiveAvgPool2DBackward0} ({@code MeanBackward1}
   * for a 2-D output of 1 x 1, which PyTorch takes as a mean), {@code
   * AdaptiveMaxPool2DBackward0}, {@code SqueezeBackward1} in 1-D. Returns {@code y}.
   */
  public static Tensor recordAdaptivePool(Tensor x, int dims, int[] indices, Tensor y) {
    int[] shape = x.shape();
    String name;
    if (dims == 1) {
      name = "SqueezeBackward1";
    } else if (indices != null) {
      name = "AdaptiveMaxPool2DBackward0";
    } else {
      name = y.size(-1) == 1 && y.size(-2) == 1 ? "MeanBackward1" : "AdaptiveAvgPool2DBackward0";
    }
    return Autograd.recordUnary(name, x, y, g -> indices != null
        ? maxPool(g, shape, dims, indices) : adaptiveAvgPool(g, shape, dims));
  }

  private static int plane(int[] shape, int dims) {
    if (shape.length < dims + 1) {
      throw new IllegalArgumentException("pool backward: shape " + Arrays.toString(shape)
          + " has no " + dims + " spatial dims after a channel dim");
    }
    int p = 1;
    for (int d = shape.length - dims; d < shape.length; d++) {
      p *= shape[d];
    }
    return p;
  }

  private static long numel(int[] shape) {
    long n = 1;
    for (int s : shape) {
      n *= s;
    }
    return n;
  }
}
