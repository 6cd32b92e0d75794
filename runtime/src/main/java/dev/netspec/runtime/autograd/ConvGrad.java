package dev.netspec.runtime.autograd;

import dev.netspec.runtime.kernels.Activation;
import dev.netspec.runtime.kernels.Convolution;
import dev.netspec.runtime.kernels.Kernels;
import dev.netspec.runtime.nn.ConvNd;
import dev.netspec.runtime.tensor.Tensor;
import java.util.Arrays;

/**
 * The derivative of {@code F.conv1d} / {@code F.conv2d} and of {@link ConvNd} layers ({@code
 * ConvolutionBackward0}), a 1-D convolution taken as a 2-D one of height 1. Per group and
 * chunk of images (the whole batch unless its patches pass 8 MiB), with {@code cols} the
 * {@code (C_in/groups * kH * kW, images * positions)} patch matrix of the (padded) input that
 * the forward multiplies ({@code im2col}) and {@code g} the group's {@code (C_out/groups,
 * images * positions)} gradient:
 *
 * <pre>
 * grad weight += (cols @ g^T)^T                   a GEMM over the positions
 * grad cols    = weight^T @ g;  grad x = col2im(grad cols)   the transposed convolution
 * grad bias    = g summed over the batch and the positions
 * </pre>
 *
 * <p>Both products run on the GEMM kernel ({@link Kernels#gemm}), one product per chunk rather
 * than per image (a small product per image ran the kernel far below its speed, and on one
 * thread: the large one is split across the kernels' threads); {@code col2im} adds each
 * patch entry back to the input it was read from, and drops those read from zero padding.
 * With {@code padding_mode} {@code "reflect"} or {@code "replicate"} the forward convolves a
 * padded copy of the input ({@code F.pad}); the gradient of that copy is then folded back:
 * each padded position adds its gradient to the input position it copied.
 */
public final class ConvGrad {
  /**
   * Floats of image patches per product (8 MiB): the backward multiplies the patches of this
   * many floats' worth of images at once.
   */
  private static final long CHUNK_FLOATS = 1L << 21;
  /**
   * Rows of patches shorter than this are added into the input's gradient by a plain loop:
   * the call and set-up of {@code Kernels.axpy} for a 14-wide row (a 3 x 3 convolution at 14 x
   * 14) cost more than its adds (16% of the Fashion-MNIST CNN's step, JFR).
   */
  private static final int SHORT_ROW = 16;

  private ConvGrad() {}

  /** The three gradients; {@code bias} is null when the convolution had none. */
  public record Result(Tensor input, Tensor weight, Tensor bias) {}

