package dev.netspec.spark;

import java.io.Serializable;

/**
 * What a task needs to score rows, and all that is sent to the executors: names and sizes,
 * never the weights (each executor reads them from {@code weightsPath} once).
 *
 * @param inputShape one row's shape without the batch dimension, or {@code null}: {@code (n)}
 *     from the first row's length
 */
record ScorerSpec(String modelClass, String weightsPath, String inputCol, String outputCol,
    int batchSize, int[] inputShape) implements Serializable {}
