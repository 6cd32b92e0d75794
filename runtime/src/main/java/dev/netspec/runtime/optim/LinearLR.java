package dev.netspec.runtime.optim;

/**
 * {@code LinearLR(optimizer, start_factor=1/3, end_factor=1.0, total_iters=5)}: the
 * learning rate goes linearly from {@code start_factor} to {@code end_factor} times the base
 * rate over {@code total_iters} epochs, then stays; from a small start factor, the linear
 * warm-up.
 */
public final class LinearLR extends LRScheduler {
  private final double startFactor;
  private final double endFactor;
  private final int totalIters;

  /** PyTorch's defaults. */
  public LinearLR(Optimizer optimizer) {
    this(optimizer, 1.0 / 3, 1.0, 5);
  }

  public LinearLR(Optimizer optimizer, double startFactor, double endFactor, int totalIters) {
    super(optimizer);
    if (!(startFactor > 0 && startFactor <= 1) || !(endFactor >= 0 && endFactor <= 1)) {
      throw new IllegalArgumentException("LinearLR: start_factor must be in (0, 1] and"
          + " end_factor in [0, 1], got " + startFactor + " and " + endFactor);
    }
    this.startFactor = startFactor;
    this.endFactor = endFactor;
    this.totalIters = totalIters;
    initialStep();
  }

  @Override
  protected double nextLr(int epoch, double lr, double baseLr) {
    if (epoch == 0) {
      return lr * startFactor;
    }
    if (epoch > totalIters) {
      return lr;
    }
    return lr * (1. + (endFactor - startFactor)
        / (totalIters * startFactor + (epoch - 1) * (endFactor - startFactor)));
  }
}
