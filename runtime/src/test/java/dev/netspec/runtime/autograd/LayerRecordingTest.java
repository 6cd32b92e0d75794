package dev.netspec.runtime.autograd;

import static dev.netspec.runtime.autograd.GradFixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.kernels.Activation;
import dev.netspec.runtime.nn.AttentionMask;
import dev.netspec.runtime.nn.AvgPool2d;
import dev.netspec.runtime.nn.BatchNorm2d;
import dev.netspec.runtime.nn.CachedSelfAttention;
import dev.netspec.runtime.nn.Conv2d;
import dev.netspec.runtime.nn.Dropout;
import dev.netspec.runtime.nn.Functional;
import dev.netspec.runtime.nn.GroupNorm;
import dev.netspec.runtime.nn.LSTM;
import dev.netspec.runtime.nn.MaxPool2d;
import dev.netspec.runtime.nn.Parameter;
import dev.netspec.runtime.nn.TransformerEncoderLayer;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What the layers' recording must get right beyond matching PyTorch's numbers ({@link
 * ModuleGradParityTest}): the inference paths never record, the fused conv + batch norm runs
 * apart while recording, running statistics updated in place do not corrupt a backward,
 * dropout's gradient uses the mask it drew, and an LSTM's dropout between layers is
 * differentiated as the composition of its parts.
 */
class LayerRecordingTest {
  private static Tensor randn(long seed, int... shape) {
    return Tensor.randn(new Generator(seed), shape);
  }

  @Test
  void dropoutInTrainingRecordsItsMaskAndIsTheIdentityInEval() {
    Dropout drop = new Dropout(0.4);
    Tensor x = randn(1, 3, 5).requiresGrad_(true);
    Tensor y = drop.forward(x);
    assertEquals("MulBackward0", y.gradFn().name());
    Tensor g = randn(2, 3, 5);
    y.backward(g);
    Tensor mask = drop.mask();
    float[] m = mask.toFloatArray();
    assertTrue(m[0] == 0 || Math.abs(m[0] - 1 / 0.6f) < 1e-6, "mask values are 0 or 1/(1-p)");
    assertClose(g.mul(mask), x.grad(), 0, 0, "grad x = g * mask");
    drop.eval();
    assertSame(x, drop.forward(x), "eval: the input itself");
  }

  @Test
  void inferencePathsWithAnOutputNeverRecord() {
    Tensor x = randn(3, 2, 3, 6, 6).requiresGrad_(true);
    Conv2d conv = new Conv2d(3, 4, 3);
    assertNull(conv.forward(x, Tensor.zeros(2, 4, 4, 4)).gradFn());
    assertNull(conv.forwardInto(x, Activation.RELU, Tensor.zeros(2, 4, 4, 4)).gradFn());
    assertEquals("ConvolutionBackward0", conv.forward(x).gradFn().name());
    // a fresh output while recording: the fused steps run apart, each recorded
    Tensor fused = conv.forwardInto(x, Activation.RELU, null);
    assertEquals("ReluBackward0", fused.gradFn().name());
    assertClose(conv.forward(x).relu(), fused, 0, 0, "relu(conv(x))");
    Tensor residual = randn(4, 2, 4, 4, 4);
    assertEquals("AddBackward0",
        conv.forwardInto(x, Activation.NONE, residual, null).gradFn().name());
    BatchNorm2d bn = new BatchNorm2d(3);
    assertNull(bn.forward(x, Tensor.zeros(x.shape())).gradFn());
    MaxPool2d pool = new MaxPool2d(2);
    assertNull(pool.forward(x, Tensor.zeros(2, 3, 3, 3)).gradFn());
    assertEquals("MaxPool2DWithIndicesBackward0", pool.forward(x).gradFn().name());
    GroupNorm gn = new GroupNorm(3, 3);
    assertNull(gn.forward(x, Tensor.zeros(x.shape())).gradFn());
    try (GradMode.Scope scope = GradMode.noGrad()) {
      assertNull(conv.forward(x).gradFn());
      assertNull(bn.forward(x).gradFn());
      assertNull(new AvgPool2d(2).forward(x).gradFn());
    }
  }

