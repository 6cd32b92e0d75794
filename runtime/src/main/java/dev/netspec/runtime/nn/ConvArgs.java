package dev.netspec.runtime.nn;

import dev.netspec.runtime.autograd.ConvGrad;
import dev.netspec.runtime.kernels.Activation;
import dev.netspec.runtime.kernels.ConvGeometry;
import dev.netspec.runtime.kernels.Convolution;
import dev.netspec.runtime.tensor.Tensor;
import java.util.Arrays;
import java.util.Set;

/**
 * The checked arguments of a 1-D or 2-D convolution ({@code _ConvNd}'s {@code __init__}
 * checks, PyTorch's messages) and the one place that runs it on tensors, for {@link Conv1d},
 * {@link Conv2d} and {@link Functional#conv2d}. A 1-D convolution runs as a 2-D one of height 1.
 */
final class ConvArgs {
  private static final Set<String> MODES = Set.of("zeros", "reflect", "replicate", "circular");

  final int dims;
  final int[] kernel;
  final int[] stride;
  /** The padding as given in ints, or null for {@code "same"} / {@code "valid"}. */
  final int[] padding;
  /** {@code "same"}, {@code "valid"}, or null for int padding. */
  final String paddingString;
  final int[] dilation;
  final int groups;
  final String paddingMode;
  /** The padding before (top, left) and after (bottom, right) each spatial dim. */
  final int[] before;
  final int[] after;

  ConvArgs(int dims, int[] kernel, int[] stride, int[] padding, String paddingString,
      int[] dilation, int groups, String paddingMode) {
    this.dims = dims;
    this.kernel = tuple("kernel_size", kernel, dims);
    this.stride = tuple("stride", stride, dims);
    this.dilation = tuple("dilation", dilation, dims);
    this.groups = groups;
    this.paddingMode = paddingMode;
    if (groups <= 0) {
      throw new IllegalArgumentException("groups must be a positive integer");
    }
    for (int i = 0; i < dims; i++) {
      if (this.kernel[i] <= 0 || this.stride[i] <= 0 || this.dilation[i] <= 0) {
        throw new IllegalArgumentException("kernel_size, stride and dilation must be positive,"
            + " got kernel_size=" + PyFormat.tuple(this.kernel) + ", stride="
            + PyFormat.tuple(this.stride) + ", dilation=" + PyFormat.tuple(this.dilation));
      }
    }
    if (!MODES.contains(paddingMode)) {
      throw new IllegalArgumentException("padding_mode must be one of {'zeros', 'reflect',"
          + " 'replicate', 'circular'}, but got padding_mode='" + paddingMode + "'");
    }
    if (paddingMode.equals("circular")) {
      throw new IllegalArgumentException("padding_mode='circular' is not supported by netspec"
          + " yet; use 'zeros', 'reflect' or 'replicate'");
    }
    before = new int[dims];
    after = new int[dims];
    if (paddingString != null) {
      if (!paddingString.equals("same") && !paddingString.equals("valid")) {
        throw new IllegalArgumentException("Invalid padding string '" + paddingString
            + "', should be one of {'valid', 'same'}");
      }
      if (paddingString.equals("same")) {
        for (int i = 0; i < dims; i++) {
          if (this.stride[i] != 1) {
            throw new IllegalArgumentException(
                "padding='same' is not supported for strided convolutions");
          }
          int total = this.dilation[i] * (this.kernel[i] - 1); // the extra on the right
          before[i] = total / 2;
          after[i] = total - before[i];
        }
      }
      this.padding = null;
    } else {
      this.padding = tuple("padding", padding, dims);
      for (int i = 0; i < dims; i++) {
        if (this.padding[i] < 0) {
          throw new IllegalArgumentException("negative padding is not supported");
        }
        before[i] = this.padding[i];
        after[i] = this.padding[i];
      }
    }
    this.paddingString = paddingString;
  }

  /** An int or a tuple of {@code dims} ints: one value is repeated ({@code _pair}). */
  static int[] tuple(String name, int[] values, int dims) {
    if (values.length == 1) {
      int[] out = new int[dims];
      Arrays.fill(out, values[0]);
      return out;
    }
    if (values.length != dims) {
      throw new IllegalArgumentException(name + " must be an int or a tuple of " + dims
          + " ints, got " + Arrays.toString(values));
    }
    return values.clone();
  }

