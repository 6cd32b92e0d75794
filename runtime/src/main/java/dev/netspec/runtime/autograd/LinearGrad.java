package dev.netspec.runtime.autograd;

import dev.netspec.runtime.kernels.Activation;
import dev.netspec.runtime.kernels.Kernels;
import dev.netspec.runtime.nn.Parameter;
import dev.netspec.runtime.tensor.Tensor;
import java.util.Arrays;

/**
 * The derivative of {@code y = F.linear(x, weight, bias)} ({@code AddmmBackward0}): with
 * {@code x} {@code (..., in)}, {@code weight} {@code (out, in)} and {@code gradOutput}
 * {@code (..., out)} read as {@code rows x out} matrices,
 *
 * <pre>
 * grad x      = gradOutput @ weight            (rows, in)   a GEMM, weight read row-major
 * grad weight = gradOutput^T @ x               (out, in)    a GEMM over gradOutput transposed
 * grad bias   = gradOutput summed over rows    (out)
 * </pre>
 *
 * <p>Both products run on the GEMM kernel ({@link Kernels#gemm}). A fused {@code
 * relu(linear(...))} is differentiated by {@link ActivationGrad#reluInto} on the saved
 * output first.
 */
public final class LinearGrad {
  private LinearGrad() {}

  /** {@code d L / d x}, shaped as {@code x}: {@code gradOutput @ weight}. */
  public static Tensor input(Tensor gradOutput, Tensor weight) {
    int[] shape = gradOutput.shape();
    shape[shape.length - 1] = weight.size(1);
    return inputInto(gradOutput, weight, Tensor.zeros(shape));
  }

  /**
   * {@code d L / d x} written into {@code out} (contiguous, {@code x}'s shape, overwritten);
   * returns {@code out}.
   */
  public static Tensor inputInto(Tensor gradOutput, Tensor weight, Tensor out) {
    int n = weight.size(0);
    int k = weight.size(1);
    check(gradOutput, n, "gradOutput");
    int rows = rows(gradOutput);
    if (!out.isContiguous() || out.numel() != (long) rows * k || out.size(-1) != k) {
      throw new IllegalArgumentException("linear backward: output of shape "
          + Arrays.toString(out.shape()) + " cannot hold the input gradient (" + rows + " x "
          + k + ")");
    }
    Tensor g = gradOutput.contiguous();
    Tensor w = weight.contiguous();
    // (rows, out) @ (out, in): the weight is op(B) as stored, row-major
    Kernels.gemm(rows, k, n, g.array(), g.arrayOffset(), n, w.array(), w.arrayOffset(), k,
        false, out.array(), out.arrayOffset(), k, null, 0, Activation.NONE);
    out.bumpVersion();
    return out;
  }

  /** {@code d L / d weight} {@code (out, in)}: {@code gradOutput^T @ x}. */
  public static Tensor weight(Tensor gradOutput, Tensor x) {
    int n = gradOutput.size(-1);
    int k = x.size(-1);
    int rows = rows(gradOutput);
    check(x, k, "x");
    if (rows(x) != rows) {
      throw new IllegalArgumentException("linear backward: x " + Arrays.toString(x.shape())
          + " and gradOutput " + Arrays.toString(gradOutput.shape()) + " differ in rows");
    }
    // (out, rows): the transposed gradient, row-major, so the GEMM reads A in place
    Tensor gt = gradOutput.contiguous().reshape(rows, n).t().contiguous();
    Tensor xc = x.contiguous();
    Tensor out = Tensor.zeros(n, k);
    Kernels.gemm(n, k, rows, gt.array(), gt.arrayOffset(), rows, xc.array(), xc.arrayOffset(),
        k, false, out.array(), 0, k, null, 0, Activation.NONE);
    return out;
  }

  /** {@code d L / d bias} {@code (out)}: the sum of {@code gradOutput} over its rows. */
  public static Tensor bias(Tensor gradOutput) {
    int n = gradOutput.size(-1);
    int rows = rows(gradOutput);
    Tensor g = gradOutput.contiguous();
    float[] src = g.array();
    float[] acc = new float[n];
    for (int r = 0; r < rows; r++) {
      Kernels.axpy(1f, src, g.arrayOffset() + r * n, acc, 0, n);
    }
    return Tensor.fromArray(acc, n);
  }

