package dev.netspec.runtime.autograd;

import dev.netspec.runtime.tensor.Tensor;

/**
 * Where the gradient of a leaf tensor goes when the leaf belongs to something that keeps its
 * own gradient: a {@link dev.netspec.runtime.nn.Parameter} binds its values to itself, so
 * {@code weight.data().grad()} and {@code weight.grad()} are one gradient, and tied
 * parameters (one tensor, two names) accumulate into one.
 */
public interface GradSink {
  /** Whether a backward pass computes this leaf's gradient. */
  boolean requiresGrad();

  /** The accumulated gradient, or null before any backward. */
  Tensor grad();

  /** Adds {@code grad} (a fresh tensor the sink may keep) into the gradient. */
  void accumulateGrad(Tensor grad);
}
