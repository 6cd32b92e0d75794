package dev.netspec.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which pairs {@link Sequential}'s buffered forward folds. Its documented rule: a
 * {@code Conv2d} then a {@code BatchNorm2d} (or {@code Conv1d} then {@code BatchNorm1d}),
 * both in eval mode, the norm tracking running statistics, run as one call with the norm
 * folded into the filters, as a generated block runs them; anything else runs layer by layer.
 * The folded and the unfolded paths agree to rounding, so each case compares bits: against
 * the convolution's own folded call ({@code ConvNd.forwardFolded}) where the rule folds, and
 * against the two layers' buffered forwards one after the other where it does not. Each case
 * first checks that the two paths' bits differ for its input, so that it can tell them apart.
 */
class SequentialFoldTest {
  private static void randomize(BatchNorm bn, Generator gen) {
    int c = (int) bn.runningMean().numel();
    Tensor.rand(gen, c).sub_(0.5f).copyInto(bn.runningMean());
    Tensor.rand(gen, c).add_(0.5f).copyInto(bn.runningVar());
    if (bn.weight != null) {
      Tensor.rand(gen, c).add_(0.5f).copyInto(bn.weight.data());
      Tensor.rand(gen, c).copyInto(bn.bias.data());
    }
  }

  /** The pair's output through Sequential's buffered forward (its first, sizing call). */
  private static float[] buffered(ConvNd conv, BatchNorm bn, Tensor x) {
    Sequential net = new Sequential(conv, bn);
    Tensor want = net.forward(x);
    return net.forward(x, Tensor.zeros(want.shape())).toFloatArray();
  }

  private static float[] folded(ConvNd conv, BatchNorm bn, Tensor x) {
    Tensor mid = conv.forward(x);
    Tensor out = Tensor.zeros(bn.forward(mid).shape());
    return conv.forwardFolded(x, bn, out).toFloatArray();
  }

  private static float[] apart(ConvNd conv, BatchNorm bn, Tensor x) {
    Tensor mid = conv.forward(x);
    Tensor buffer = Tensor.zeros(mid.shape());
    conv.forward(x, buffer);
    return bn.forward(buffer, Tensor.zeros(mid.shape())).toFloatArray();
  }

  private static void assertPathsDiffer(ConvNd conv, BatchNorm bn, Tensor x) {
    assertFalse(Arrays.equals(folded(conv, bn, x), apart(conv, bn, x)),
        "this input gives the folded and the unfolded path the same bits");
  }

  @Test
  void aConv2dThenBatchNorm2dInEvalModeRunsFolded() {
    Generator gen = new Generator(7);
    Conv2d conv = new Conv2d(8, 16, 3, 1, 1, 1, 1, true, "zeros");
    BatchNorm2d bn = new BatchNorm2d(16);
    randomize(bn, gen);
    conv.eval();
    bn.eval();
    Tensor x = Tensor.randn(gen, 2, 8, 7, 7);
    assertPathsDiffer(conv, bn, x);
    assertArrayEquals(folded(conv, bn, x), buffered(conv, bn, x));
  }

  @Test
  void aConv1dThenBatchNorm1dInEvalModeRunsFolded() {
    Generator gen = new Generator(8);
    Conv1d conv = new Conv1d(8, 16, 3, 1, 1);
    BatchNorm1d bn = new BatchNorm1d(16);
    randomize(bn, gen);
    conv.eval();
    bn.eval();
    Tensor x = Tensor.randn(gen, 2, 8, 31);
    assertPathsDiffer(conv, bn, x);
    assertArrayEquals(folded(conv, bn, x), buffered(conv, bn, x));
  }

  /**
   * A norm without running statistics normalizes by the batch's own, even in eval mode: no
   * fold (one would use the untouched running statistics, zeros and ones).
   */
  @Test
  void aNormWithoutRunningStatisticsRunsApart() {
    Generator gen = new Generator(9);
    Conv2d conv = new Conv2d(8, 16, 3, 1, 1, 1, 1, true, "zeros");
    BatchNorm2d bn = new BatchNorm2d(16, 1e-5, 0.1, true, false);
    conv.eval();
    bn.eval();
    Tensor x = Tensor.randn(gen, 2, 8, 7, 7);
    assertArrayEquals(apart(conv, bn, x), buffered(conv, bn, x));
  }

  @Test
  void applyAndAppendReturnTheSequentialAndAppendNamesByPosition() {
    Sequential net = new Sequential(new ReLU());
    List<Module> seen = new ArrayList<>();
    assertSame(net, net.apply(seen::add));
    assertEquals(List.of(net.get(0), net), seen); // children first, then the module itself
    assertSame(net, net.append(2, i -> new Linear(i + 1, 2)));
    assertEquals(List.of("0", "1", "2"), new ArrayList<>(net.namedChildren().keySet()));
    assertEquals(1, net.get(1, Linear.class).inFeatures());
    assertEquals(2, net.get(2, Linear.class).inFeatures());
  }
}
