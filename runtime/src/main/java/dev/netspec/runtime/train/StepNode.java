package dev.netspec.runtime.train;

import dev.netspec.runtime.nn.Dropout;
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

  /** Whether the step before needs the gradient of this step's input (default: yes). */
  void inputGradNeeded(boolean needed) {}

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

  /**
   * {@code nn.Dropout}: in training {@code y = x * mask} with the mask drawn from the layer's
   * stream as its own forward draws it (0 or {@code 1 / (1 - p)}), and {@code dx = g * mask};
   * in eval mode (or {@code p = 0}) the identity.
   */
  static final class Dropping extends StepNode {
    private final Dropout layer;
    private Tensor mask; // the buffer the masks are drawn into
    private boolean maskUsed; // whether the last forward applied it (training, p > 0)

    Dropping(Dropout layer) {
      this.layer = layer;
    }

    @Override
    int[] outputShape(int[] in) {
      mask = Tensor.zeros(in);
      return in.clone();
    }

    @Override
    void forward(Tensor x, Tensor out) {
      float[] xa = x.array();
      float[] ya = out.array();
      int xo = x.arrayOffset();
      int yo = out.arrayOffset();
      int n = Math.toIntExact(x.numel());
      if (!layer.isTraining() || layer.p() == 0) {
        System.arraycopy(xa, xo, ya, yo, n);
        maskUsed = false;
      } else {
        float[] m = layer.drawMaskInto(mask).array();
        for (int i = 0; i < n; i++) { // as Functional.dropout(x, mask)
          ya[yo + i] = m[i] == 0 ? 0f : (float) (xa[xo + i] * (double) m[i]);
        }
        maskUsed = true;
      }
      out.bumpVersion();
    }

    @Override
    void backward(Tensor x, Tensor y, Tensor g, Tensor gradInput) {
      if (gradInput == null) {
        return;
      }
      float[] ga = g.array();
      float[] oa = gradInput.array();
      int go = g.arrayOffset();
      int oo = gradInput.arrayOffset();
      int n = Math.toIntExact(g.numel());
      if (!maskUsed) {
        System.arraycopy(ga, go, oa, oo, n);
      } else {
        float[] m = mask.array();
        for (int i = 0; i < n; i++) { // as DropoutGrad.input: g * mask
          oa[oo + i] = ga[go + i] * m[i];
        }
      }
      gradInput.bumpVersion();
    }
  }
}
