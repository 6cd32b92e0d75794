package dev.netspec.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netspec.runtime.kernels.Activation;
import dev.netspec.runtime.kernels.Kernels;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A warm forward into a caller's buffer allocates nothing: a ResNet-style stage (3x3
 * convolutions with fused ReLU, a strided one, a 1x1, a depthwise one, max and adaptive
 * pooling, a batch norm folded into a convolution that adds a residual, 3x3s on 32, 64 and 128
 * channels), in eval mode, on one kernel thread. Whether the JIT removes every temporary depends
 * on what it inlines, so, as in {@code BufferedForwardTest}, this runs only with {@code
 * -Dnetspec.allocationTests=true}.
 */
class ConvAllocationTest {
  @EnabledIfSystemProperty(named = "netspec.allocationTests", matches = "true",
      disabledReason = "JIT-dependent; run with -Dnetspec.allocationTests=true")
  @Test
  void warmConvolutionsAndPoolingsAllocateNothing() {
    Conv2d stem = new Conv2d(3, 16, 7, 2, 3);
    MaxPool2d pool = new MaxPool2d(3, 2, 1);
    Conv2d conv = new Conv2d(16, 16, 3, 1, 1);
    Conv2d down = new Conv2d(16, 32, 3, 2, 1);
    Conv2d pointwise = new Conv2d(32, 32, 1);
    Conv2d depthwise = new Conv2d(32, 32, 3, 1, 1, 1, 32, true, "zeros");
    // 32 channels: whole strips of output channels with 512-bit vectors too, so the direct
    // kernel runs there (16 channels take it only with 256 bits), 32 positions: whole tiles
    // of its way out (kernels/StripBlocks).
    Conv2d wide = new Conv2d(32, 32, 3, 1, 1);
    // 64 and 128 channels on rows of 8 and 7: strips within a row, whose six positions are
    // evenly spaced, take the copies with constant distances (ConvStrips.pairedSpaced with
    // 512-bit vectors, the wide tile's WideStrips.spaced128); 49 positions leave the wide
    // tile's last strip one position (WideStrips.position).
    Conv2d c64 = new Conv2d(64, 64, 3, 1, 1);
    Conv2d c128 = new Conv2d(128, 128, 3, 1, 1);
    Conv2d block = new Conv2d(16, 16, 3, 1, 1, 1, 1, false, "zeros");
    BatchNorm2d bn = new BatchNorm2d(16);
    bn.runningMean().copy_(Tensor.rand(new Generator(4), 16));
    bn.runningVar().add_(Tensor.rand(new Generator(5), 16));
    AdaptiveAvgPool2d head = new AdaptiveAvgPool2d(1, 1);
    Module[] layers = {stem, pool, conv, block, bn, down, pointwise, depthwise, wide, head, c64,
        c128};
    for (Module m : layers) {
      m.eval();
    }
    Tensor x = Tensor.rand(new Generator(3), 2, 3, 32, 32);
    Tensor a = Tensor.zeros(2, 16, 16, 16);
    Tensor b = Tensor.zeros(2, 16, 8, 8);
    Tensor c = Tensor.zeros(2, 16, 8, 8);
    Tensor r = Tensor.zeros(2, 16, 8, 8);
    Tensor d = Tensor.zeros(2, 32, 4, 4);
    Tensor e = Tensor.zeros(2, 32, 4, 4);
    Tensor f = Tensor.zeros(2, 32, 4, 4);
    Tensor h = Tensor.zeros(2, 32, 4, 4);
    Tensor g = Tensor.zeros(2, 32, 1, 1);
    Tensor x64 = Tensor.rand(new Generator(6), 1, 64, 8, 8);
    Tensor y64 = Tensor.zeros(1, 64, 8, 8);
    Tensor x128 = Tensor.rand(new Generator(7), 1, 128, 7, 7);
    Tensor y128 = Tensor.zeros(1, 128, 7, 7);
    Runnable forward = () -> {
      stem.forwardInto(x, Activation.RELU, a);
      pool.forward(a, b);
      conv.forwardInto(b, Activation.RELU, c);
      block.forwardInto(c, bn, Activation.RELU, b, r); // relu(bn(block(c)) + b)
      down.forwardInto(r, Activation.RELU, d);
      pointwise.forwardInto(d, Activation.NONE, e);
      depthwise.forwardInto(e, Activation.RELU, f);
      wide.forwardInto(f, Activation.RELU, h);
      head.forward(h, g);
      c64.forwardInto(x64, Activation.RELU, y64);
      c128.forwardInto(x128, Activation.RELU, y128);
    };
    assertEquals(0, Allocations.steadyStateBytes(forward, 5_000, 100));
  }

  /**
   * On two kernel threads a batch of two images a thread and more is split into units of
   * whole images (kernels/DirectConv's Split): a warm call allocates nothing on the calling
   * thread, which takes units too.
   */
  @EnabledIfSystemProperty(named = "netspec.allocationTests", matches = "true",
      disabledReason = "JIT-dependent; run with -Dnetspec.allocationTests=true")
  @Test
  void warmConvolutionSplitByImagesAllocatesNothing() {
    int before = Kernels.threads();
    try {
      Kernels.setThreads(2);
      Conv2d conv = new Conv2d(32, 32, 3, 1, 1);
      Conv2d down = new Conv2d(32, 32, 3, 2, 1);
      conv.eval();
      down.eval();
      Tensor x = Tensor.rand(new Generator(6), 5, 32, 24, 24); // units of 1 image, 21 M MACs
      Tensor y = Tensor.zeros(5, 32, 24, 24);
      Tensor z = Tensor.zeros(5, 32, 12, 12);
      Runnable forward = () -> {
        conv.forwardInto(x, Activation.RELU, y);
        down.forwardInto(y, Activation.RELU, z);
      };
      assertEquals(0, Allocations.steadyStateBytes(forward, 2_000, 50));
    } finally {
      Kernels.setThreads(before);
    }
  }
}
