package dev.netspec.runtime.nn;

import dev.netspec.runtime.tensor.Tensor;

/** {@code x * Phi(x)} with the exact error function ({@code nn.GELU()}). */
public final class GELU extends Module {
  /** {@code nn.GELU()}: {@code approximate='none'}. */
  public GELU() {}

  @Override
  public Tensor forward(Tensor x) {
    return Functional.gelu(x);
  }

  @Override
  public String extraRepr() {
    return "approximate='none'";
  }
}
