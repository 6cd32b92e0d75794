package dev.netspec.runtime.seed;

import dev.netspec.runtime.init.Init;
import dev.netspec.runtime.nn.Functional;
import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.nn.Parameter;
import dev.netspec.runtime.nn.ParameterSeeds;
import dev.netspec.runtime.tensor.Tensor;

/** The tutorial's custom layer with parameters: {@code relu(x @ weight + bias)}. */
class MyLinear extends Module {
  final Parameter weight; // (inUnits, units)
  final Parameter bias; // (units)

  MyLinear(int inUnits, int units) {
    weight = registerParameter("weight", new Parameter(Tensor.zeros(inUnits, units)));
    bias = registerParameter("bias", new Parameter(Tensor.zeros(units)));
    initialize(0);
  }

  /** {@code torch.randn} for both, each from its own stream (see {@link Module#initialize}). */
  @Override
  protected void resetParameters(ParameterSeeds seeds) {
    Init.normal_(weight.data(), 0, 1, seeds.generator("weight"));
    Init.normal_(bias.data(), 0, 1, seeds.generator("bias"));
  }

  @Override
  public Tensor forward(Tensor x) {
    // The tutorial computes with weight.data and bias.data: detached, so the output records nothing.
    return Functional.relu(x.matmul(weight.data().detach()).add(bias.data().detach()));
  }
}