  /**
   * Every gradient of a convolution with explicit padding: {@code before[i]} and {@code
   * after[i]} are the padding before and after spatial dim {@code i} (equal for an int
   * padding; for {@code padding="same"} an even extent puts one more after), {@code mode}
   * {@code "zeros"}, {@code "reflect"} or {@code "replicate"}. {@code x} is {@code (N, C_in,
   * *spatial)} or unbatched {@code (C_in, *spatial)}, {@code weight} {@code (C_out, C_in /
   * groups, *kernel)}, {@code gradOutput} the output's shape. The input gradient is null
   * unless {@code needInputGrad}.
   */
  public static Result backward(Tensor gradOutput, Tensor x, Tensor weight, boolean hasBias,
      int[] stride, int[] before, int[] after, int[] dilation, int groups, String mode,
      boolean needInputGrad) {
    Shape s = Shape.of(x, weight, gradOutput, stride, before, after, dilation, groups, mode);
    // x, gradOutput and weight are only read: their contiguous storage, not copies of it
    float[] xs = x.contiguous().array();
    float[] xp = s.zeros() ? xs : new float[s.batch * s.cin * s.hp * s.wp];
    if (!s.zeros()) {
      Convolution.pad(mode, s.batch * s.cin, s.h, s.w, s.top, s.bottom, s.left, s.right, xs, 0,
          xp, 0);
    }
    float[] go = gradOutput.contiguous().array();
    float[] w = weight.contiguous().array();
    int opg = s.cout / groups;
    int ipg = s.cin / groups;
    int k = ipg * s.kh * s.kw;
    int positions = s.oh * s.ow;
    // Images in chunks whose patches take at most CHUNK_FLOATS: one product per chunk over
    // all its images' positions, instead of a small one per image.
    int chunk = (int) Math.max(1, Math.min(s.batch, CHUNK_FLOATS / Math.max(1L,
        (long) k * positions)));
    int ld = chunk * positions; // row stride of the chunk's patches and gradients
    float[] cols = new float[k * ld];
    boolean colsZero = true; // as allocated: the first chunk's patches need no clearing
    float[] grads = new float[opg * ld];
    float[] product = new float[Math.max(opg * k, 1)];
    float[] dw = new float[s.cout * k];
    float[] dxp = needInputGrad ? new float[xp.length] : null;
    float[] wt = needInputGrad ? transposedGroups(w, groups, opg, k) : null;
    for (int n0 = 0; n0 < s.batch; n0 += chunk) {
      int images = Math.min(chunk, s.batch - n0);
      int np = images * positions;
      for (int grp = 0; grp < groups; grp++) {
        if (!colsZero) { // entries that read the padding stay zero
          Arrays.fill(cols, 0f);
        }
        colsZero = false;
        for (int i = 0; i < images; i++) {
          int xAt = ((n0 + i) * s.cin + grp * ipg) * s.hp * s.wp;
          patches(s, xp, xAt, ipg, cols, i * positions, ld, false);
          for (int o = 0; o < opg; o++) {
            System.arraycopy(go, ((n0 + i) * s.cout + grp * opg + o) * positions, grads,
                o * ld + i * positions, positions);
          }
        }
        // dW^T = (k, np) @ (np, opg): the patches read in place as A, the gradients (far
        // fewer floats than the patches) packed transposed as B; the same FMA chain over the
        // positions for each element as dW = g @ cols^T would run.
        Kernels.gemm(k, opg, np, cols, 0, ld, grads, 0, ld, true, product, 0, opg, null, 0,
            Activation.NONE);
        for (int o = 0; o < opg; o++) {
          int row = (grp * opg + o) * k;
          for (int r = 0; r < k; r++) {
            dw[row + r] += product[r * opg + o];
          }
        }
        if (needInputGrad) {
          // (k, opg) @ (opg, np): the group's weight transposed, times its gradients
          Kernels.gemm(k, np, opg, wt, grp * k * opg, opg, grads, 0, ld, false, cols, 0, ld,
              null, 0, Activation.NONE);
          for (int i = 0; i < images; i++) {
            int xAt = ((n0 + i) * s.cin + grp * ipg) * s.hp * s.wp;
            patches(s, dxp, xAt, ipg, cols, i * positions, ld, true);
          }
        }
      }
    }
    Tensor dx = null;
    if (needInputGrad) {
      float[] folded = s.zeros() ? dxp : fold(s, dxp);
      dx = Tensor.fromArray(folded, x.shape());
    }
    Tensor db = null;
    if (hasBias) {
      float[] sum = new float[s.cout];
      for (int n = 0; n < s.batch; n++) {
        for (int c = 0; c < s.cout; c++) {
          sum[c] += Kernels.sum(go, (n * s.cout + c) * positions, positions);
        }
      }
      db = Tensor.fromArray(sum, s.cout);
    }
    return new Result(dx, Tensor.fromArray(dw, weight.shape()), db);
  }

  /**
   * The backward of a {@link ConvNd} ({@code nn.Conv1d} / {@code nn.Conv2d}) applied to
   * {@code x}: accumulates into {@code weight.grad} and {@code bias.grad} and returns {@code
   * d L / d x}, or null when {@code needInputGrad} is false.
   */
  public static Tensor backward(Tensor gradOutput, Tensor x, ConvNd conv,
      boolean needInputGrad) {
    boolean bias = conv.bias != null && conv.bias.requiresGrad();
    Result r = backward(gradOutput, x, conv.weight.data(), bias, conv.stride(), conv.padding(),
        conv.paddingAfter(), conv.dilation(), conv.groups(), conv.paddingMode(), needInputGrad);
    Grads.accumulateOwned(conv.weight, r.weight());
    if (bias) {
      Grads.accumulateOwned(conv.bias, r.bias());
    }
    return r.input();
  }

  /**
   * Records {@code y = conv(x, weight, bias)} (the arguments of {@link #backward(Tensor,
   * Tensor, Tensor, boolean, int[], int[], int[], int[], int, String, boolean)}) when
   * recording is on and an input requires a gradient: {@code ConvolutionBackward0}, or {@code
   * SqueezeBackward1} for an unbatched input (PyTorch convolves it as a batch of one and
   * squeezes). Returns {@code y}.
   */
  public static Tensor record(Tensor x, Tensor weight, Tensor bias, int[] stride,
      int[] before, int[] after, int[] dilation, int groups, String mode, Tensor y) {
    if (Autograd.isRecording(x, weight) || bias != null && Autograd.isRecording(bias)) {
      boolean unbatched = x.dim() == weight.dim() - 1;
      new ConvolutionBackward(unbatched ? "SqueezeBackward1" : "ConvolutionBackward0", x, weight,
          bias, stride.clone(), before.clone(), after.clone(), dilation.clone(), groups, mode)
          .record(y);
    }
    return y;
  }

