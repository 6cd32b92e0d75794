package dev.netspec.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.autograd.GradMode;
import dev.netspec.runtime.kernels.Activation;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.lang.reflect.Field;
import org.junit.jupiter.api.Test;

/**
 * {@link ConvNd}'s own state around the convolution kernels (which have their PyTorch parity
 * tests): the sizes it refuses, PyTorch's init bounds, the accessors, which path each
 * {@code forwardInto} takes (recorded when a fresh output is recorded, folded only with both
 * layers in eval mode and running statistics, the batch norm's own forward otherwise), the
 * fold kept while its tensors are the same, and one thread at a time.
 */
class ConvEdgesTest {
  private static Tensor randn(long seed, int... shape) {
    return Tensor.randn(new Generator(seed), shape);
  }

  private static void assertClose(Tensor want, Tensor got, String what) {
    assertArrayEquals(want.shape(), got.shape(), what + ": shape");
    float[] w = want.contiguous().toFloatArray();
    float[] g = got.contiguous().toFloatArray();
    for (int i = 0; i < w.length; i++) {
      assertEquals(w[i], g[i], 1e-5 + 1e-5 * Math.abs(w[i]), what + " [" + i + "]");
    }
  }

  @Test
  void channelsMustBePositive() {
    assertEquals("in_channels and out_channels must be positive, got 0 and 3",
        assertThrows(IllegalArgumentException.class, () -> new Conv2d(0, 3, 3)).getMessage());
    assertEquals("in_channels and out_channels must be positive, got 2 and 0",
        assertThrows(IllegalArgumentException.class, () -> new Conv1d(2, 0, 3)).getMessage());
    Conv1d one = new Conv1d(1, 1, 1);
    assertEquals(1, one.inChannels());
    assertEquals(1, one.outChannels());
  }

  /** kaiming_uniform_(a=sqrt(5)) and the bias both draw from U(-1/sqrt(fan_in), 1/sqrt(fan_in)). */
  @Test
  void aNewLayerIsInitializedWithinPyTorchsBounds() {
    Conv2d conv = new Conv2d(2, 4, 3); // fan_in 2 * 3 * 3 = 18
    double bound = 1 / Math.sqrt(18);
    for (Tensor t : new Tensor[] {conv.weight.data(), conv.bias.data()}) {
      float[] v = t.toFloatArray();
      double max = 0;
      for (float f : v) {
        assertTrue(Math.abs(f) <= bound, f + " outside +-" + bound);
        max = Math.max(max, Math.abs(f));
      }
      assertTrue(max > bound / 4, "drawn, not left at zero: max |value| " + max);
    }
    assertArrayEquals(new int[] {3, 3}, conv.kernelSize());
    assertArrayEquals(new int[] {0, 0}, conv.paddingAfter());
    assertEquals("zeros", conv.paddingMode());
    Conv1d same = new Conv1d(1, 1, 4, 1, 0, 1, 1, true, "zeros");
    assertArrayEquals(new int[] {4}, same.kernelSize());
    Conv2d even = new Conv2d(1, 1, 4, 1, 0, 1, 1, true, "reflect");
    assertEquals("reflect", even.paddingMode());
  }

  /** forwardInto with no {@code out} while recording runs the recorded parts. */
  @Test
  void aFreshOutputRecordsWhenWeightOrBiasAloneNeedsAGradient() {
    Conv2d conv = new Conv2d(2, 3, 3, 1, 1);
    Tensor x = randn(1, 2, 2, 4, 4);
    Tensor g = randn(2, 2, 3, 4, 4);
    conv.weight.requiresGrad(false);
    Tensor y = conv.forwardInto(x, Activation.RELU, null);
    y.mul(g).sum().backward();
    // d/db[c] of sum(relu(conv + b) * g) = sum of g where the output is positive
    float[] want = new float[3];
    float[] yv = y.toFloatArray();
    float[] gv = g.toFloatArray();
    for (int i = 0; i < yv.length; i++) {
      if (yv[i] > 0) {
        want[i / 16 % 3] += gv[i];
      }
    }
    assertArrayEquals(want, conv.bias.grad().toFloatArray(), 1e-4f);

    Conv2d second = new Conv2d(2, 3, 3, 1, 1);
    second.bias.requiresGrad(false);
    Tensor y2 = second.forwardInto(x, Activation.NONE, null, null);
    y2.mul(g).sum().backward();
    assertTrue(second.weight.grad() != null, "the weight alone makes it record");
    // against the plain recorded forward
    Tensor w = second.weight.grad().clone();
    second.weight.setGrad(null);
    second.forward(x).mul(g).sum().backward();
    assertClose(second.weight.grad(), w, "weight gradient");
  }

