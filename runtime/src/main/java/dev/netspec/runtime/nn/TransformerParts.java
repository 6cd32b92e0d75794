package dev.netspec.runtime.nn;

import dev.netspec.runtime.autograd.Autograd;
import dev.netspec.runtime.kernels.Activation;
import dev.netspec.runtime.tensor.Tensor;

/** What the Transformer layers share: the activation names and the feed-forward block. */
final class TransformerParts {
  private TransformerParts() {}

  /** {@code "relu"} or {@code "gelu"} (PyTorch's strings; gelu is the exact one). */
  static String checkActivation(String layer, String activation) {
    if (!"relu".equals(activation) && !"gelu".equals(activation)) {
      throw new IllegalArgumentException(
          layer + ": activation should be relu/gelu, not " + activation);
    }
    return activation;
  }

  static int checkPositive(String layer, String name, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(
          layer + ": " + name + " must be greater than 0, got " + value);
    }
    return value;
  }

  /**
   * {@code dropout2(linear2(dropout(act(linear1(x)))))}, the ReLU or GELU fused into linear1's
   * GEMM (ReLU recorded as PyTorch's {@code ReluBackward0} when recording for a backward pass).
   */
  static Tensor feedForward(Tensor x, Linear linear1, String activation, Dropout dropout,
      Linear linear2, Dropout dropoutOut) {
    Tensor h;
    Tensor bias = linear1.bias == null ? null : linear1.bias.data();
    boolean relu = "relu".equals(activation);
    if (Autograd.isRecording(x, linear1.weight.data())
        || bias != null && Autograd.isRecording(bias)) {
      h = relu ? Functional.linearRelu(x, linear1.weight.data(), bias)
          : Functional.gelu(linear1.forward(x));
    } else {
      int[] shape = x.shape();
      shape[shape.length - 1] = linear1.outFeatures();
      h = linear1.forwardInto(x, relu ? Activation.RELU : Activation.GELU, Tensor.zeros(shape));
    }
    return dropoutOut.forward(linear2.forward(dropout.forward(h)));
  }

  /**
   * {@code linear2(act(linear1(x)))} into {@code out} through {@code wide} ({@code x}'s shape
   * with {@code dim_feedforward} features), the activation in linear1's GEMM: the eval-mode
   * feed-forward of the layers' allocation-free forwards, the floats of {@link #feedForward}.
   */
  static Tensor feedForwardInto(Tensor x, Linear linear1, String activation, Linear linear2,
      Tensor wide, Tensor out) {
    linear1.forwardInto(x, "relu".equals(activation) ? Activation.RELU : Activation.GELU, wide);
    return linear2.forward(wide, out);
  }

  /**
   * The buffers of a layer's allocation-free forward for one input shape: the attention's
   * (then the feed-forward's) result, the residual sum, a normalized input, and the
   * feed-forward's wide hidden tensor.
   */
  static final class Buffers {
    final int[] shape;
    final Tensor attended;
    final Tensor hidden;
    final Tensor normed;
    final Tensor wide;

    private Buffers(int[] shape, int dimFeedforward) {
      this.shape = shape;
      this.attended = Tensor.zeros(shape);
      this.hidden = Tensor.zeros(shape);
      this.normed = Tensor.zeros(shape);
      int[] w = shape.clone();
      w[w.length - 1] = dimFeedforward;
      this.wide = Tensor.zeros(w);
    }

    /** {@code last} if made for {@code input}'s shape, else new buffers for it. */
    static Buffers fitting(Buffers last, Tensor input, int dimFeedforward) {
      return last != null && input.hasShape(last.shape) ? last : new Buffers(input.shape(), dimFeedforward);
    }
  }
}