  @Test
  void foldedConvBatchNormRunsApartWhileRecording() {
    Conv2d conv = new Conv2d(2, 3, 3, 1, 1).eval();
    BatchNorm2d bn = new BatchNorm2d(3).eval();
    bn.runningMean().copy_(randn(4, 3));
    bn.runningVar().copy_(randn(5, 3).abs().add(0.5f));
    bn.weight.data().copy_(randn(6, 3));
    Tensor x0 = randn(7, 2, 2, 5, 5);
    Tensor g = randn(8, 2, 3, 5, 5);

    Tensor x = x0.clone().requiresGrad_(true);
    Tensor fused = conv.forwardInto(x, bn, Activation.NONE, null, null);
    assertEquals("NativeBatchNormBackward0", fused.gradFn().name());
    fused.backward(g);
    Tensor gx = x.grad();
    Tensor gw = conv.weight.grad().clone();
    Tensor gb = bn.bias.grad().clone();
    Grads.zeroGrad(conv, true);
    Grads.zeroGrad(bn, true);

    Tensor x2 = x0.clone().requiresGrad_(true);
    Tensor apart = bn.forward(conv.forward(x2));
    assertClose(apart, fused, 0, 0, "the recorded path is the layers apart");
    apart.backward(g);
    assertClose(x2.grad(), gx, 0, 0, "grad x");
    assertClose(conv.weight.grad(), gw, 0, 0, "grad conv weight");
    assertClose(bn.bias.grad(), gb, 0, 0, "grad bn bias");

    try (GradMode.Scope scope = GradMode.noGrad()) { // inference: the fold
      Tensor folded = conv.forwardInto(x0, bn, Activation.NONE, null, null);
      assertNull(folded.gradFn());
      assertClose(apart.detach(), folded, 1e-4, 1e-5, "the fold computes the same");
    }
  }