  /** {@code _ConvNd.extra_repr} after the channels. */
  String extraRepr() {
    StringBuilder s = new StringBuilder("kernel_size=").append(PyFormat.tuple(kernel))
        .append(", stride=").append(PyFormat.tuple(stride));
    if (paddingString != null) {
      s.append(", padding=").append(paddingString);
    } else if (Arrays.stream(padding).anyMatch(p -> p != 0)) {
      s.append(", padding=").append(PyFormat.tuple(padding));
    }
    if (Arrays.stream(dilation).anyMatch(d -> d != 1)) {
      s.append(", dilation=").append(PyFormat.tuple(dilation));
    }
    if (groups != 1) {
      s.append(", groups=").append(groups);
    }
    return s.toString();
  }

  /** The spatial dim {@code i} (of {@code dims}) as a 2-D one: height 1 for 1-D. */
  private int at(int[] values, int i, int fill) {
    return dims == 2 ? values[i] : i == 0 ? fill : values[0];
  }

  /**
   * The output shape for input {@code x}, after the checks of {@code F.conv2d}: rank, channels
   * and an output of at least one position.
   */
  int[] outputShape(Tensor x, Tensor weight) {
    return plan(x, weight).outShape;
  }

  /** What one call computes: the 2-D geometry, the padded input's sizes, the output shape. */
  record Plan(ConvGeometry geometry, int paddedH, int paddedW, int[] outShape) {}

  private Plan plan(Tensor x, Tensor weight) {
    String op = "conv" + dims + "d";
    if (x.dim() != dims + 1 && x.dim() != dims + 2) {
      throw new IllegalArgumentException("Expected " + (dims + 1) + "D (unbatched) or "
          + (dims + 2) + "D (batched) input to " + op + ", but got input of size: "
          + Arrays.toString(x.shape()));
    }
    if (weight.dim() != dims + 2) {
      throw new IllegalArgumentException(op + ": weight must be " + (dims + 2) + "-D, got "
          + Arrays.toString(weight.shape()));
    }
    boolean batched = x.dim() == dims + 2;
    int[] s = batched ? x.shape() : prepend(1, x.shape());
    int batch = s[0];
    int channels = s[1];
    int height = dims == 2 ? s[2] : 1;
    int width = s[s.length - 1];
    int out = weight.size(0);
    if (channels != weight.size(1) * groups || out % groups != 0) {
      throw new IllegalArgumentException("Given groups=" + groups + ", weight of size "
          + Arrays.toString(weight.shape()) + ", expected input" + Arrays.toString(s)
          + " to have " + weight.size(1) * groups + " channels, but got " + channels
          + " channels instead");
    }
    int kh = dims == 2 ? weight.size(2) : 1; // equal to kernel_size: the layer made it so
    int kw = weight.size(-1);
    int top = at(before, 0, 0);
    int left = at(before, 1, 0);
    int ph = height + top + at(after, 0, 0);
    int pw = width + left + at(after, 1, 0);
    int sh = at(stride, 0, 1);
    int sw = at(stride, 1, 1);
    int dh = at(dilation, 0, 1);
    int dw = at(dilation, 1, 1);
    int effH = dh * (kh - 1) + 1;
    int effW = dw * (kw - 1) + 1;
    if (effH > ph || effW > pw) {
      String padded = dims == 2 ? "(" + ph + " x " + pw + ")" : "(" + pw + ")";
      String k = dims == 2 ? "(" + effH + " x " + effW + ")" : "(" + effW + ")";
      throw new IllegalArgumentException("Calculated padded input size per channel: " + padded
          + ". Kernel size: " + k + ". Kernel size can't be greater than actual input size");
    }
    if (paddingMode.equals("reflect")) {
      for (int i = dims - 1; i >= 0; i--) { // the last dim first, as F.pad checks
        int size = x.size(x.dim() - dims + i);
        if (before[i] >= size || after[i] >= size) {
          throw new IllegalArgumentException("Argument #4: Padding size should be less than the"
              + " corresponding input dimension, but got: padding (" + before[i] + ", "
              + after[i] + ") at dimension " + (x.dim() - dims + i) + " of input " + x.dim());
        }
      }
    }
    int oh = (ph - effH) / sh + 1;
    int ow = (pw - effW) / sw + 1;
    boolean zeros = paddingMode.equals("zeros");
    ConvGeometry g = new ConvGeometry(batch, channels, zeros ? height : ph, zeros ? width : pw,
        out, kh, kw, sh, sw, zeros ? top : 0, zeros ? left : 0, dh, dw, groups, oh, ow);
    int[] outShape = dims == 2 ? new int[] {batch, out, oh, ow} : new int[] {batch, out, ow};
    return new Plan(g, ph, pw, batched ? outShape : Arrays.copyOfRange(outShape, 1,
        outShape.length));
  }

  private static int[] prepend(int first, int[] rest) {
    int[] out = new int[rest.length + 1];
    out[0] = first;
    System.arraycopy(rest, 0, out, 1, rest.length);
    return out;
  }

