package dev.netspec.runtime.nn;

import dev.netspec.runtime.autograd.Autograd;
import dev.netspec.runtime.autograd.GradSink;
import dev.netspec.runtime.kernels.BinaryOp;
import dev.netspec.runtime.kernels.Kernels;
import dev.netspec.runtime.tensor.DType;
import dev.netspec.runtime.tensor.Tensor;
import dev.netspec.runtime.tensor.TensorFormat;
import java.util.Arrays;

/**
 * A trainable tensor held by a {@link Module} ({@code nn.Parameter}). It wraps its
 * {@link #data()} rather than being a tensor, so a lazy layer can materialize it in place
 * and one parameter can be registered in several modules (tied weights).
 */
public final class Parameter implements GradSink {
  private Tensor data;
  private Tensor grad;
  private boolean requiresGrad = true;
  /** The parameter this one was tied to ({@link #tieTo}): every call goes to it. */
  private Parameter tied;
  private final ParameterMirrors mirrors = new ParameterMirrors();
  /** Held while the gradient is read and replaced or added to ({@link #accumulateGrad}). */
  private final Object gradLock = new Object();

  /** A parameter holding {@code data} (not copied), trainable ({@code nn.Parameter(t)}). */
  public Parameter(Tensor data) {
    if (data == null) {
      throw new IllegalArgumentException("data is null; use Parameter.uninitialized()");
    }
    this.data = floating(data);
    Autograd.bind(this.data, this);
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
    if (tied != null) {
      return tied.isMaterialized();
    }
    return data != null;
  }

  /** Gives an uninitialized parameter its storage (zeros of {@code shape}); returns it. */
  public Tensor materialize(int... shape) {
    if (tied != null) {
      return tied.materialize(shape);
    }
    if (data != null) {
      throw new IllegalStateException("parameter is already materialized with shape "
          + Arrays.toString(data.shape()));
    }
    data = Tensor.zeros(shape);
    Autograd.bind(data, this);
    return data;
  }

  /**
   * The values; in-place edits of it edit the parameter (as {@code param.data[...] = ...}).
   * Operations on it record, as operations on the parameter do in PyTorch, and its gradient
   * is this parameter's; {@code data().detach()} is PyTorch's {@code param.data}, outside any
   * graph.
   */
  public Tensor data() {
    if (tied != null) {
      return tied.data();
    }
    if (data == null) {
      throw new IllegalStateException(
          "uninitialized parameter: its shape is inferred at the first forward");
    }
    return data;
  }

  /** Replaces the values ({@code param.data = t}); the shape may change. */
  public void setData(Tensor data) {
    if (tied != null) {
      tied.setData(data);
      return;
    }
    if (data == null) {
      throw new IllegalArgumentException("data is null");
    }
    this.data = floating(data);
    Autograd.bind(this.data, this);
  }

  /** The gradient, or null before any backward ({@code param.grad}). */
  @Override
  public Tensor grad() {
    return tied != null ? tied.grad() : grad;
  }

  /** Sets (or clears, with null) the gradient; the backward pass will call it. */
  public void setGrad(Tensor grad) {
    if (tied != null) {
      tied.setGrad(grad);
      return;
    }
    synchronized (gradLock) {
      this.grad = grad;
    }
  }

  /**
   * Adds a gradient a backward pass computed ({@code param.grad += grad}); {@code grad} is
   * fresh and becomes the gradient at the first call. See {@link #accumulateGrad(Tensor,
   * boolean)}.
   */
  @Override
  public void accumulateGrad(Tensor grad) {
    accumulateGrad(grad, true);
  }

