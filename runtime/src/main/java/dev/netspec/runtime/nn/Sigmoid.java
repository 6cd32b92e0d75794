package dev.netspec.runtime.nn;

import dev.netspec.runtime.tensor.Tensor;

/** {@code 1 / (1 + exp(-x))} elementwise ({@code nn.Sigmoid}). */
public final class Sigmoid extends Module {
  /** {@code nn.Sigmoid()}. */
  public Sigmoid() {}

  @Override
  public Tensor forward(Tensor x) {
    return Functional.sigmoid(x);
  }

  /** Allocation-free: writes into {@code out} (which may also be {@code x} itself). */
  @Override
  public Tensor forward(Tensor x, Tensor out) {
    return x.sigmoidInto(out);
  }

  // covariant returns, so that calls chain: Sigmoid layer = new Sigmoid(...).eval();

  @Override
  public Sigmoid train() {
    return train(true);
  }

  @Override
  public Sigmoid train(boolean mode) {
    super.train(mode);
    return this;
  }

  @Override
  public Sigmoid eval() {
    return train(false);
  }
}
