package dev.netspec.runtime.nn;

import dev.netspec.runtime.tensor.Tensor;

/**
 * Batch normalization of {@code (N, C, H, W)} inputs over every dim but the channels
 * ({@code nn.BatchNorm2d}); see {@link BatchNorm} for the state and both modes.
 */
public final class BatchNorm2d extends BatchNorm {
  /** {@code nn.BatchNorm2d(num_features)}: eps 1e-5, momentum 0.1, affine, tracking. */
  public BatchNorm2d(int numFeatures) {
    this(numFeatures, 1e-5, 0.1, true, true);
  }

  /**
   * {@code nn.BatchNorm2d(num_features, eps, momentum, affine, track_running_stats)};
   * {@code momentum} null is a cumulative average.
   */
  public BatchNorm2d(int numFeatures, double eps, Double momentum, boolean affine,
      boolean trackRunningStats) {
    super(numFeatures, eps, momentum, affine, trackRunningStats);
  }

  @Override
  protected void checkInputDim(Tensor x) {
    if (x.dim() != 4) {
      throw new IllegalArgumentException("expected 4D input (got " + x.dim() + "D input)");
    }
  }

  // covariant returns, so that calls chain: BatchNorm2d layer = new BatchNorm2d(...).eval();

  @Override
  public BatchNorm2d train() {
    return train(true);
  }

  @Override
  public BatchNorm2d train(boolean mode) {
    super.train(mode);
    return this;
  }

  @Override
  public BatchNorm2d eval() {
    return train(false);
  }
}
