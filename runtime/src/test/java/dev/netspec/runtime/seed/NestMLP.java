package dev.netspec.runtime.seed;

import dev.netspec.runtime.nn.Linear;
import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.nn.ReLU;
import dev.netspec.runtime.nn.Sequential;
import dev.netspec.runtime.tensor.Tensor;

/** The tutorial's block nesting a Sequential next to a layer. */
class NestMLP extends Module {
  private final Sequential net = addModule("net", new Sequential(
      new Linear(20, 64), new ReLU(), new Linear(64, 32), new ReLU()));
  private final Linear linear = addModule("linear", new Linear(32, 16));

  @Override
  public Tensor forward(Tensor x) {
    return linear.forward(net.forward(x));
  }
}
