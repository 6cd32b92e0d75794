package dev.netspec.runtime.nn;

import dev.netspec.runtime.tensor.Tensor;

/** {@code x * sigmoid(x)} elementwise ({@code nn.SiLU}). */
public final class SiLU extends Module {
  private final boolean inplace;

  /** {@code nn.SiLU()}. */
  public SiLU() {
    this(false);
  }

  /**
   * {@code nn.SiLU(inplace)}: prints {@code SiLU(inplace=True)}. The computation is the same
   * either way: {@link #forward(Tensor)} returns a new tensor.
   */
  public SiLU(boolean inplace) {
    this.inplace = inplace;
  }

  /** Whether it was built with {@code inplace=True}. */
  public boolean inplace() {
    return inplace;
  }

  /** {@link Functional#silu}, recorded for autograd. */
  @Override
  public Tensor forward(Tensor x) {
    return Functional.silu(x);
  }

  /** Allocation-free: writes into {@code out} (which may also be {@code x} itself). */
  @Override
  public Tensor forward(Tensor x, Tensor out) {
    return Functional.siluInto(x, out);
  }

  @Override
  public String extraRepr() {
    return inplace ? "inplace=True" : "";
  }

  // covariant returns, so that calls chain: SiLU layer = new SiLU().eval();

  @Override
  public SiLU train() {
    return train(true);
  }

  @Override
  public SiLU train(boolean mode) {
    super.train(mode);
    return this;
  }

  @Override
  public SiLU eval() {
    return train(false);
  }
}
