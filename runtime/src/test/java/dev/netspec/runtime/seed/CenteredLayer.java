package dev.netspec.runtime.seed;

import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.tensor.Tensor;

/** The tutorial's custom layer without parameters: subtracts the mean. */
class CenteredLayer extends Module {
  @Override
  public Tensor forward(Tensor x) {
    return x.sub(x.mean());
  }
}
