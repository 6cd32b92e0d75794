/**
 * Training: the loop ({@link dev.netspec.runtime.train.Trainer}: seeded shuffled batches,
 * zeroGrad, forward, loss, backward, optimizer and schedule steps, validation), its
 * checkpoints ({@link dev.netspec.runtime.train.Checkpoint}: model, optimizer, schedule,
 * position and random streams in one atomically written safetensors file, so that a resumed
 * run ends bit-identical to an uninterrupted one) and its metrics as CSV and an SVG chart
 * ({@link dev.netspec.runtime.train.MetricsLog}).
 */
package dev.netspec.runtime.train;
