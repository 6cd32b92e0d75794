package dev.netspec.runtime.nn;

import dev.netspec.runtime.tensor.Tensor;

/**
 * {@code x * Phi(x)} ({@code nn.GELU}): exact, with the error function, by default; or
 * PyTorch's tanh approximation
 * {@code 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))}.
 */
public final class GELU extends Module {
  private final boolean tanh;

  /** {@code nn.GELU()}: {@code approximate='none'}. */
  public GELU() {
    this("none");
  }

  /** {@code nn.GELU(approximate)}: {@code "none"} (exact) or {@code "tanh"}. */
  public GELU(String approximate) {
    if (!"none".equals(approximate) && !"tanh".equals(approximate)) {
      throw new IllegalArgumentException(
          "GELU: approximate must be 'none' or 'tanh', got '" + approximate + "'");
    }
    this.tanh = "tanh".equals(approximate);
  }

  @Override
  public Tensor forward(Tensor x) {
    return Functional.gelu(x, tanh ? "tanh" : "none");
  }

  /** Allocation-free, the exact GELU and the tanh approximation ({@link Functional#geluInto}). */
  @Override
  public Tensor forward(Tensor x, Tensor out) {
    return tanh ? Functional.geluInto(x, "tanh", out) : x.geluInto(out);
  }

  @Override
  public String extraRepr() {
    return "approximate='" + (tanh ? "tanh" : "none") + "'";
  }

  // covariant returns, so that calls chain: GELU layer = new GELU(...).eval();

  @Override
  public GELU train() {
    return train(true);
  }

  @Override
  public GELU train(boolean mode) {
    super.train(mode);
    return this;
  }

  @Override
  public GELU eval() {
    return train(false);
  }
}