  /**
   * The allocating forward {@code conv(x, weight) + bias}, recorded for a backward pass when
   * recording is on and an input requires a gradient ({@link ConvGrad#record}).
   */
  Tensor forward(Tensor x, Tensor weight, Tensor bias, ConvState state) {
    return ConvGrad.record(x, weight, bias, stride, before, after, dilation, groups,
        paddingMode, run(x, weight, bias, Activation.NONE, null, state));
  }

  /**
   * {@code act(conv(x, weight) + bias)} written into {@code out} (allocated when null) and
   * returned, with the packed filters and buffers of {@code state}.
   */
  Tensor run(Tensor x, Tensor weight, Tensor bias, Activation act, Tensor out,
      ConvState state) {
    return run(x, weight, bias, null, act, null, out, state);
  }

  /**
   * {@code act(bn(conv(x, weight) + bias) + add)} written into {@code out} (allocated when
   * null) and returned: {@code fold} (null: none) is a following eval-mode batch norm, folded
   * into the packed filters; {@code add} (null: none) a residual of the output's shape.
   */
  Tensor run(Tensor x, Tensor weight, Tensor bias, BatchNormFold fold, Activation act,
      Tensor add, Tensor out, ConvState state) {
    if (act == Activation.GELU) {
      throw new IllegalArgumentException("conv" + dims + "d: the fused activation may be NONE or"
          + " RELU; apply GELU after the convolution");
    }
    Plan p = state.plan(x, weight);
    if (p == null) { // another input shape or weight than last time
      p = plan(x, weight);
      state.keep(x, weight, p);
    }
    ConvGeometry g = p.geometry;
    if (bias != null && (bias.dim() != 1 || bias.size(0) != weight.size(0))) {
      throw new IllegalArgumentException("conv" + dims + "d: bias of shape "
          + Arrays.toString(bias.shape()) + " does not match " + weight.size(0)
          + " output channels");
    }
    if (out == null) {
      out = Tensor.zeros(p.outShape);
    } else if (!out.isContiguous() || !out.hasShape(p.outShape)) {
      throw new IllegalArgumentException("conv" + dims + "d: output of shape "
          + Arrays.toString(out.shape()) + (out.isContiguous() ? "" : " (not contiguous)")
          + " does not hold the result " + Arrays.toString(p.outShape));
    } else if (out.sharesStorageWith(x)) {
      throw new IllegalArgumentException("conv" + dims + "d: the output must not share storage"
          + " with x");
    }
    if (add != null && !add.hasShape(p.outShape)) {
      throw new IllegalArgumentException("conv" + dims + "d: residual of shape "
          + Arrays.toString(add.shape()) + " does not match the output "
          + Arrays.toString(p.outShape));
    } else if (add != null && add.sharesStorageWith(out)) {
      throw new IllegalArgumentException("conv" + dims + "d: the residual must not share"
          + " storage with the output");
    }
    Tensor xc = x.isContiguous() ? x : x.contiguous();
    float[] xa = xc.array();
    int xOff = xc.arrayOffset();
    if (!paddingMode.equals("zeros")) {
      int planes = g.batch() * g.inChannels();
      float[] padded = state.padded(planes * p.paddedH * p.paddedW);
      int h = dims == 2 ? x.size(-2) : 1;
      Convolution.pad(paddingMode, planes, h, x.size(-1), at(before, 0, 0), at(after, 0, 0),
          at(before, 1, 0), at(after, 1, 0), xa, xOff, padded, 0);
      xa = padded;
      xOff = 0;
    }
    state.prepare(g, weight, bias, fold);
    float[] wa;
    int wOff;
    float[] ba;
    int bOff;
    if (fold != null) { // the folded copies: what a depthwise kernel reads
      wa = state.foldedWeight();
      wOff = 0;
      ba = state.foldedBias();
      bOff = 0;
    } else {
      Tensor w = weight.isContiguous() ? weight : weight.contiguous();
      Tensor b = bias == null || bias.isContiguous() ? bias : bias.contiguous();
      wa = w.array();
      wOff = w.arrayOffset();
      ba = b == null ? null : b.array();
      bOff = b == null ? 0 : b.arrayOffset();
    }
    Tensor r = add == null || add.isContiguous() ? add : add.contiguous();
    Convolution.conv2d(g, xa, xOff, wa, wOff, ba, bOff, g.isDepthwise() ? null
        : state.filters(), act, r == null ? null : r.array(), r == null ? 0 : r.arrayOffset(),
        out.array(), out.arrayOffset(), state.workspace());
    out.bumpVersion();
    return out;
  }
}