  @Test
  void aFoldNeedsBothLayersInEvalAndRunningStatistics() {
    Tensor x = randn(3, 2, 2, 5, 5);
    Conv2d conv = new Conv2d(2, 3, 3, 1, 1);
    BatchNorm2d bn = new BatchNorm2d(3);
    bn.runningMean().copy_(Tensor.of(0.5f, -1f, 0.25f));
    bn.runningVar().copy_(Tensor.of(2f, 0.5f, 1f));

    // the convolution training, the norm in eval: not folded (a fold refuses training)
    conv.train();
    bn.eval();
    Tensor want;
    try (GradMode.Scope s = GradMode.noGrad()) {
      want = bn.forward(conv.forward(x));
      assertClose(want, conv.forwardInto(x, bn, Activation.NONE, null, Tensor.zeros(2, 3, 5, 5)),
          "conv training, bn eval");
      // both in eval: folded, the same values
      conv.eval();
      assertClose(want, conv.forwardInto(x, bn, Activation.NONE, null, Tensor.zeros(2, 3, 5, 5)),
          "folded");
      // the norm training: its batch statistics, and they move
      bn.train();
      long tracked = bn.numBatchesTracked().longItem();
      Tensor conv0 = conv.forward(x);
      BatchNorm2d twin = new BatchNorm2d(3);
      twin.loadStateDict(bn.stateDict(), true);
      Tensor batch = twin.forward(conv0);
      assertClose(batch, conv.forwardInto(x, bn, Activation.NONE, null, Tensor.zeros(2, 3, 5, 5)),
          "bn training");
      assertEquals(tracked + 1, bn.numBatchesTracked().longItem());
      // eval without running statistics: the batch's, never a fold
      BatchNorm2d bare = new BatchNorm2d(3, 1e-5, 0.1, true, false);
      bare.eval();
      assertClose(bare.forward(conv0),
          conv.forwardInto(x, bare, Activation.NONE, null, Tensor.zeros(2, 3, 5, 5)),
          "no running statistics");
    }
  }

  @Test
  void aFreshOutputWithATrainingNormRecords() {
    Conv2d conv = new Conv2d(2, 3, 3, 1, 1);
    conv.weight.requiresGrad(false);
    conv.bias.requiresGrad(false);
    BatchNorm2d bn = new BatchNorm2d(3); // its parameters need gradients
    Tensor x = randn(4, 2, 2, 4, 4);
    Tensor y = conv.forwardInto(x, bn, Activation.NONE, null, null);
    y.sum().backward();
    // d/d bias of sum(bn(...)) is the number of elements per channel: 2 * 4 * 4
    assertArrayEquals(new float[] {32, 32, 32}, bn.bias.grad().toFloatArray(), 1e-4f);
  }

  @Test
  void aFoldInTrainingIsRefusedAndTheFoldIsKeptWhileTheNormIsTheSame() throws Exception {
    Conv2d conv = new Conv2d(2, 3, 1);
    BatchNormFold fold = new BatchNormFold(Tensor.zeros(3), Tensor.ones(3), null, null, 1e-5);
    Tensor x = randn(5, 1, 2, 3, 3);
    assertEquals("Conv2d: a batch norm folds into a convolution only in eval mode; in training"
        + " mode run the batch norm after the convolution", assertThrows(
        IllegalStateException.class,
        () -> conv.forwardInto(x, fold, Activation.NONE, null, null)).getMessage());
    conv.eval();
    BatchNorm2d bn = new BatchNorm2d(3).eval();
    Tensor out = Tensor.zeros(1, 3, 3, 3);
    Field kept = ConvNd.class.getDeclaredField("fold");
    kept.setAccessible(true);
    conv.forwardInto(x, bn, Activation.NONE, null, out);
    Object first = kept.get(conv);
    conv.forwardInto(x, bn, Activation.NONE, null, out);
    assertSame(first, kept.get(conv), "the same norm's tensors: the same fold");
    BatchNorm2d other = new BatchNorm2d(3).eval();
    other.runningMean().fill_(1f);
    conv.forwardInto(x, other, Activation.NONE, null, out);
    assertNotSame(first, kept.get(conv), "another norm: folded anew");
    try (GradMode.Scope s = GradMode.noGrad()) {
      assertClose(other.forward(conv.forward(x)), out, "with the other norm's statistics");
    }
  }

  @Test
  void oneThreadAtATimeOnEachPath() throws Exception {
    Conv2d conv = new Conv2d(2, 3, 3, 1, 1);
    Tensor x = randn(6, 1, 2, 4, 4);
    ForwardGuards.assertGuarded(conv, () -> conv.forward(x));
    ForwardGuards.assertGuarded(conv, () -> conv.forward(x, Tensor.zeros(1, 3, 4, 4)));
  }
}
