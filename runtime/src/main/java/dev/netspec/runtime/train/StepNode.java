package dev.netspec.runtime.train;

import dev.netspec.runtime.nn.Flatten;
import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.nn.ReLU;
import dev.netspec.runtime.nn.Sigmoid;
import dev.netspec.runtime.nn.Tanh;
import dev.netspec.runtime.tensor.Tensor;

/**
 * One step of a {@link TrainStep}: a layer (or a layer with the activation after it fused)
 * whose forward writes into a buffer and whose backward reads only buffers the step owns and
 * writes its input's gradient into another, allocating nothing once the buffers are sized.
 */
abstract class StepNode {
  /** The output shape for an input of {@code in}. */
  abstract int[] outputShape(int[] in);

  /** {@code out = layer(x)}; both contiguous, sized by {@link #outputShape}. */
  abstract void forward(Tensor x, Tensor out);

  /**
   * From {@code g}, the gradient of the loss with respect to this step's output {@code y}
   * (contiguous, this step may overwrite it): accumulates the parameters' gradients and,
   * unless {@code gradInput} is null, writes the gradient with respect to {@code x} into it.
   */
  abstract void backward(Tensor x, Tensor y, Tensor g, Tensor gradInput);

  /** Whether this step has a parameter that requires a gradient. */
  boolean hasTrainableParameters() {
    return false;
  }

  /** An elementwise activation, differentiated from its output as PyTorch does. */
  static final class Elementwise extends StepNode {
    private final Module layer;
    private final Kind kind;

    enum Kind {
      RELU,
      TANH,
      SIGMOID
    }

    Elementwise(Module layer) {
      this.layer = layer;
      this.kind = layer instanceof ReLU ? Kind.RELU : layer instanceof Tanh ? Kind.TANH
          : Kind.SIGMOID;
      if (!(layer instanceof ReLU || layer instanceof Tanh || layer instanceof Sigmoid)) {
        throw new IllegalArgumentException("not an elementwise activation: " + layer);
      }
    }

    @Override
    int[] outputShape(int[] in) {
      return in.clone();
    }

    @Override
    void forward(Tensor x, Tensor out) {
      layer.forward(x, out);
    }

    @Override
    void backward(Tensor x, Tensor y, Tensor g, Tensor gradInput) {
      if (gradInput == null) {
        return;
      }
      float[] ya = y.array();
      float[] ga = g.array();
      float[] oa = gradInput.array();
      int yo = y.arrayOffset();
      int go = g.arrayOffset();
      int oo = gradInput.arrayOffset();
      int n = Math.toIntExact(y.numel());
      switch (kind) {
        case RELU -> Backward.relu(ga, go, ya, yo, oa, oo, n);
        case TANH -> {
          for (int i = 0; i < n; i++) {
            double v = ya[yo + i];
            oa[oo + i] = (float) (ga[go + i] * (1 - v * v));
          }
        }
        case SIGMOID -> {
          for (int i = 0; i < n; i++) {
            double v = ya[yo + i];
            oa[oo + i] = (float) (ga[go + i] * (1 - v) * v);
          }
        }
        default -> throw new AssertionError(kind);
      }
      gradInput.bumpVersion();
    }
  }

  /** {@code nn.Flatten}: the values in order, so the gradient is the same values reshaped. */
  static final class Flattening extends StepNode {
    private final Flatten layer;

    Flattening(Flatten layer) {
      this.layer = layer;
    }

    @Override
    int[] outputShape(int[] in) {
      return layer.forward(Tensor.zeros(in)).shape();
    }

    @Override
    void forward(Tensor x, Tensor out) {
      layer.forward(x, out);
    }

    @Override
    void backward(Tensor x, Tensor y, Tensor g, Tensor gradInput) {
      if (gradInput != null) {
        System.arraycopy(g.array(), g.arrayOffset(), gradInput.array(),
            gradInput.arrayOffset(), Math.toIntExact(g.numel()));
        gradInput.bumpVersion();
      }
    }
  }
}
