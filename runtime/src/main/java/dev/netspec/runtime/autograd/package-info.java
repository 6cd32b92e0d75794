/**
 * The home of the backward pass: the tape ({@link dev.netspec.runtime.autograd.Node}, {@link
 * dev.netspec.runtime.autograd.Engine}, {@link dev.netspec.runtime.autograd.GradMode}: the
 * operations record while grad mode is on and an input requires grad, and {@code backward()}
 * runs their derivatives in reverse), and per op family the derivative kernels and the
 * {@code record...} functions the operations call, each beside the forward it differentiates
 * ({@code LinearGrad} for {@code F.linear}, {@code ActivationGrad} for relu/gelu/tanh/sigmoid, {@code SoftmaxGrad},
 * {@code LayerNormGrad}, {@code BroadcastGrad} for add/sub/mul/div, {@code MatMulGrad},
 * {@code ViewGrad} for views, split, cat and stack, {@code MaskGrad} for masks,
 * {@code UnaryGrad} for exp/log/abs/neg/sqrt/pow and constant factors, {@code ReductionGrad}
 * for sum/mean; for the layers {@code ConvGrad}, {@code PoolGrad}, {@code BatchNormGrad},
 * {@code GroupNormGrad}, {@code EmbeddingGrad}, {@code DropoutGrad}, {@code AttentionGrad}, {@code RecurrentGrad}).
 *
 * <p>Conventions, the same in every file:
 *
 * <ul>
 *   <li>A function named after an input ({@code input}, {@code weight}, {@code other})
 *       returns d L / d that input given {@code gradOutput} (d L / d y, y's shape) and the
 *       forward values it names (the input {@code x} or the output {@code y}, whichever
 *       PyTorch's derivative reads); it never edits its arguments. The {@code ...Into}
 *       variants write into a caller-owned contiguous tensor of the result's shape.
 *   <li>Gradients of parameters accumulate, as in PyTorch: {@link Grads#accumulate} adds
 *       into {@link dev.netspec.runtime.nn.Parameter#grad()} (sets it at the first use), so
 *       a parameter used twice (a shared layer, a tied weight) gets the sum of both uses; a
 *       parameter with {@code requiresGrad(false)} is skipped. Buffers are plain tensors and
 *       never get a gradient.
 *   <li>Gradients of activations do not accumulate: when a generated backward reaches a
 *       variable from two uses it adds the two results itself.
 * </ul>
 *
 * <p>Every function is checked against PyTorch's autograd ({@code
 * tools/fixtures/grad_fixtures.py}, {@code grad_layer_fixtures.py}) and against
 * double-precision central differences.
 */
package dev.netspec.runtime.autograd;