  /**
   * The whole backward of a linear layer: accumulates into {@code weight.grad} and
   * {@code bias.grad} (bias may be null) and returns {@code d L / d x}, or null when
   * {@code needInputGrad} is false (the first layer of a network).
   */
  public static Tensor backward(Tensor gradOutput, Tensor x, Parameter weight, Parameter bias,
      boolean needInputGrad) {
    if (weight.requiresGrad()) {
      Grads.accumulateOwned(weight, weight(gradOutput, x));
    }
    if (bias != null && bias.requiresGrad()) {
      Grads.accumulateOwned(bias, bias(gradOutput));
    }
    return needInputGrad ? input(gradOutput, weight.data()) : null;
  }

  /**
   * Records {@code y = act(F.linear(x, weight, bias))} for a backward pass when recording is on
   * and an input requires a gradient; returns {@code y}. {@code act} is NONE or RELU (the
   * fused {@code relu(linear(...))}, whose grad_fn is then {@code ReluBackward0}, as the
   * separate relu's is in PyTorch).
   */
  public static Tensor record(Tensor x, Tensor weight, Tensor bias, Activation act, Tensor y) {
    if (Autograd.isRecording(x, weight) || bias != null && Autograd.isRecording(bias)) {
      if (act != Activation.NONE && act != Activation.RELU) {
        throw new UnsupportedOperationException("no backward for linear fused with " + act);
      }
      new LinearBackward(x, weight, bias, act == Activation.RELU ? y : null).record(y);
    }
    return y;
  }

  /**
   * PyTorch 1.13's grad_fn of {@code F.linear}, which depends on the path its C++ takes:
   * {@code addmm} for a matrix with a bias ({@code AddmmBackward0}), {@code mm} without
   * ({@code MmBackward0}); a contiguous 3-D input with a bias is flattened to {@code addmm}
   * and viewed back ({@code ViewBackward0}); any other input goes through {@code matmul}
   * ({@code SqueezeBackward3} for a vector, {@code UnsafeViewBackward0} batched), then adds
   * the bias ({@code AddBackward0}).
   */
  private static String name(Tensor x, Tensor bias) {
    if (x.dim() == 2) {
      return bias != null ? "AddmmBackward0" : "MmBackward0";
    }
    if (bias != null) {
      return x.dim() == 3 && x.isContiguous() ? "ViewBackward0" : "AddBackward0";
    }
    return x.dim() == 1 ? "SqueezeBackward3" : "UnsafeViewBackward0";
  }

  private static final class LinearBackward extends Node {
    private final SavedTensor x;
    private final SavedTensor weight;
    /** The output of a fused ReLU, whose mask the gradient passes first; null without. */
    private final SavedTensor reluOutput;

    LinearBackward(Tensor x, Tensor weight, Tensor bias, Tensor reluOutput) {
      super(reluOutput != null ? "ReluBackward0" : LinearGrad.name(x, bias), x, weight, bias);
      this.x = needsInputGrad(1) ? save(x) : null;
      this.weight = needsInputGrad(0) ? save(weight) : null;
      this.reluOutput = save(reluOutput);
    }

    @Override
    protected Tensor[] backward(Tensor[] gradOutputs) {
      Tensor g = gradOutputs[0];
      if (reluOutput != null) {
        g = ActivationGrad.relu(g, reluOutput.get());
      }
      return new Tensor[] {
        needsInputGrad(0) ? input(g, weight.get()) : null,
        needsInputGrad(1) ? weight(g, x.get()) : null,
        needsInputGrad(2) ? bias(g) : null
      };
    }
  }

  private static int rows(Tensor t) {
    if (t.dim() == 0) {
      throw new IllegalArgumentException("linear backward: a scalar has no feature dim");
    }
    return Math.toIntExact(t.numel() / Math.max(1, t.size(-1)));
  }

  private static void check(Tensor t, int features, String name) {
    if (t.dim() == 0 || t.size(-1) != features) {
      throw new IllegalArgumentException("linear backward: " + name + " of shape "
          + Arrays.toString(t.shape()) + " does not have " + features + " features");
    }
  }
}
