package dev.netspec.runtime.nn;

import dev.netspec.runtime.tensor.Tensor;

/** {@code log(softmax(x))} along one dim, computed stably ({@code nn.LogSoftmax(dim)}). */
public final class LogSoftmax extends Module {
  private final int dim;

  /** {@code nn.LogSoftmax(dim)}; a negative dim counts from the end. */
  public LogSoftmax(int dim) {
    this.dim = dim;
  }

  /** The dim the softmax normalizes along. */
  public int dim() {
    return dim;
  }

  @Override
  public Tensor forward(Tensor x) {
    return Functional.logSoftmax(x, dim);
  }

  /** Allocation-free over the last dim of contiguous tensors. */
  @Override
  public Tensor forward(Tensor x, Tensor out) {
    return x.logSoftmaxInto(dim, out);
  }

  @Override
  public String extraRepr() {
    return "dim=" + dim;
  }

  // covariant returns, so that calls chain: LogSoftmax layer = new LogSoftmax(...).eval();

  @Override
  public LogSoftmax train() {
    return train(true);
  }

  @Override
  public LogSoftmax train(boolean mode) {
    super.train(mode);
    return this;
  }

  @Override
  public LogSoftmax eval() {
    return train(false);
  }
}
