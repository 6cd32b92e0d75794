package dev.netspec.runtime.autograd;

import dev.netspec.runtime.tensor.Tensor;

/**
 * The end of every path of a backward pass: adds the gradient that reaches a leaf into its
 * {@code .grad} (or into the parameter that owns it), as PyTorch's {@code AccumulateGrad},
 * one thread at a time per leaf (as PyTorch's holds a mutex): backward passes running at once
 * in several threads each add their whole gradient.
 */
final class AccumulateGrad extends Node {
  private final AutogradMeta leaf;

  AccumulateGrad(AutogradMeta leaf) {
    super("AccumulateGrad");
    this.leaf = leaf;
  }

  @Override
  protected Tensor[] backward(Tensor[] gradOutputs) {
    Tensor g = gradOutputs[0];
    if (g != null) {
      if (leaf.sink != null) {
        if (leaf.sink.requiresGrad()) {
          leaf.sink.accumulateGrad(g.clone());
        }
      } else if (leaf.requiresGrad) {
        synchronized (leaf) { // backward passes in several threads may reach one leaf
          if (leaf.grad == null) {
            leaf.grad = g.clone();
          } else {
            leaf.grad.add_(g);
          }
        }
      }
    }
    return new Tensor[0];
  }
}
