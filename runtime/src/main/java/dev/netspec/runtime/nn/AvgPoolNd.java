package dev.netspec.runtime.nn;

import dev.netspec.runtime.kernels.ConvGeometry;
import dev.netspec.runtime.tensor.Tensor;

/**
 * What {@link AvgPool1d} and {@link AvgPool2d} share ({@code _AvgPoolNd}): each output the sum
 * of its window divided by {@code divisor_override} if given, else by the window's size ({@code
 * count_include_pad}, the default: padding counts, a window past the padding in {@code
 * ceil_mode} does not) or by the number of inputs in it; a window with no input gives 0.
 */
public abstract class AvgPoolNd extends Module {
  final PoolArgs args;
  private final boolean countIncludePad;
  private final int divisor;

  AvgPoolNd(PoolArgs args, boolean countIncludePad, int divisor) {
    this.args = args;
    this.countIncludePad = countIncludePad;
    this.divisor = divisor;
  }

  @Override
  public Tensor forward(Tensor x) {
    return forward(x, null);
  }

  /** Allocation-free: the averages written into {@code out} (null allocates it). */
  @Override
  public Tensor forward(Tensor x, Tensor out) {
    enterForward(); // the cached plan belongs to this instance
    try {
      return Pools.avg(args, x, out, countIncludePad, divisor);
    } finally {
      exitForward();
    }
  }

  /** {@code count_include_pad}. */
  public boolean countIncludePad() {
    return countIncludePad;
  }

  /** {@code divisor_override}, 0 when not given. */
  public int divisorOverride() {
    return divisor;
  }

  /**
   * The windows of a forward on an input of shape {@code inputShape} (checked as a forward
   * would), as {@link dev.netspec.runtime.autograd.PoolGrad} reads them.
   */
  public ConvGeometry geometry(int... inputShape) {
    return args.geometry(inputShape);
  }

  // covariant returns, so that layers keep their own type through eval()

  @Override
  public AvgPoolNd train() {
    return train(true);
  }

  @Override
  public AvgPoolNd train(boolean mode) {
    super.train(mode);
    return this;
  }

  @Override
  public AvgPoolNd eval() {
    return train(false);
  }
}
