/**
 * Loss functions with PyTorch's names, arguments and reductions ({@code torch.nn.MSELoss},
 * {@code F.cross_entropy}, ...), forward and gradient. Each loss is one small immutable class
 * holding its arguments; {@link dev.netspec.runtime.loss.Loss#forward} computes the loss and
 * {@link dev.netspec.runtime.loss.Loss#backward} its gradient with respect to the input, so
 * a training step is {@code loss.forward(y, t)} then {@code model's backward(loss.backward(
 * Tensor.scalar(1f), y, t))}. Sums are taken in double and rounded once; an empty batch is
 * refused (PyTorch returns NaN for a mean); NaN propagates as in PyTorch.
 */
package dev.netspec.runtime.loss;
