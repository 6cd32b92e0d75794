package dev.netspec.runtime.train;

/**
 * One epoch's results: the mean training loss and accuracy over its samples (as they were
 * during the epoch, in training mode), the validation loss and accuracy in eval mode (NaN
 * without validation data; accuracies are NaN when the targets are not class indices), the
 * learning rate the epoch used and its wall-clock seconds. {@code epoch} counts from 1.
 */
public record EpochMetrics(int epoch, double trainLoss, double trainAccuracy,
    double validationLoss, double validationAccuracy, double lr, double seconds) {}
