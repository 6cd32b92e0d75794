package dev.netspec.runtime.nn;

import dev.netspec.runtime.tensor.Tensor;

/** Returns its input ({@code nn.Identity()}): a placeholder in a sequence. */
public final class Identity extends Module {
  /** {@code nn.Identity()}. */
  public Identity() {}

  @Override
  public Tensor forward(Tensor x) {
    return x;
  }

  /** Allocation-free: writes into {@code out} (which may also be {@code x} itself). */
  @Override
  public Tensor forward(Tensor x, Tensor out) {
    return x.copyInto(out);
  }

  // covariant returns, so that calls chain: Identity layer = new Identity(...).eval();

  @Override
  public Identity train() {
    return train(true);
  }

  @Override
  public Identity train(boolean mode) {
    super.train(mode);
    return this;
  }

  @Override
  public Identity eval() {
    return train(false);
  }
}
