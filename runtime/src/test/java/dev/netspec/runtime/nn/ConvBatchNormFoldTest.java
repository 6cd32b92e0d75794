package dev.netspec.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import dev.netspec.runtime.kernels.Activation;
import dev.netspec.runtime.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * A batch norm folded into the convolution before it ({@link ConvNd#forwardInto(Tensor,
 * BatchNormFold, Activation, Tensor, Tensor)}) and the residual operand, against PyTorch 1.13
 * ({@code tools/fixtures/conv_bn_fixtures.py}, {@code conv_bn.json}): {@code bn(conv(x))} in
 * eval mode, {@code relu(bn(conv(x)) + identity)}, the result after the statistics, the batch
 * norm's weight and the filters were edited in place, and after a training forward moved the
 * running statistics; each single edit against the unfused composition computed by hand; the
 * state dict untouched; training mode refused. With the {@link BatchNorm} layer: folded in
 * eval mode, run apart (batch statistics, running ones updated) in training mode.
 */
class ConvBatchNormFoldTest {
  private static final Map<String, Object> FIXTURE = Fixtures.load("conv_bn.json");

  @TestFactory
  Stream<DynamicTest> foldedForwardMatchesPyTorch() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Object o : Fixtures.list(FIXTURE.get("cases"))) {
      Map<String, Object> c = Fixtures.map(o);
      tests.add(DynamicTest.dynamicTest(c.get("kind") + " " + c.get("conv") + " + "
          + c.get("bn"), () -> check(c)));
    }
    return tests.stream();
  }

  /** A case's layers: the convolution (loaded, eval mode) and the batch norm's tensors. */
  private record Pair(ConvNd conv, Tensor mean, Tensor var, Tensor weight, Tensor bias,
      BatchNormFold fold) {}

  private static Pair load(Map<String, Object> c) {
    ConvNd conv = (ConvNd) ConvLayersTest.build((String) c.get("kind"),
        Fixtures.map(c.get("conv")));
    Map<String, Tensor> params = new LinkedHashMap<>();
    Fixtures.map(c.get("convState")).forEach((k, v) -> params.put(k, Fixtures.tensor(v)));
    conv.loadStateDict(params, true);
    conv.eval();
    Map<String, Object> bn = Fixtures.map(c.get("bnState"));
    Tensor mean = Fixtures.tensor(bn.get("running_mean"));
    Tensor var = Fixtures.tensor(bn.get("running_var"));
    Tensor weight = bn.containsKey("weight") ? Fixtures.tensor(bn.get("weight")) : null;
    Tensor bias = bn.containsKey("bias") ? Fixtures.tensor(bn.get("bias")) : null;
    double eps = ((Number) Fixtures.map(c.get("bn")).getOrDefault("eps", 1e-5)).doubleValue();
    return new Pair(conv, mean, var, weight, bias,
        new BatchNormFold(mean, var, weight, bias, eps));
  }

  private static void check(Map<String, Object> c) {
    Pair p = load(c);
    Tensor x = Fixtures.tensor(c.get("x"));
    Tensor identity = Fixtures.tensor(c.get("identity"));
    Tensor want = Fixtures.tensor(c.get("eval"));
    Tensor weightBefore = p.conv.weight.data().clone();
    Tensor out = Tensor.full(Float.NaN, want.shape());
    assertSame(out, p.conv.forwardInto(x, p.fold, Activation.NONE, null, out));
    assertClose(want, out, "bn(conv(x))");
    assertClose(Fixtures.tensor(c.get("evalRelu")),
        p.conv.forwardInto(x, p.fold, Activation.RELU, identity, out),
        "relu(bn(conv(x)) + identity)");
    assertArrayEquals(weightBefore.toFloatArray(), p.conv.weight.data().toFloatArray(),
        "the fold leaves the convolution's weight as it was");
    p.conv.forwardInto(x, Activation.NONE, null, out); // unfolded: repacks
    assertClose(want, p.conv.forwardInto(x, p.fold, Activation.NONE, null, out),
        "folded again after an unfolded forward");

    // In-place edits, as PyTorch's script made them: every one must refold.
    p.mean.add_(0.5f);
    p.var.mul_(2f);
    if (p.weight != null) {
      p.weight.add_(-0.25f);
    }
    p.conv.weight.data().mul_(-1f);
    assertClose(Fixtures.tensor(c.get("edited")),
        p.conv.forwardInto(x, p.fold, Activation.NONE, null, out), "after in-place edits");

    // A training forward moved the running statistics; back in eval mode they fold anew.
    p.conv.train();
    assertThrows(IllegalStateException.class,
        () -> p.conv.forwardInto(x, p.fold, Activation.NONE, null, out));
    p.conv.eval();
    p.mean.copy_(Fixtures.tensor(c.get("runningMean")));
    p.var.copy_(Fixtures.tensor(c.get("runningVar")));
    assertClose(Fixtures.tensor(c.get("afterTrain")),
        p.conv.forwardInto(x, p.fold, Activation.NONE, null, out), "after train() and eval()");
  }

  /**
   * The same cases with the {@link BatchNorm} layer itself: folded with both in eval mode
   * (also after in-place edits of its buffers), and run apart in training mode (batch
   * statistics, running ones updated as PyTorch did), with the convolution in either mode.
   */
  @TestFactory
  Stream<DynamicTest> batchNormLayerFoldsInEvalAndRunsApartInTraining() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Object o : Fixtures.list(FIXTURE.get("cases"))) {
      Map<String, Object> c = Fixtures.map(o);
      for (boolean convTraining : new boolean[] {true, false}) {
        tests.add(DynamicTest.dynamicTest(c.get("kind") + " " + c.get("conv") + " + "
            + c.get("bn") + (convTraining ? "" : ", the convolution kept in eval mode"),
            () -> checkLayer(c, convTraining)));
      }
    }
    return tests.stream();
  }

  private static void checkLayer(Map<String, Object> c, boolean convTraining) {
    ConvNd conv = load(c).conv;
    Map<String, Object> a = Fixtures.map(c.get("bn"));
    int features = ((Number) a.get("num_features")).intValue();
    double eps = ((Number) a.getOrDefault("eps", 1e-5)).doubleValue();
    boolean affine = (Boolean) a.getOrDefault("affine", true);
    BatchNorm bn = c.get("kind").equals("Conv2d")
        ? new BatchNorm2d(features, eps, 0.1, affine, true)
        : new BatchNorm1d(features, eps, 0.1, affine, true);
    Map<String, Tensor> state = new LinkedHashMap<>();
    Fixtures.map(c.get("bnState")).forEach((k, v) -> state.put(k, Fixtures.tensor(v)));
    bn.loadStateDict(state, false); // num_batches_tracked stays 0, as it was in PyTorch
    bn.eval();
    Tensor x = Fixtures.tensor(c.get("x"));
    Tensor identity = Fixtures.tensor(c.get("identity"));
    Tensor out = Tensor.full(Float.NaN, identity.shape());
    assertClose(Fixtures.tensor(c.get("eval")),
        conv.forwardInto(x, bn, Activation.NONE, null, out), "bn(conv(x)), folded");
    assertClose(Fixtures.tensor(c.get("evalRelu")),
        conv.forwardInto(x, bn, Activation.RELU, identity, out), "relu(bn(conv(x)) + id)");
    bn.runningMean().add_(0.5f);
    bn.runningVar().mul_(2f);
    if (bn.weight != null) {
      bn.weight.data().add_(-0.25f);
    }
    conv.weight.data().mul_(-1f);
    assertClose(Fixtures.tensor(c.get("edited")),
        conv.forwardInto(x, bn, Activation.NONE, null, out), "after in-place edits");
    conv.train(convTraining);
    bn.train();
    assertClose(Fixtures.tensor(c.get("train")),
        conv.forwardInto(x, bn, Activation.NONE, null, out), "training mode");
    assertClose(Fixtures.tensor(c.get("runningMean")), bn.runningMean(), "running_mean");
    assertClose(Fixtures.tensor(c.get("runningVar")), bn.runningVar(), "running_var");
    conv.eval();
    bn.eval();
    assertClose(Fixtures.tensor(c.get("afterTrain")),
        conv.forwardInto(x, bn, Activation.NONE, null, out), "eval mode again, folded anew");
  }

  /** Each tensor the fold reads, edited alone, against conv then batch norm by hand. */
  @TestFactory
  Stream<DynamicTest> everySingleEditRefolds() {
    Map<String, Object> c = Fixtures.map(Fixtures.list(FIXTURE.get("cases")).get(0));
    Map<String, Consumer<Pair>> edits = new LinkedHashMap<>();
    edits.put("running_mean", p -> p.mean.add_(0.75f));
    edits.put("running_var", p -> p.var.mul_(3f));
    edits.put("bn weight", p -> p.weight.mul_(-2f));
    edits.put("bn bias", p -> p.bias.add_(1f));
    edits.put("conv weight", p -> p.conv.weight.data().add_(0.5f));
    edits.put("conv bias", p -> p.conv.bias.data().add_(-1f));
    edits.put("conv state dict", p -> p.conv.loadStateDict(Map.of("weight",
        p.conv.weight.data().mul(0.5f), "bias", p.conv.bias.data().add(2f)), true));
    List<DynamicTest> tests = new ArrayList<>();
    edits.forEach((name, edit) -> tests.add(DynamicTest.dynamicTest(name, () -> {
      Pair p = load(c);
      Tensor x = Fixtures.tensor(c.get("x"));
      Tensor out = p.conv.forwardInto(x, p.fold, Activation.NONE, null, null);
      assertClose(byHand(p, x), out, name + ": before the edit");
      edit.accept(p);
      p.conv.forwardInto(x, p.fold, Activation.NONE, null, out);
      assertClose(byHand(p, x), out, name + ": after the edit");
    })));
    return tests.stream();
  }

  /**
   * {@code bn(conv(x))}: the functional convolution (so the layer's packed state is left
   * alone), then the eval batch norm in double.
   */
  private static Tensor byHand(Pair p, Tensor x) {
    Conv2d conv = (Conv2d) p.conv;
    Tensor y = Functional.conv2d(x, conv.weight.data(), conv.bias.data(), conv.stride(),
        conv.padding(), conv.dilation(), conv.groups());
    int channels = y.size(1);
    int plane = (int) (y.numel() / y.size(0) / channels);
    float[] v = y.toFloatArray();
    for (int i = 0; i < v.length; i++) {
      int ch = i / plane % channels;
      double g = p.weight == null ? 1 : p.weight.get(ch);
      double b = p.bias == null ? 0 : p.bias.get(ch);
      v[i] = (float) ((v[i] - p.mean.get(ch)) / Math.sqrt(p.var.get(ch) + p.fold.eps()) * g
          + b);
    }
    return Tensor.of(v).reshape(y.shape());
  }

  @Test
  void residualWithoutFoldIsReluOfSum() {
    Conv2d conv = new Conv2d(3, 8, 3, 1, 1);
    Tensor x = Tensor.randn(new dev.netspec.runtime.tensor.Generator(5), 2, 3, 6, 40);
    Tensor identity = Tensor.randn(new dev.netspec.runtime.tensor.Generator(6), 2, 8, 6, 40);
    Tensor want = conv.forward(x).add(identity).relu();
    assertClose(want, conv.forwardInto(x, Activation.RELU, identity, null), "relu(conv + id)");
    Conv2d strided = new Conv2d(3, 8, 3, 2, 1); // the chunked (not padded-row) path
    Tensor small = Tensor.randn(new dev.netspec.runtime.tensor.Generator(7), 2, 8, 3, 20);
    assertClose(strided.forward(x).add(small),
        strided.forwardInto(x, Activation.NONE, small, null), "conv + id, strided");
  }

  @Test
  void badFoldsAndResidualsAreRefused() {
    Conv2d conv = new Conv2d(3, 8, 3, 1, 1).eval();
    Tensor x = Tensor.zeros(1, 3, 5, 5);
    BatchNormFold six = new BatchNormFold(Tensor.zeros(6), Tensor.ones(6), null, null, 1e-5);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> conv.forwardInto(x, six, Activation.NONE, null, null));
    assertEquals("batch norm fold: 6 channels after a convolution with 8 output channels",
        e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> new BatchNormFold(Tensor.zeros(6), Tensor.ones(5), null, null, 1e-5));
    assertThrows(IllegalArgumentException.class,
        () -> new BatchNormFold(Tensor.zeros(6), Tensor.ones(6), null, null, -1e-5));
    Tensor out = Tensor.zeros(1, 8, 5, 5);
    e = assertThrows(IllegalArgumentException.class,
        () -> conv.forwardInto(x, Activation.NONE, Tensor.zeros(1, 8, 5, 4), out));
    assertEquals("conv2d: residual of shape [1, 8, 5, 4] does not match the output"
        + " [1, 8, 5, 5]", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> conv.forwardInto(x, Activation.NONE, out, out));
    assertEquals("conv2d: the residual must not share storage with the output", e.getMessage());
  }

  /** Within 2e-5 of PyTorch's plus 2e-5 of its size: folding rounds the filters once more. */
  private static void assertClose(Tensor want, Tensor got, String what) {
    assertArrayEquals(want.shape(), got.shape(), what + ": shape");
    float[] w = want.toFloatArray();
    float[] g = got.toFloatArray();
    for (int i = 0; i < w.length; i++) {
      if (!(Math.abs(w[i] - g[i]) <= 2e-5f + 2e-5f * Math.abs(w[i]))) {
        fail(what + ": element " + i + " is " + g[i] + ", expected " + w[i]);
      }
    }
  }
}
