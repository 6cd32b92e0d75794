package dev.netspec.runtime.train;

/**
 * One optimizer step's results: the batch's mean loss, its accuracy (NaN when the targets
 * are not class indices) and the learning rate the step used. {@code step} counts from 1
 * over the whole run; {@code epoch} and {@code batch} are 0-based, of {@code batches}.
 */
public record StepMetrics(long step, int epoch, int batch, int batches, int samples,
    double loss, double accuracy, double lr) {}
