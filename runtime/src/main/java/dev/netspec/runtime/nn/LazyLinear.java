package dev.netspec.runtime.nn;

import dev.netspec.runtime.tensor.Tensor;
import java.util.Arrays;

/**
 * A {@link Linear} whose {@code in_features} is learned from the first input
 * ({@code nn.LazyLinear}). Until then its parameters are uninitialized, its repr is
 * {@code LazyLinear(in_features=0, out_features=10, bias=True)} and {@link #stateDict()}
 * refuses with a clear message. The first forward (or a loaded state dict) gives the
 * parameters their shapes; from the first forward on it prints as {@code Linear(...)}, as
 * PyTorch's {@code cls_to_become}, and {@code instanceof Linear} holds throughout.
 *
 * <p>The random init waits for the shapes: {@link Module#initialize(long)} before the first
 * forward only records the streams, and the first forward draws from them, so a lazy layer
 * gets exactly the weights an eager one of the same shape and name would get.
 */
public final class LazyLinear extends Linear {
  private ParameterSeeds seeds = ParameterSeeds.standalone();
  /** Whether the parameters have their shapes and values (set once, by any thread). */
  private volatile boolean ready;

  /** {@code nn.LazyLinear(out)}: with a bias. */
  public LazyLinear(int outFeatures) {
    this(outFeatures, true);
  }

  /** {@code nn.LazyLinear(out, bias)}. */
  public LazyLinear(int outFeatures, boolean bias) {
    super(0, outFeatures, bias, false);
  }

  /** Whether the first forward (or a state dict) has given the parameters their shapes. */
  public boolean isMaterialized() {
    return weight.isMaterialized() && (bias == null || bias.isMaterialized());
  }

  @Override
  public Tensor forward(Tensor x) {
    if (!ready) {
      firstForward(x);
    }
    return super.forward(x);
  }

  @Override
  public Tensor forward(Tensor x, Tensor out) {
    return ready ? super.forward(x, out) : forward(x).copyInto(out);
  }

  /** Materializes from the first input, once even if threads race to the first forward. */
  private synchronized void firstForward(Tensor x) {
    if (!weight.isMaterialized()) {
      if (x.dim() == 0) {
        throw new IllegalArgumentException(
            "LazyLinear: expected an input with at least 1 dim, got a scalar");
      }
      materialize(x.size(-1));
    }
    ready = true;
  }

  /** Gives every uninitialized parameter its shape and draws it from the recorded streams. */
  private void materialize(int in) {
    if (!weight.isMaterialized()) {
      setInFeatures(in);
      weight.materialize(outFeatures(), in);
      initWeight(weight, seeds.generator("weight"));
    }
    if (bias != null && !bias.isMaterialized()) {
      bias.materialize(outFeatures());
      initBias(bias, in, seeds.generator("bias"));
    }
  }

  @Override
  protected void resetParameters(ParameterSeeds seeds) {
    this.seeds = seeds;
    if (isMaterialized()) {
      super.resetParameters(seeds);
    }
  }

  @Override
  protected String lazyShapeProblem(String localName, int[] shape) {
    boolean ok = localName.equals("weight")
        ? shape.length == 2 && shape[0] == outFeatures()
        : shape.length == 1 && shape[0] == outFeatures();
    return ok ? null : "expected " + (localName.equals("weight")
        ? "[" + outFeatures() + ", in_features]" : "[" + outFeatures() + "]")
        + ", got " + Arrays.toString(shape);
  }

  /**
   * A loaded weight gives a bias it lacked the fan-in to be drawn with. As in PyTorch 1.13,
   * loading sets neither {@code in_features} (it stays 0) nor the class: the layer prints as
   * {@code LazyLinear(in_features=0, ...)} until its first forward, then as
   * {@code Linear(in_features=0, ...)}.
   */
  @Override
  protected void afterLoadStateDict() {
    if (weight.isMaterialized()) {
      materialize(weight.data().size(1));
    }
  }

  /** {@code Linear} from the first forward on (PyTorch's {@code cls_to_become}). */
  @Override
  protected String typeName() {
    return ready ? "Linear" : "LazyLinear";
  }

  // covariant returns, so that calls chain: LazyLinear layer = new LazyLinear(...).eval();

  @Override
  public LazyLinear train() {
    return train(true);
  }

  @Override
  public LazyLinear train(boolean mode) {
    super.train(mode);
    return this;
  }

  @Override
  public LazyLinear eval() {
    return train(false);
  }
}