  /** The node of a convolution: saves the input and the weight. */
  private static final class ConvolutionBackward extends Node {
    private final SavedTensor x;
    private final SavedTensor weight;
    private final int[] stride;
    private final int[] before;
    private final int[] after;
    private final int[] dilation;
    private final int groups;
    private final String mode;

    ConvolutionBackward(String name, Tensor x, Tensor weight, Tensor bias, int[] stride,
        int[] before, int[] after, int[] dilation, int groups, String mode) {
      super(name, x, weight, bias);
      this.x = save(x);
      this.weight = save(weight);
      this.stride = stride;
      this.before = before;
      this.after = after;
      this.dilation = dilation;
      this.groups = groups;
      this.mode = mode;
    }

    @Override
    protected Tensor[] backward(Tensor[] gradOutputs) {
      Result r = ConvGrad.backward(gradOutputs[0], x.get(), weight.get(), needsInputGrad(2),
          stride, before, after, dilation, groups, mode, needsInputGrad(0));
      return new Tensor[] {r.input(), needsInputGrad(1) ? r.weight() : null, r.bias()};
    }
  }

  /** Per group, the {@code (opg, k)} weight block transposed to {@code (k, opg)}. */
  private static float[] transposedGroups(float[] w, int groups, int opg, int k) {
    float[] t = new float[w.length];
    for (int grp = 0; grp < groups; grp++) {
      int at = grp * opg * k;
      for (int o = 0; o < opg; o++) {
        for (int r = 0; r < k; r++) {
          t[at + r * opg + o] = w[at + o * k + r];
        }
      }
    }
    return t;
  }

  /**
   * The {@code (ipg * kh * kw, positions)} patches of {@code ipg} channels of {@code x[xAt]}
   * (planes {@code hp x wp}), row {@code (c, i, j)} at {@code cols[at + row * ld]}, copied into
   * {@code cols} (im2col; entries that read the padding are left as they are: zero), or with
   * {@code scatter} each entry added back to the input it was read from (its adjoint, col2im).
   * At stride 1 and dilation 1 along the width a row of patches is one contiguous range of the
   * input: copied, or added on the vector kernels.
   */
  private static void patches(Shape s, float[] x, int xAt, int ipg, float[] cols, int at,
      int ld, boolean scatter) {
    int r = 0;
    boolean contiguous = s.sw == 1 && s.dw == 1;
    for (int c = 0; c < ipg; c++) {
      int plane = xAt + c * s.hp * s.wp;
      for (int i = 0; i < s.kh; i++) {
        for (int j = 0; j < s.kw; j++, r++) {
          int first = 0; // the output columns whose input column lies inside the plane
          int end = s.ow;
          if (contiguous) {
            first = Math.max(0, s.padLeft - j);
            end = Math.max(first, Math.min(s.ow, s.wp + s.padLeft - j));
          }
          if (scatter && contiguous && s.sh == 1 && first == 0 && end == s.ow
              && s.ow == s.wp) {
            // whole rows, input rows adjacent like output rows: the valid output rows are
            // one range in both, added at once (each element still gets this one add)
            int oh0 = Math.max(0, s.padTop - i * s.dh);
            int oh1 = Math.min(s.oh, s.hp + s.padTop - i * s.dh);
            if (oh1 > oh0) {
              int ih0 = oh0 - s.padTop + i * s.dh;
              Kernels.axpy(1f, cols, at + r * ld + oh0 * s.ow, x,
                  plane + ih0 * s.wp - s.padLeft + j, (oh1 - oh0) * s.ow);
            }
            continue;
          }
          for (int oh = 0; oh < s.oh; oh++) {
            int ih = oh * s.sh - s.padTop + i * s.dh;
            if (ih < 0 || ih >= s.hp) {
              continue;
            }
            int col = at + r * ld + oh * s.ow;
            int row = plane + ih * s.wp;
            if (contiguous) {
              int from = row + first - s.padLeft + j;
              if (scatter && end - first < SHORT_ROW) {
                // x + c: the bits of axpy's fma(1, c, x), without a call per short row
                for (int t = first, d = from; t < end; t++, d++) {
                  x[d] += cols[col + t];
                }
              } else if (scatter) {
                Kernels.axpy(1f, cols, col + first, x, from, end - first);
              } else {
                System.arraycopy(x, from, cols, col + first, end - first);
              }
              continue;
            }
            for (int ow = 0; ow < s.ow; ow++) {
              int iw = ow * s.sw - s.padLeft + j * s.dw;
              if (iw < 0 || iw >= s.wp) {
                continue;
              }
              if (scatter) {
                x[row + iw] += cols[col + ow];
              } else {
                cols[col + ow] = x[row + iw];
              }
            }
          }
        }
      }
    }
  }

