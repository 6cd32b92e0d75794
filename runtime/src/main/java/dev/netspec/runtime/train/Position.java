package dev.netspec.runtime.train;

/**
 * Where a training run is: the next batch to take ({@code batch} of epoch {@code epoch}, both
 * 0-based), the optimizer steps taken so far, and the running sums of the epoch under way
 * (its samples' loss, correct predictions and samples seen), so that a run resumed from a
 * checkpoint reports the same epoch metrics an uninterrupted one does.
 */
public record Position(int epoch, int batch, long step, double lossSum, long correct,
    long seen) {
  /** The start of a run. */
  public static final Position START = new Position(0, 0, 0, 0, 0, 0);

  /** After one more batch of {@code samples} samples. */
  Position next(double batchLossSum, long batchCorrect, int samples) {
    return new Position(epoch, batch + 1, step + 1, lossSum + batchLossSum,
        correct + batchCorrect, seen + samples);
  }

  /** The start of the next epoch. */
  Position nextEpoch() {
    return new Position(epoch + 1, 0, step, 0, 0, 0);
  }
}
