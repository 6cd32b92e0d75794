package dev.netspec.runtime.nn;

import dev.netspec.runtime.tensor.Tensor;

/** {@code max(0, x)} elementwise ({@code nn.ReLU}). */
public final class ReLU extends Module {
  private final boolean inplace;

  /** {@code nn.ReLU()}. */
  public ReLU() {
    this(false);
  }

  /**
   * {@code nn.ReLU(inplace)}: prints {@code ReLU(inplace=True)}. The computation is the same
   * either way: {@link #forward(Tensor)} returns a new tensor, and generated code writes in
   * place through {@link #forward(Tensor, Tensor)} where it can.
   */
  public ReLU(boolean inplace) {
    this.inplace = inplace;
  }

  /** Whether it was built with {@code inplace=True}. */
  public boolean inplace() {
    return inplace;
  }

  @Override
  public Tensor forward(Tensor x) {
    return Functional.relu(x);
  }

  /** Allocation-free: writes into {@code out} (which may also be {@code x} itself). */
  @Override
  public Tensor forward(Tensor x, Tensor out) {
    return x.reluInto(out);
  }

  @Override
  public String extraRepr() {
    return inplace ? "inplace=True" : "";
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
