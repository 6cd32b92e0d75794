package dev.netspec.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netspec.runtime.kernels.Activation;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The allocation-free paths are taken for the operands they are for, which only allocation
 * tells (their fallbacks give the same floats): a decoder layer in eval mode with dropout set
 * (post-norm and norm first, an unbatched target too) and in training with dropout 0, and a
 * {@code reflect}- or {@code replicate}-padded convolution with a folded batch norm, whose
 * state keeps its padded input, fold and plan across calls; multi-head attention's own cases
 * are {@code AttentionPathAllocationTest} (a run that instruments {@code MultiheadAttention}
 * for coverage leaves the decoder layer's temporaries allocated, so the two are run apart).
 * JIT-dependent, so, as {@code ConvAllocationTest}, only with {@code
 * -Dnetspec.allocationTests=true}, or with {@code =paths}, which runs only these path-choice
 * tests (and {@code tensor.IntoAllocationTest}): a mutation run needs them, and the other
 * allocation tests would only add minutes to it. Each case is measured for up to 3 minutes,
 * as a loaded machine may need.
 */
class IntoPathAllocationTest {
  private static Tensor randn(long seed, int... shape) {
    return Tensor.randn(new Generator(seed), shape);
  }

  @EnabledIfSystemProperty(named = "netspec.allocationTests", matches = "true|paths",
      disabledReason = "JIT-dependent; run with -Dnetspec.allocationTests=true (or =paths)")
  @Test
  void warmDecoderLayersAllocateNothing() {
    for (boolean normFirst : new boolean[] {false, true}) {
      TransformerDecoderLayer layer =
          new TransformerDecoderLayer(16, 2, 32, 0.1, "relu", 1e-5, false, normFirst).eval();
      Tensor tgt = randn(1, 5, 2, 16);
      Tensor memory = randn(2, 7, 2, 16);
      Tensor out = Tensor.zeros(5, 2, 16);
      String what = normFirst ? "norm first" : "post-norm";
      assertEquals(0, Allocations.steadyStateBytes(
          () -> layer.forward(tgt, memory, out), 1_000, 20, 180), what);
      Tensor unbatched = randn(3, 5, 16);
      Tensor unbatchedMemory = randn(4, 7, 16);
      Tensor out2 = Tensor.zeros(5, 16);
      assertEquals(0, Allocations.steadyStateBytes(
          () -> layer.forward(unbatched, unbatchedMemory, out2), 1_000, 20, 180),
          what + ", unbatched");
    }
    // training without dropout takes the same path (dropout p = 0 changes nothing)
    TransformerDecoderLayer training =
        new TransformerDecoderLayer(16, 2, 32, 0.0, "relu", 1e-5, false, false).train();
    Tensor tgt = randn(5, 5, 2, 16);
    Tensor memory = randn(6, 7, 2, 16);
    Tensor out = Tensor.zeros(5, 2, 16);
    assertEquals(0, Allocations.steadyStateBytes(
        () -> training.forward(tgt, memory, out), 1_000, 20, 180), "training, p = 0");
  }

  @EnabledIfSystemProperty(named = "netspec.allocationTests", matches = "true|paths",
      disabledReason = "JIT-dependent; run with -Dnetspec.allocationTests=true (or =paths)")
  @Test
  void warmPaddedConvolutionsWithAFoldAllocateNothing() {
    for (String mode : new String[] {"reflect", "replicate"}) {
      Conv2d conv = new Conv2d(4, 8, 3, 1, 1, 1, 1, false, mode);
      BatchNorm2d bn = new BatchNorm2d(8);
      bn.runningMean().copy_(Tensor.rand(new Generator(4), 8));
      bn.runningVar().add_(Tensor.rand(new Generator(5), 8));
      conv.eval();
      bn.eval();
      Tensor x = randn(6, 2, 4, 10, 10);
      Tensor residual = randn(7, 2, 8, 10, 10);
      Tensor out = Tensor.zeros(2, 8, 10, 10);
      assertEquals(0, Allocations.steadyStateBytes(
          () -> conv.forwardInto(x, bn, Activation.RELU, residual, out), 1_000, 20, 180), mode);
    }
  }
}
