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
}
