package dev.netspec.runtime.autograd;

import dev.netspec.runtime.tensor.Tensor;

/**
 * A tensor's autograd state (PyTorch's {@code AutogradMeta}): absent (null) on the tensors
 * that take no part in a backward pass, which is most of them. A leaf has {@code requiresGrad}
 * or a {@link GradSink}; a result of a recorded operation has the {@link Node} that made it
 * and its output index there.
 */
public final class AutogradMeta {
  boolean requiresGrad;
  Tensor grad;
  GradSink sink;
  Node gradFn;
  int outputNr;
  /** The leaf's accumulator, made at its first recorded use and kept, as PyTorch does. */
  AccumulateGrad accumulator;

  AutogradMeta() {}

  boolean requiresGrad() {
    return gradFn != null || (sink != null ? sink.requiresGrad() : requiresGrad);
  }
}
