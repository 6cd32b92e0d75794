package dev.netspec.runtime.nn;

import dev.netspec.runtime.tensor.Tensor;

/**
 * What the adaptive poolings share: the output size is fixed and the windows follow from the
 * input's, PyTorch's {@code start = floor(i * in / out)}, {@code end = ceil((i + 1) * in /
 * out)} (they overlap when the sizes do not divide). Prints {@code output_size} as given:
 * {@code AdaptiveAvgPool2d(output_size=(1, 1))} or {@code AdaptiveAvgPool2d(output_size=1)}.
 */
public abstract class AdaptivePoolNd extends Module {
  private final boolean max;
  private final String op;
  private final int dims;
  private final int[] given;
  private final int[] size;
  private final Pools.Argmax saved;

  AdaptivePoolNd(boolean max, String op, int dims, int[] outputSize) {
    this.max = max;
    this.op = op;
    this.dims = dims;
    this.given = outputSize.clone();
    this.size = Pools.outputSize(op, dims, outputSize);
    this.saved = max ? new Pools.Argmax() : null;
  }

  /** {@code output_size}, one value per spatial dim. */
  public int[] outputSize() {
    return size.clone();
  }

  /** Whether this is a max pooling (else an average). */
  public boolean isMax() {
    return max;
  }

  @Override
  public Tensor forward(Tensor x) {
    return forward(x, null);
  }

  /** Allocation-free once warm: written into {@code out} (null allocates it). */
  @Override
  public Tensor forward(Tensor x, Tensor out) {
    enterForward(); // the argmax buffer belongs to this instance
    try {
      return Pools.adaptive(max, op, dims, size, x, out, max && isTraining() ? saved : null);
    } finally {
      exitForward();
    }
  }

  /** The argmax of each output of the last forward in training mode (max pooling only). */
  public int[] savedIndices() {
    return saved == null ? null : saved.indices();
  }

  @Override
  public String extraRepr() {
    return "output_size=" + PoolArgs.given(given);
  }

  // covariant returns, so that calls chain: layers keep their own type through eval()

  @Override
  public AdaptivePoolNd train() {
    return train(true);
  }

  @Override
  public AdaptivePoolNd train(boolean mode) {
    super.train(mode);
    return this;
  }

  @Override
  public AdaptivePoolNd eval() {
    return train(false);
  }
}
