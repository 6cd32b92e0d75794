package dev.netspec.runtime.nn;

import dev.netspec.runtime.tensor.Tensor;

/** Merges dims {@code start_dim..end_dim} into one ({@code nn.Flatten}). */
public final class Flatten extends Module {
  private final int startDim;
  private final int endDim;

  /** {@code nn.Flatten()}: keeps the batch dim, flattens the rest. */
  public Flatten() {
    this(1, -1);
  }

  /** {@code nn.Flatten(start_dim, end_dim)}; negative dims count from the end. */
  public Flatten(int startDim, int endDim) {
    this.startDim = startDim;
    this.endDim = endDim;
  }

  @Override
  public Tensor forward(Tensor x) {
    return x.flatten(startDim, endDim);
  }

  /** Allocation-free for contiguous tensors: the values copied in row-major order. */
  @Override
  public Tensor forward(Tensor x, Tensor out) {
    return x.flattenInto(startDim, endDim, out);
  }

  @Override
  public String extraRepr() {
    return "start_dim=" + startDim + ", end_dim=" + endDim;
  }

  // covariant returns, so that calls chain: Flatten layer = new Flatten(...).eval();

  @Override
  public Flatten train() {
    return train(true);
  }

  @Override
  public Flatten train(boolean mode) {
    super.train(mode);
    return this;
  }

  @Override
  public Flatten eval() {
    return train(false);
  }
}
