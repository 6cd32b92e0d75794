package dev.netspec.runtime.seed;

import dev.netspec.runtime.nn.Functional;
import dev.netspec.runtime.nn.Linear;
import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.tensor.Tensor;

/** The tutorial's custom block: a hidden layer, a ReLU, an output layer. */
class MLP extends Module {
  private final Linear hidden = addModule("hidden", new Linear(20, 256));
  private final Linear out = addModule("out", new Linear(256, 10));

  @Override
  public Tensor forward(Tensor x) {
    return out.forward(Functional.relu(hidden.forward(x)));
  }
}
