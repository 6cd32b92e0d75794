package dev.netspec.runtime.optim;

/**
 * {@code CosineAnnealingLR(optimizer, T_max, eta_min=0)}: the learning rate follows half a
 * cosine from the base rate down to {@code eta_min} over {@code T_max} epochs (and back up
 * after, as PyTorch's recursive form does).
 */
public final class CosineAnnealingLR extends LRScheduler {
  private final int tMax;
  private final double etaMin;

  public CosineAnnealingLR(Optimizer optimizer, int tMax) {
    this(optimizer, tMax, 0);
  }

  public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin) {
    super(optimizer);
    if (tMax < 1) {
      throw new IllegalArgumentException("CosineAnnealingLR: T_max must be positive, got "
          + tMax);
    }
    this.tMax = tMax;
    this.etaMin = etaMin;
    initialStep();
  }

  @Override
  protected double nextLr(int epoch, double lr, double baseLr) {
    if (epoch == 0) {
      return lr;
    }
    if (Math.floorMod(epoch - 1 - tMax, 2 * tMax) == 0) {
      return lr + (baseLr - etaMin) * (1 - Math.cos(Math.PI / tMax)) / 2;
    }
    return (1 + Math.cos(Math.PI * epoch / tMax)) / (1 + Math.cos(Math.PI * (epoch - 1) / tMax))
        * (lr - etaMin) + etaMin;
  }
}