  @Test
  void runningStatisticsUpdatedInPlaceDoNotCorruptTheBackward() {
    Tensor x0 = randn(9, 4, 3, 2, 2);
    Tensor other = randn(10, 4, 3, 2, 2).mul(3f);
    Tensor g = randn(11, 4, 3, 2, 2);
    BatchNorm2d once = new BatchNorm2d(3);
    Tensor x1 = x0.clone().requiresGrad_(true);
    once.forward(x1).backward(g);

    BatchNorm2d twice = new BatchNorm2d(3);
    Tensor x2 = x0.clone().requiresGrad_(true);
    Tensor y = twice.forward(x2);
    twice.forward(other); // updates the running statistics again, in place
    y.backward(g);
    assertClose(x1.grad(), x2.grad(), 0, 0, "grad x after another training forward");
    assertClose(once.weight.grad(), twice.weight.grad(), 0, 0, "grad weight");

    // the running statistics move as without recording
    BatchNorm2d plain = new BatchNorm2d(3);
    try (GradMode.Scope scope = GradMode.noGrad()) {
      plain.forward(x0);
      plain.forward(other);
    }
    assertClose(plain.runningMean(), twice.runningMean(), 0, 0, "running_mean");
    assertClose(plain.runningVar(), twice.runningVar(), 0, 0, "running_var");
    assertEquals(2L, twice.numBatchesTracked().longItem());

    // eval mode reads the running statistics: an edit before the backward is refused
    twice.eval();
    Tensor x3 = x0.clone().requiresGrad_(true);
    Tensor z = twice.forward(x3);
    twice.runningMean().add_(1f);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> z.backward(g));
    assertTrue(e.getMessage().contains("modified by an inplace operation"), e.getMessage());
  }

  @Test
  void lstmDropoutBetweenLayersIsTheGradientOfItsParts() {
    LSTM full = new LSTM(3, 4, 2, true, false, 0.5, false).train();
    Tensor x0 = randn(12, 5, 2, 3);
    Tensor g = randn(13, 5, 2, 4);
    Tensor x = x0.clone().requiresGrad_(true);
    Tensor y = full.forwardWithState(x).output();
    Tensor mask = full.dropoutMasks()[1];
    y.backward(g);

    LSTM first = new LSTM(3, 4);
    LSTM second = new LSTM(4, 4);
    Map<String, Parameter> p = full.namedParameters();
    for (String name : new String[] {"weight_ih", "weight_hh", "bias_ih", "bias_hh"}) {
      first.namedParameters().get(name + "_l0").data().copy_(p.get(name + "_l0").data());
      second.namedParameters().get(name + "_l0").data().copy_(p.get(name + "_l1").data());
    }
    Tensor x2 = x0.clone().requiresGrad_(true);
    Tensor between = Functional.dropout(first.forward(x2), mask);
    Tensor y2 = second.forward(between);
    assertClose(y2, y, 1e-6, 1e-6, "output");
    y2.backward(g);
    assertClose(x2.grad(), x.grad(), 1e-4, 1e-6, "grad x");
    for (String name : new String[] {"weight_ih", "weight_hh", "bias_ih", "bias_hh"}) {
      assertClose(first.namedParameters().get(name + "_l0").grad(),
          p.get(name + "_l0").grad(), 1e-4, 1e-6, name + "_l0");
      assertClose(second.namedParameters().get(name + "_l0").grad(),
          p.get(name + "_l1").grad(), 1e-4, 1e-6, name + "_l1");
    }
  }

  @Test
  void maxPoolKeepsItsIndicesForTheLayerToo() {
    MaxPool2d pool = new MaxPool2d(2).train();
    Tensor x = randn(14, 1, 2, 4, 4).requiresGrad_(true);
    Tensor y = pool.forward(x);
    int[] indices = pool.savedIndices();
    assertEquals(y.numel(), indices.length);
    y.backward(Tensor.ones(y.shape()));
    float[] gx = x.grad().toFloatArray();
    for (int o = 0; o < indices.length; o++) {
      assertEquals(1f, gx[(o / 4) * 16 + indices[o]], "the argmax of output " + o);
    }
    assertArrayEquals(new int[] {1, 2, 4, 4}, x.grad().shape());
    assertEquals(y.numel(), (long) x.grad().sum().item(), "one gradient per output");
  }

  /**
   * A transformer layer in training mode with dropout everywhere (the attention weights, after
   * the attention, in the feed-forward): the recorded gradient of the input against central
   * differences of the same forward, whose masks repeat because {@code initialize(seed)}
   * restarts every dropout stream.
   */
  @Test
  void transformerDropoutInTrainingMatchesFiniteDifferences() {
    Tensor x0 = randn(15, 2, 3, 4);
    Tensor g = randn(16, 2, 3, 4);
    java.util.function.Function<Tensor, Tensor> run = x -> {
      TransformerEncoderLayer layer = new TransformerEncoderLayer(4, 2, 6, 0.3, "gelu", 1e-5,
          true, false);
      layer.initialize(7);
      return layer.train().forward(x);
    };
    Tensor x = x0.clone().requiresGrad_(true);
    Tensor y = run.apply(x);
    y.backward(g);
    float[] analytic = x.grad().toFloatArray();
    float[] base = x0.toFloatArray();
    float h = 1e-2f;
    try (GradMode.Scope scope = GradMode.noGrad()) {
      for (int i = 0; i < base.length; i++) {
        float[] plus = base.clone();
        float[] minus = base.clone();
        plus[i] += h;
        minus[i] -= h;
        double up = dot(run.apply(Tensor.fromArray(plus, x0.shape())), g);
        double down = dot(run.apply(Tensor.fromArray(minus, x0.shape())), g);
        double numeric = (up - down) / (2 * h);
        assertEquals(numeric, analytic[i], 2e-3 + 2e-2 * Math.abs(numeric), "grad x[" + i + "]");
      }
    }
  }

  private static double dot(Tensor y, Tensor g) {
    float[] a = y.toFloatArray();
    float[] b = g.toFloatArray();
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }

  /**
   * The kv_cache layer from position 0 against the same causal attention written with
   * recorded Tensor ops (nanoGPT's split, view, transpose, matmul, softmax).
   */
  @Test
  void kvCacheFromPositionZeroIsCausalAttentionOfItsParts() {
    int e = 6;
    int heads = 2;
    Tensor qkv0 = randn(17, 2, 4, 3 * e);
    Tensor g = randn(18, 2, 4, e);
    Tensor qkv = qkv0.clone().requiresGrad_(true);
    Tensor y = new CachedSelfAttention(e, heads, 8).forward(qkv);
    assertEquals("ViewBackward0", y.gradFn().name());
    y.backward(g);

    Tensor parts = qkv0.clone().requiresGrad_(true);
    Tensor[] qkvHeads = new Tensor[3];
    for (int i = 0; i < 3; i++) {
      qkvHeads[i] = parts.slice(2, i * e, (i + 1) * e).reshape(2, 4, heads, e / heads)
          .transpose(1, 2);
    }
    float[] future = new float[16];
    for (int i = 0; i < 4; i++) {
      for (int j = i + 1; j < 4; j++) {
        future[i * 4 + j] = Float.NEGATIVE_INFINITY;
      }
    }
    Tensor scores = qkvHeads[0].matmul(qkvHeads[1].transpose(-1, -2))
        .mul((float) (1 / Math.sqrt(e / heads))).add(Tensor.fromArray(future, 4, 4));
    Tensor y2 = scores.softmax(-1).matmul(qkvHeads[2]).transpose(1, 2).contiguous()
        .reshape(2, 4, e);
    assertClose(y2, y, 1e-5, 1e-6, "output");
    y2.backward(g);
    assertClose(parts.grad(), qkv.grad(), 1e-4, 1e-6, "grad qkv");
  }

  /**
   * {@code F.scaled_dot_product_attention} on the tape against the fixture of its derivative
   * (PyTorch's math path: causal, float and boolean masks, a scale, a query with no key).
   */
  @Test
  void scaledDotProductAttentionRecords() {
    for (Map<String, Object> c : GradFixtures.cases("layers.json", "attention")) {
      Tensor q = GradFixtures.in(c, 0).requiresGrad_(true);
      Tensor k = GradFixtures.in(c, 1).requiresGrad_(true);
      Tensor v = GradFixtures.in(c, 2).requiresGrad_(true);
      String kind = (String) c.get("mask_kind");
      AttentionMask mask = kind.equals("none") ? null : kind.equals("bool")
          ? AttentionMask.ofBool(GradFixtures.tensor(c.get("mask")))
          : AttentionMask.of(GradFixtures.tensor(c.get("mask")));
      boolean causal = (Boolean) c.get("causal");
      double scale = ((Number) c.get("scale")).doubleValue();
      Tensor y = scale == 0 ? Functional.scaledDotProductAttention(q, k, v, mask, causal)
          : Functional.scaledDotProductAttention(q, k, v, mask, causal, (float) scale);
      assertEquals(q.dim() == 2 ? "MmBackward0" : "UnsafeViewBackward0", y.gradFn().name());
      y.backward(GradFixtures.g(c));
      String what = "attention " + kind + (causal ? " causal" : "");
      assertClose(GradFixtures.grad(c, 0), q.grad(), 1e-4, 1e-5, what + ": grad q");
      assertClose(GradFixtures.grad(c, 1), k.grad(), 1e-4, 1e-5, what + ": grad k");
      assertClose(GradFixtures.grad(c, 2), v.grad(), 1e-4, 1e-5, what + ": grad v");
    }
  }
}
