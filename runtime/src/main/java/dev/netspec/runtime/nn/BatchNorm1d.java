package dev.netspec.runtime.nn;

import dev.netspec.runtime.tensor.Tensor;

/**
 * Batch normalization of {@code (N, C)} or {@code (N, C, L)} inputs over every dim but the
 * channels ({@code nn.BatchNorm1d}); see {@link BatchNorm} for the state and both modes.
 */
public final class BatchNorm1d extends BatchNorm {
  /** {@code nn.BatchNorm1d(num_features)}: eps 1e-5, momentum 0.1, affine, tracking. */
  public BatchNorm1d(int numFeatures) {
    this(numFeatures, 1e-5, 0.1, true, true);
  }

  /**
   * {@code nn.BatchNorm1d(num_features, eps, momentum, affine, track_running_stats)};
   * {@code momentum} null is a cumulative average.
   */
  public BatchNorm1d(int numFeatures, double eps, Double momentum, boolean affine,
      boolean trackRunningStats) {
    super(numFeatures, eps, momentum, affine, trackRunningStats);
  }

  @Override
  protected void checkInputDim(Tensor x) {
    if (x.dim() != 2 && x.dim() != 3) {
      throw new IllegalArgumentException("expected 2D or 3D input (got " + x.dim() + "D input)");
    }
  }

  // covariant returns, so that calls chain: BatchNorm1d layer = new BatchNorm1d(...).eval();

  @Override
  public BatchNorm1d train() {
    return train(true);
  }

  @Override
  public BatchNorm1d train(boolean mode) {
    super.train(mode);
    return this;
  }

  @Override
  public BatchNorm1d eval() {
    return train(false);
  }
}
