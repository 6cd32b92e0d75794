package dev.netspec.runtime.seed;

import dev.netspec.runtime.nn.Functional;
import dev.netspec.runtime.nn.Linear;
import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;

/** The tutorial's block with a constant weight, a reused layer and a loop in its forward. */
class FixedHiddenMLP extends Module {
  private final Tensor randWeight; // (20, 20) constant: neither a parameter nor in the state dict
  private final Linear linear = addModule("linear", new Linear(20, 20));

  /** A random constant weight, uniform on [0, 1). */
  FixedHiddenMLP(Generator gen) {
    this(Tensor.rand(gen, 20, 20));
  }

  FixedHiddenMLP(Tensor randWeight) {
    this.randWeight = randWeight;
  }

  @Override
  public Tensor forward(Tensor x) {
    x = linear.forward(x);
    x = Functional.relu(x.mm(randWeight.add(1)));
    x = linear.forward(x); // the same layer again: its parameters are shared
    while (x.abs().sum().item() > 1) {
      x.div_(2);
    }
    return x.sum();
  }
}
