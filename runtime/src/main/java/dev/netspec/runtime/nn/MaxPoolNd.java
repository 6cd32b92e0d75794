package dev.netspec.runtime.nn;

import dev.netspec.runtime.kernels.ConvGeometry;
import dev.netspec.runtime.tensor.Tensor;

/**
 * What {@link MaxPool1d} and {@link MaxPool2d} share ({@code _MaxPoolNd}): each output the
 * largest input of its window (NaN if any is NaN), padding never chosen; {@code stride}
 * defaults to {@code kernel_size}; the repr prints each size as given ({@code
 * MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=False)}). In training mode
 * the argmax of each output is kept for a backward.
 */
public abstract class MaxPoolNd extends Module {
  private final PoolArgs args;
  private final Pools.Argmax saved = new Pools.Argmax();

  MaxPoolNd(PoolArgs args) {
    this.args = args;
  }

  @Override
  public Tensor forward(Tensor x) {
    return forward(x, null);
  }

  /** Allocation-free once warm: the maxima written into {@code out} (null allocates it). */
  @Override
  public Tensor forward(Tensor x, Tensor out) {
    enterForward(); // the cached plan and the argmax buffer belong to this instance
    try {
      return Pools.max(args, x, out, isTraining() ? saved : null);
    } finally {
      exitForward();
    }
  }

  /**
   * The argmax of each output of the last forward in training mode (the flat index of its
   * input within its plane, PyTorch's {@code return_indices}), for a backward.
   */
  public int[] savedIndices() {
    return saved.indices();
  }

  /** {@code kernel_size}, one value per spatial dim. */
  public int[] kernelSize() {
    return args.kernel.clone();
  }

  /**
   * The windows of a forward on an input of shape {@code inputShape} (checked as a forward
   * would), as {@link dev.netspec.runtime.autograd.PoolGrad} reads them.
   */
  public ConvGeometry geometry(int... inputShape) {
    return args.geometry(inputShape);
  }

  @Override
  public String extraRepr() {
    return "kernel_size=" + PoolArgs.given(args.kernelGiven) + ", stride="
        + PoolArgs.given(args.strideGiven) + ", padding=" + PoolArgs.given(args.paddingGiven)
        + ", dilation=" + PoolArgs.given(args.dilationGiven) + ", ceil_mode="
        + PyFormat.bool(args.ceilMode);
  }

  // covariant returns, so that calls chain: layers keep their own type through eval()

  @Override
  public MaxPoolNd train() {
    return train(true);
  }

  @Override
  public MaxPoolNd train(boolean mode) {
    super.train(mode);
    return this;
  }

  @Override
  public MaxPoolNd eval() {
    return train(false);
  }
}
