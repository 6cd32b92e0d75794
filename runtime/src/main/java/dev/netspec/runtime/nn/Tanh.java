package dev.netspec.runtime.nn;

import dev.netspec.runtime.tensor.Tensor;

/** {@code tanh(x)} elementwise ({@code nn.Tanh}). */
public final class Tanh extends Module {
  /** {@code nn.Tanh()}. */
  public Tanh() {}

  @Override
  public Tensor forward(Tensor x) {
    return Functional.tanh(x);
  }

  /** Allocation-free: writes into {@code out} (which may also be {@code x} itself). */
  @Override
  public Tensor forward(Tensor x, Tensor out) {
    return x.tanhInto(out);
  }

  // covariant returns, so that calls chain: Tanh layer = new Tanh(...).eval();

  @Override
  public Tanh train() {
    return train(true);
  }

  @Override
  public Tanh train(boolean mode) {
    super.train(mode);
    return this;
  }

  @Override
  public Tanh eval() {
    return train(false);
  }
}
