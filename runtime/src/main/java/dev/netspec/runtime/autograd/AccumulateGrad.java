package dev.netspec.runtime.autograd;

import dev.netspec.runtime.tensor.Tensor;

/**
 * The end of every path of a backward pass: adds the gradient that reaches a leaf into its
 * {@code .grad} (or into the parameter that owns it), as PyTorch's {@code AccumulateGrad}.
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
        if (leaf.grad == null) {
          leaf.grad = g.clone();
        } else {
          leaf.grad.add_(g);
        }
      }
    }
    return new Tensor[0];
  }
}
