package dev.netspec.runtime.nn;

import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.util.Map;

/**
 * In training, zeroes each element with probability {@code p} and scales the others by
 * {@code 1 / (1 - p)}; in eval mode, returns its input ({@code nn.Dropout(p)}).
 *
 * <p>The masks are seeded: they come from one stream per layer, named
 * {@code <layer name>.mask} and reset by {@link Module#initialize(long)}, so a seeded
 * training run draws the same masks on every machine.
 */
public final class Dropout extends Module {
  private final double p;
  private Generator masks = ParameterSeeds.standalone().generator("mask");
  private Tensor mask;

  /** {@code nn.Dropout()}: {@code p = 0.5}. */
  public Dropout() {
    this(0.5);
  }

  /** {@code nn.Dropout(p)}. */
  public Dropout(double p) {
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException(
          "dropout probability has to be between 0 and 1, but got " + PyFormat.floatRepr(p));
    }
    this.p = p;
  }

  /** The probability of zeroing an element. */
  public double p() {
    return p;
  }

  /** Restarts the mask stream from {@code seeds}. */
  @Override
  protected void resetParameters(ParameterSeeds seeds) {
    masks = seeds.generator("mask");
  }

  @Override
  protected Map<String, Generator> localGenerators() {
    return Map.of("mask", masks);
  }

  @Override
  public Tensor forward(Tensor x) {
    if (!isTraining() || p == 0) {
      return x;
    }
    mask = Functional.dropoutMask(x.shape(), (float) p, masks);
    return Functional.dropout(x, mask);
  }

  /**
   * The mask of the last forward in training ({@code 0} where an element was dropped, {@code
   * 1 / (1 - p)} where kept; see {@link Functional#dropoutMask}), what a backward multiplies
   * by; null before the first such forward. Overwritten by the next one.
   */
  public Tensor mask() {
    return mask;
  }

  /**
   * Draws the next training mask from this layer's stream into {@code mask} (contiguous, the
   * input's shape), the draws a training {@link #forward(Tensor)} makes, and keeps it as
   * {@link #mask()}; returns it. For a training step that keeps its own buffers ({@code
   * TrainStep}); apply it as {@link Functional#dropout(Tensor, Tensor)} does.
   */
  public Tensor drawMaskInto(Tensor mask) {
    this.mask = Functional.dropoutMaskInto((float) p, masks, mask);
    return mask;
  }

  /** Allocation-free in eval mode (a copy); in training it draws a mask and allocates. */
  @Override
  public Tensor forward(Tensor x, Tensor out) {
    return isTraining() && p != 0 ? super.forward(x, out) : x.copyInto(out);
  }

  @Override
  public String extraRepr() {
    return "p=" + PyFormat.floatRepr(p) + ", inplace=False";
  }

  // covariant returns, so that calls chain: Dropout layer = new Dropout(...).eval();

  @Override
  public Dropout train() {
    return train(true);
  }

  @Override
  public Dropout train(boolean mode) {
    super.train(mode);
    return this;
  }

  @Override
  public Dropout eval() {
    return train(false);
  }
}
