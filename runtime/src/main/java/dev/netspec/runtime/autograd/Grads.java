package dev.netspec.runtime.autograd;

import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.nn.Parameter;
import dev.netspec.runtime.tensor.Tensor;
import java.util.Arrays;

/**
 * Gradient bookkeeping shared by every derivative: accumulation into parameters, the
 * reduction of a broadcast gradient back to an operand's shape, and {@code zero_grad}.
 */
public final class Grads {
  private Grads() {}

  /**
   * Adds {@code grad} into {@code p.grad} ({@code param.grad += grad}), setting it to a
   * contiguous copy at the first use, as PyTorch's autograd accumulates a leaf's gradient.
   * Nothing happens if {@code p} does not require a gradient.
   *
   * @throws IllegalArgumentException if the shapes differ
   */
  public static void accumulate(Parameter p, Tensor grad) {
    if (p.requiresGrad()) {
      accumulate(p, grad, true);
    }
  }

  /**
   * {@link #accumulate(Parameter, Tensor)} for a gradient just computed and referenced
   * nowhere else: at the first use it becomes {@code p.grad} without a copy.
   */
  static void accumulateOwned(Parameter p, Tensor grad) {
    if (p.requiresGrad()) {
      accumulate(p, grad, false);
    }
  }

  private static void accumulate(Parameter p, Tensor grad, boolean copy) {
    if (!Arrays.equals(p.shape(), grad.shape())) {
      throw new IllegalArgumentException("gradient of shape " + Arrays.toString(grad.shape())
          + " does not match the parameter's shape " + Arrays.toString(p.shape()));
    }
    p.accumulateGrad(grad, !copy); // under p's lock: backward passes may run in several threads
  }

  /**
   * The gradient of an operand of shape {@code shape} from {@code grad}, the gradient of a
   * result it was broadcast into: summed over the leading dims {@code shape} lacks and over
   * every dim where {@code shape} has 1 ({@code sum_to_size}). Returns {@code grad} itself
   * when the shapes are equal.
   */
  public static Tensor sumTo(Tensor grad, int[] shape) {
    if (Arrays.equals(grad.shape(), shape)) {
      return grad;
    }
    int lead = grad.dim() - shape.length;
    if (lead < 0) {
      throw new IllegalArgumentException("cannot sum a gradient of shape "
          + Arrays.toString(grad.shape()) + " to the larger shape " + Arrays.toString(shape));
    }
    Tensor out = grad;
    for (int d = 0; d < lead; d++) {
      out = out.sum(0, false);
    }
    for (int d = 0; d < shape.length; d++) {
      if (shape[d] == 1 && out.size(d) != 1) {
        out = out.sum(d, true);
      } else if (shape[d] != out.size(d)) {
        throw new IllegalArgumentException("cannot sum a gradient of shape "
            + Arrays.toString(grad.shape()) + " to shape " + Arrays.toString(shape));
      }
    }
    return out;
  }

  /**
   * Clears the gradient of every parameter of {@code module} ({@code module.zero_grad()}):
   * with {@code setToNone} the gradients become null (PyTorch 2's default), else they are
   * filled with zeros in place (PyTorch 1.13's default).
   */
  public static void zeroGrad(Module module, boolean setToNone) {
    for (Parameter p : module.parameters()) {
      Tensor g = p.grad();
      if (g == null) {
        continue;
      }
      if (setToNone) {
        p.setGrad(null);
      } else {
        g.zero_();
      }
    }
  }
}
