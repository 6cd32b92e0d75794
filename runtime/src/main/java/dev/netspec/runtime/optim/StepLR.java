package dev.netspec.runtime.optim;

/**
 * {@code StepLR(optimizer, step_size, gamma=0.1)}: the learning rate is multiplied by
 * {@code gamma} every {@code step_size} epochs.
 */
public final class StepLR extends LRScheduler {
  private final int stepSize;
  private final double gamma;

  public StepLR(Optimizer optimizer, int stepSize) {
    this(optimizer, stepSize, 0.1);
  }

  public StepLR(Optimizer optimizer, int stepSize, double gamma) {
    super(optimizer);
    if (stepSize < 1) {
      throw new IllegalArgumentException("StepLR: step_size must be positive, got " + stepSize);
    }
    this.stepSize = stepSize;
    this.gamma = gamma;
    initialStep();
  }

  @Override
  protected double nextLr(int epoch, double lr, double baseLr) {
    return epoch == 0 || epoch % stepSize != 0 ? lr : lr * gamma;
  }
}
