package dev.netspec.runtime.nn;

import dev.netspec.runtime.tensor.Tensor;

/** {@code max(0, x)} elementwise ({@code nn.ReLU}). */
public final class ReLU extends Module {
  /** {@code nn.ReLU()}. */
  public ReLU() {}

  @Override
  public Tensor forward(Tensor x) {
    return Functional.relu(x);
  }

  /** Allocation-free: writes into {@code out} (which may also be {@code x} itself). */
  @Override
  public Tensor forward(Tensor x, Tensor out) {
    return x.reluInto(out);
  }

  // covariant returns, so that calls chain: ReLU layer = new ReLU(...).eval();

  @Override
  public ReLU train() {
    return train(true);
  }

  @Override
  public ReLU train(boolean mode) {
    super.train(mode);
    return this;
  }

  @Override
  public ReLU eval() {
    return train(false);
  }
}
