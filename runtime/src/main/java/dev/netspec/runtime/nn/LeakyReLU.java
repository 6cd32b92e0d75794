package dev.netspec.runtime.nn;

import dev.netspec.runtime.tensor.Tensor;

/**
 * {@code x} where {@code x >= 0}, else {@code negative_slope * x}, elementwise ({@code
 * nn.LeakyReLU}).
 */
public final class LeakyReLU extends Module {
  private final double negativeSlope;
  private final boolean inplace;

  /** {@code nn.LeakyReLU()}: {@code negative_slope = 0.01}. */
  public LeakyReLU() {
    this(0.01);
  }

  /** {@code nn.LeakyReLU(negative_slope)}. */
  public LeakyReLU(double negativeSlope) {
    this(negativeSlope, false);
  }

  /**
   * {@code nn.LeakyReLU(negative_slope, inplace)}: {@code inplace} only changes the repr;
   * {@link #forward(Tensor)} returns a new tensor either way.
   */
  public LeakyReLU(double negativeSlope, boolean inplace) {
    this.negativeSlope = negativeSlope;
    this.inplace = inplace;
  }

  /** The slope for negative inputs. */
  public double negativeSlope() {
    return negativeSlope;
  }

  /** Whether it was built with {@code inplace=True}. */
  public boolean inplace() {
    return inplace;
  }

  /** {@link Functional#leakyRelu}, recorded for autograd. */
  @Override
  public Tensor forward(Tensor x) {
    return Functional.leakyRelu(x, (float) negativeSlope);
  }

  /** Allocation-free: writes into {@code out} (which may also be {@code x} itself). */
  @Override
  public Tensor forward(Tensor x, Tensor out) {
    return Functional.leakyReluInto(x, (float) negativeSlope, out);
  }

  @Override
  public String extraRepr() {
    return "negative_slope=" + PyFormat.floatRepr(negativeSlope) + (inplace ? ", inplace=True" : "");
  }

  // covariant returns, so that calls chain: LeakyReLU layer = new LeakyReLU(0.2).eval();

  @Override
  public LeakyReLU train() {
    return train(true);
  }

  @Override
  public LeakyReLU train(boolean mode) {
    super.train(mode);
    return this;
  }

  @Override
  public LeakyReLU eval() {
    return train(false);
  }
}