  /**
   * The gradient of the input of {@code F.pad(x, mode)} from that of its padded copy: each
   * padded position's gradient added to the input position it copied.
   */
  private static float[] fold(Shape s, float[] padded) {
    boolean reflect = s.mode.equals("reflect");
    int planes = s.batch * s.cin;
    float[] dx = new float[planes * s.h * s.w];
    for (int p = 0; p < planes; p++) {
      for (int r = 0; r < s.hp; r++) {
        int ir = Convolution.source(r - s.top, s.h, reflect);
        for (int q = 0; q < s.wp; q++) {
          int iq = Convolution.source(q - s.left, s.w, reflect);
          dx[(p * s.h + ir) * s.w + iq] += padded[(p * s.hp + r) * s.wp + q];
        }
      }
    }
    return dx;
  }

  /**
   * The sizes of one backward as a 2-D convolution: {@code hp x wp} the planes convolved (the
   * input itself with zero padding, applied as {@code padTop/padLeft}; the padded copy
   * otherwise, with no padding left).
   */
  private record Shape(String mode, int batch, int cin, int h, int w, int cout, int kh, int kw,
      int sh, int sw, int dh, int dw, int top, int bottom, int left, int right, int hp, int wp,
      int padTop, int padLeft, int oh, int ow) {

    boolean zeros() {
      return mode.equals("zeros");
    }

    static Shape of(Tensor x, Tensor weight, Tensor gradOutput, int[] stride, int[] before,
        int[] after, int[] dilation, int groups, String mode) {
      int dims = weight.dim() - 2;
      if (dims != 1 && dims != 2 || (x.dim() != dims + 1 && x.dim() != dims + 2)) {
        throw new IllegalArgumentException("conv backward: input " + Arrays.toString(x.shape())
            + " and weight " + Arrays.toString(weight.shape()) + " are not a 1-D or 2-D"
            + " convolution");
      }
      if (!mode.equals("zeros") && !mode.equals("reflect") && !mode.equals("replicate")) {
        throw new IllegalArgumentException("conv backward: padding_mode must be zeros, reflect"
            + " or replicate, got '" + mode + "'");
      }
      boolean batched = x.dim() == dims + 2;
      int batch = batched ? x.size(0) : 1;
      int cin = x.size(batched ? 1 : 0);
      int h = dims == 2 ? x.size(-2) : 1;
      int w = x.size(-1);
      int cout = weight.size(0);
      if (groups < 1 || cin != weight.size(1) * groups || cout % groups != 0) {
        throw new IllegalArgumentException("conv backward: weight "
            + Arrays.toString(weight.shape()) + " with groups=" + groups + " does not fit "
            + cin + " input channels");
      }
      int kh = dims == 2 ? weight.size(2) : 1;
      int kw = weight.size(-1);
      int top = dims == 2 ? before[0] : 0;
      int bottom = dims == 2 ? after[0] : 0;
      int left = before[dims - 1];
      int right = after[dims - 1];
      int sh = dims == 2 ? stride[0] : 1;
      int sw = stride[dims - 1];
      int dh = dims == 2 ? dilation[0] : 1;
      int dw = dilation[dims - 1];
      int oh = (h + top + bottom - dh * (kh - 1) - 1) / sh + 1;
      int ow = (w + left + right - dw * (kw - 1) - 1) / sw + 1;
      int[] outShape = dims == 2 ? new int[] {batch, cout, oh, ow} : new int[] {batch, cout, ow};
      if (!batched) {
        outShape = Arrays.copyOfRange(outShape, 1, outShape.length);
      }
      if (!Arrays.equals(gradOutput.shape(), outShape)) {
        throw new IllegalArgumentException("conv backward: gradOutput of shape "
            + Arrays.toString(gradOutput.shape()) + " is not the output's shape "
            + Arrays.toString(outShape));
      }
      boolean zeros = mode.equals("zeros");
      return new Shape(mode, batch, cin, h, w, cout, kh, kw, sh, sw, dh, dw, top, bottom, left,
          right, zeros ? h : h + top + bottom, zeros ? w : w + left + right, zeros ? top : 0,
          zeros ? left : 0, oh, ow);
    }
  }
}
