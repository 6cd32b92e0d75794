package dev.netspec.runtime.nn;

import dev.netspec.runtime.tensor.DType;
import dev.netspec.runtime.tensor.Tensor;
import dev.netspec.runtime.tensor.TensorFormat;
import java.util.Arrays;

/**
 * A trainable tensor held by a {@link Module} ({@code nn.Parameter}). It wraps its
 * {@link #data()} rather than being a tensor, so a lazy layer can materialize it in place
 * and one parameter can be registered in several modules (tied weights).
 */
public final class Parameter {
  private Tensor data;
  private Tensor grad;
  private boolean requiresGrad = true;

  /** A parameter holding {@code data} (not copied), trainable ({@code nn.Parameter(t)}). */
  public Parameter(Tensor data) {
    if (data == null) {
      throw new IllegalArgumentException("data is null; use Parameter.uninitialized()");
    }
    this.data = floating(data);
  }

  /** PyTorch's rule: only floating-point tensors can require gradients. */
  private static Tensor floating(Tensor data) {
    if (data.dtype() != DType.FLOAT32) {
      throw new IllegalArgumentException("a parameter must be float32 (only floating point "
          + "tensors can require gradients), got " + data.dtype() + "; register it as a buffer");
    }
    return data;
  }

  private Parameter() {}

  /** A parameter whose shape is not known yet ({@code nn.UninitializedParameter}). */
  public static Parameter uninitialized() {
    return new Parameter();
  }

  /** Whether this parameter has its storage (false for a lazy one before its first forward). */
  public boolean isMaterialized() {
    return data != null;
  }

  /** Gives an uninitialized parameter its storage (zeros of {@code shape}); returns it. */
  public Tensor materialize(int... shape) {
    if (data != null) {
      throw new IllegalStateException("parameter is already materialized with shape "
          + Arrays.toString(data.shape()));
    }
    data = Tensor.zeros(shape);
    return data;
  }

  /** The values ({@code param.data}); in-place edits of it edit the parameter. */
  public Tensor data() {
    if (data == null) {
      throw new IllegalStateException(
          "uninitialized parameter: its shape is inferred at the first forward");
    }
    return data;
  }

  /** Replaces the values ({@code param.data = t}); the shape may change. */
  public void setData(Tensor data) {
    if (data == null) {
      throw new IllegalArgumentException("data is null");
    }
    this.data = floating(data);
  }

  /** The gradient, or null before any backward ({@code param.grad}). */
  public Tensor grad() {
    return grad;
  }

  /** Sets (or clears, with null) the gradient; the backward pass will call it. */
  public void setGrad(Tensor grad) {
    this.grad = grad;
  }

  /** Whether a backward pass computes a gradient for this parameter. */
  public boolean requiresGrad() {
    return requiresGrad;
  }

  /** Sets {@code requires_grad} ({@code requires_grad_}); returns this parameter. */
  public Parameter requiresGrad(boolean requiresGrad) {
    this.requiresGrad = requiresGrad;
    return this;
  }

  /** The shape ({@code param.shape}). */
  public int[] shape() {
    return data().shape();
  }

  /** {@code Parameter containing:\ntensor([...], requires_grad=True)}, as PyTorch prints. */
  @Override
  public String toString() {
    if (data == null) {
      return "<UninitializedParameter>";
    }
    return "Parameter containing:\n" + TensorFormat.format(data,
        requiresGrad ? ", requires_grad=True" : "");
  }
}