  /**
   * Adds {@code grad} into the gradient ({@code param.grad += grad}), or makes it the
   * gradient when there is none: {@code grad} itself if {@code keep} (a fresh contiguous
   * tensor nobody else holds), else a copy. Backward passes running at once in several
   * threads (one model trained from several threads: its replicas share this parameter) each
   * add their whole gradient: the read and the add or replacement hold this parameter's lock,
   * as PyTorch's {@code AccumulateGrad} holds its mutex. The order of the additions is then
   * the threads' order, so the last bits may differ from run to run.
   */
  public void accumulateGrad(Tensor grad, boolean keep) {
    if (tied != null) {
      tied.accumulateGrad(grad, keep);
      return;
    }
    synchronized (gradLock) {
      if (this.grad == null) {
        this.grad = keep && grad.isContiguous() ? grad : grad.clone();
      } else if (this.grad.isContiguous() && grad.isContiguous() && this.grad.sameShape(grad)) {
        // the add_ below without its views: a training step adds here once per parameter
        Kernels.binary(BinaryOp.ADD, this.grad.array(), this.grad.arrayOffset(), grad.array(),
            grad.arrayOffset(), this.grad.array(), this.grad.arrayOffset(),
            Math.toIntExact(grad.numel()));
        this.grad.bumpVersion();
      } else {
        this.grad.add_(grad);
      }
    }
  }

  /**
   * The lock {@link #accumulateGrad} holds while it reads and adds to the gradient: hold it to
   * add into {@link #grad} in place (a training step computing its gradient straight into a
   * {@code .grad} that is its own buffer), so concurrent backward passes lose nothing.
   */
  public Object gradLock() {
    return tied != null ? tied.gradLock() : gradLock;
  }

  /**
   * The packed copies an optimizer keeps current as it updates this parameter, as one mirror,
   * or null when there is none (see {@link ParameterMirror}).
   */
  public ParameterMirror mirror() {
    if (tied != null) {
      return tied.mirror();
    }
    return mirrors.isEmpty() ? null : mirrors;
  }

  /**
   * Registers a packed copy for the optimizer to keep current: each training step built over
   * a model registers its own, and every registered copy is told of each update (held weakly:
   * a copy whose owner is dropped stops being updated).
   */
  public void addMirror(ParameterMirror mirror) {
    if (tied != null) {
      tied.addMirror(mirror);
      return;
    }
    mirrors.add(java.util.Objects.requireNonNull(mirror, "mirror"));
  }

  /** Unregisters a copy {@link #addMirror} registered; nothing if it is not registered. */
  public void removeMirror(ParameterMirror mirror) {
    if (tied != null) {
      tied.removeMirror(mirror);
      return;
    }
    mirrors.remove(mirror);
  }

  /** Whether a backward pass computes a gradient for this parameter. */
  @Override
  public boolean requiresGrad() {
    return tied != null ? tied.requiresGrad() : requiresGrad;
  }

  /** Sets {@code requires_grad} ({@code requires_grad_}); returns this parameter. */
  public Parameter requiresGrad(boolean requiresGrad) {
    if (tied != null) {
      tied.requiresGrad(requiresGrad);
      return this;
    }
    this.requiresGrad = requiresGrad;
    return this;
  }

  /** The shape ({@code param.shape}). */
  public int[] shape() {
    return data().shape();
  }

  /**
   * Makes this parameter a second name of {@code source}: its values, gradient and flags are
   * then {@code source}'s, so a layer holding this object reads and trains the one shared
   * tensor. {@link Module#tieParameter} calls it and registers {@code source} in its place.
   */
  void tieTo(Parameter source) {
    Parameter root = source;
    while (root.tied != null) {
      root = root.tied;
    }
    if (root == this) {
      throw new IllegalArgumentException("a parameter cannot be tied to itself");
    }
    tied = root;
    data = null;
    grad = null;
  }

  /** {@code Parameter containing:\ntensor([...], requires_grad=True)}, as PyTorch prints. */
  @Override
  public String toString() {
    if (tied != null) {
      return tied.toString();
    }
    if (data == null) {
      return "<UninitializedParameter>";
    }
    return "Parameter containing:\n" + TensorFormat.format(data,
        requiresGrad ? ", requires_grad=True" : "");
  }
}
