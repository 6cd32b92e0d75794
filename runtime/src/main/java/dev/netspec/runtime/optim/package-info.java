/**
 * Optimizers, gradient clipping and learning-rate schedules with PyTorch's names, update
 * rules, arguments and defaults ({@code torch.optim}): {@link dev.netspec.runtime.optim.SGD},
 * {@link dev.netspec.runtime.optim.Adam}, {@link dev.netspec.runtime.optim.AdamW}, {@link
 * dev.netspec.runtime.optim.RMSprop} over parameter groups, {@link
 * dev.netspec.runtime.optim.ClipGrad#clipGradNorm}, and {@link
 * dev.netspec.runtime.optim.StepLR}, {@link dev.netspec.runtime.optim.CosineAnnealingLR},
 * {@link dev.netspec.runtime.optim.LinearLR} (linear warm-up). Each update is one fused pass
 * per parameter ({@link dev.netspec.runtime.kernels.Updates}); optimizer and schedule state
 * round-trips through {@code stateDict()} / {@code loadStateDict()} for checkpoints.
 */
package dev.netspec.runtime.optim;
