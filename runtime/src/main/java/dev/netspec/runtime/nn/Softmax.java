package dev.netspec.runtime.nn;

import dev.netspec.runtime.tensor.Tensor;

/** {@code exp(x) / sum(exp(x))} along one dim ({@code nn.Softmax(dim)}). */
public final class Softmax extends Module {
  private final int dim;

  /** {@code nn.Softmax(dim)}; a negative dim counts from the end. */
  public Softmax(int dim) {
    this.dim = dim;
  }

  /** The dim the values sum to 1 along. */
  public int dim() {
    return dim;
  }

  @Override
  public Tensor forward(Tensor x) {
    return Functional.softmax(x, dim);
  }

  /** Allocation-free over the last dim of contiguous tensors. */
  @Override
  public Tensor forward(Tensor x, Tensor out) {
    return x.softmaxInto(dim, out);
  }

  @Override
  public String extraRepr() {
    return "dim=" + dim;
  }

  // covariant returns, so that calls chain: Softmax layer = new Softmax(...).eval();

  @Override
  public Softmax train() {
    return train(true);
  }

  @Override
  public Softmax train(boolean mode) {
    super.train(mode);
    return this;
  }

  @Override
  public Softmax eval() {
    return train(false);
  }
}
