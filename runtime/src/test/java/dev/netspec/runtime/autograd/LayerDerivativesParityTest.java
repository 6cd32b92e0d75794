package dev.netspec.runtime.autograd;

import static dev.netspec.runtime.autograd.GradFixtures.assertClose;
import static dev.netspec.runtime.autograd.GradFixtures.g;
import static dev.netspec.runtime.autograd.GradFixtures.grad;
import static dev.netspec.runtime.autograd.GradFixtures.in;
import static dev.netspec.runtime.autograd.GradFixtures.list;
import static dev.netspec.runtime.autograd.GradFixtures.map;
import static dev.netspec.runtime.autograd.GradFixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.netspec.runtime.nn.AdaptiveAvgPool1d;
import dev.netspec.runtime.nn.AdaptiveAvgPool2d;
import dev.netspec.runtime.nn.AdaptiveMaxPool2d;
import dev.netspec.runtime.nn.AdaptivePoolNd;
import dev.netspec.runtime.nn.AttentionMask;
import dev.netspec.runtime.nn.AvgPool1d;
import dev.netspec.runtime.nn.AvgPool2d;
import dev.netspec.runtime.nn.AvgPoolNd;
import dev.netspec.runtime.nn.BatchNorm;
import dev.netspec.runtime.nn.BatchNorm1d;
import dev.netspec.runtime.nn.BatchNorm2d;
import dev.netspec.runtime.nn.Conv1d;
import dev.netspec.runtime.nn.Conv2d;
import dev.netspec.runtime.nn.ConvNd;
import dev.netspec.runtime.nn.Embedding;
import dev.netspec.runtime.nn.Functional;
import dev.netspec.runtime.nn.GRU;
import dev.netspec.runtime.nn.GroupNorm;
import dev.netspec.runtime.nn.LSTM;
import dev.netspec.runtime.nn.MaxPool1d;
import dev.netspec.runtime.nn.MaxPool2d;
import dev.netspec.runtime.nn.MaxPoolNd;
import dev.netspec.runtime.nn.RNNBase;
import dev.netspec.runtime.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The layer derivatives (convolution, pooling, batch and group norm, embedding) against
 * PyTorch's autograd ({@code fixtures/grad/layers.json}, {@code
 * tools/fixtures/grad_layer_fixtures.py}): L = sum(y * g) with PyTorch's g; the forward of our
 * layer is checked too, so the gradient is that of the op we run.
 */
class LayerDerivativesParityTest {
  private static final double RTOL = 1e-4;
  private static final double ATOL = 1e-5;

  private static List<Map<String, Object>> cases(String name) {
    return GradFixtures.cases("layers.json", name);
  }

  private static int[] ints(Map<String, Object> c, String key) {
    return list(c.get(key)).stream().mapToInt(v -> ((Number) v).intValue()).toArray();
  }

  private static int num(Map<String, Object> c, String key) {
    return ((Number) c.get(key)).intValue();
  }

  private static boolean flag(Map<String, Object> c, String key) {
    return (Boolean) c.get(key);
  }

  @Test
  void convolutionEveryArgument() {
    List<Map<String, Object>> all = cases("conv");
    assertEquals(13, all.size());
    for (Map<String, Object> c : all) {
      boolean bias = flag(c, "bias");
      String what = "conv" + num(c, "dims") + "d " + Arrays.toString(in(c, 0).shape())
          + " stride " + c.get("stride") + " pad " + c.get("before") + "/" + c.get("after")
          + " dilation " + c.get("dilation") + " groups " + c.get("groups") + " "
          + c.get("padding_mode");
      ConvGrad.Result r = ConvGrad.backward(g(c), in(c, 0), in(c, 1), bias, ints(c, "stride"),
          ints(c, "before"), ints(c, "after"), ints(c, "dilation"), num(c, "groups"),
          (String) c.get("padding_mode"), true);
      assertClose(grad(c, 0), r.input(), RTOL, ATOL, what + ": grad x");
      assertClose(grad(c, 1), r.weight(), RTOL, ATOL, what + ": grad weight");
      if (bias) {
        assertClose(grad(c, 2), r.bias(), RTOL, ATOL, what + ": grad bias");
      } else {
        assertNull(r.bias(), what + ": no bias, no bias gradient");
      }
    }
  }

  /** The layer built as the fixture's convolution, its weights PyTorch's. */
  private static ConvNd layer(Map<String, Object> c) {
    Tensor w = in(c, 1);
    int dims = num(c, "dims");
    int[] before = ints(c, "before");
    boolean same = !Arrays.equals(before, ints(c, "after"));
    int cin = w.size(1) * num(c, "groups");
    int[] k = Arrays.copyOfRange(w.shape(), 2, w.dim());
    String mode = (String) c.get("padding_mode");
    ConvNd conv;
    if (dims == 2) {
      conv = same ? new Conv2d(cin, w.size(0), k, ints(c, "stride"), "same",
          ints(c, "dilation"), num(c, "groups"), flag(c, "bias"), mode)
          : new Conv2d(cin, w.size(0), k, ints(c, "stride"), before, ints(c, "dilation"),
              num(c, "groups"), flag(c, "bias"), mode);
    } else {
      conv = same ? new Conv1d(cin, w.size(0), k[0], ints(c, "stride")[0], "same",
          ints(c, "dilation")[0], num(c, "groups"), flag(c, "bias"), mode)
          : new Conv1d(cin, w.size(0), k[0], ints(c, "stride")[0], before[0],
              ints(c, "dilation")[0], num(c, "groups"), flag(c, "bias"), mode);
    }
    conv.weight.data().copy_(w);
    if (conv.bias != null) {
      conv.bias.data().copy_(in(c, 2));
    }
    return conv;
  }

  @Test
  void convolutionLayersAccumulateIntoTheirParameters() {
    for (Map<String, Object> c : cases("conv")) {
      ConvNd conv = layer(c);
      String what = conv.toString();
      assertClose(tensor(c.get("y")), conv.forward(in(c, 0)), RTOL, ATOL, what + " forward");
      Tensor dx = ConvGrad.backward(g(c), in(c, 0), conv, true);
      assertClose(grad(c, 0), dx, RTOL, ATOL, what + ": grad x");
      assertClose(grad(c, 1), conv.weight.grad(), RTOL, ATOL, what + ": weight.grad");
      if (conv.bias != null) {
        assertClose(grad(c, 2), conv.bias.grad(), RTOL, ATOL, what + ": bias.grad");
      }
      // a second use (a shared layer) adds the same gradient again
      assertNull(ConvGrad.backward(g(c), in(c, 0), conv, false), "no input gradient asked");
      assertClose(grad(c, 1).mul(2f), conv.weight.grad(), RTOL, ATOL, what + ": twice");
    }
  }

  private static MaxPoolNd maxPool(Map<String, Object> c) {
    int[] k = ints(c, "kernel");
    int[] s = ints(c, "stride");
    int[] p = ints(c, "padding");
    int[] d = ints(c, "dilation");
    boolean ceil = flag(c, "ceil_mode");
    return num(c, "dims") == 2 ? new MaxPool2d(k, s, p, d, ceil)
        : new MaxPool1d(k[0], s[0], p[0], d[0], ceil);
  }

  @Test
  void maxPoolingGoesToPyTorchsArgmaxTiesIncluded() {
    List<Map<String, Object>> all = cases("max_pool");
    assertEquals(6, all.size());
    for (Map<String, Object> c : all) {
      MaxPoolNd pool = maxPool(c).train();
      String what = pool.toString() + " on " + Arrays.toString(in(c, 0).shape());
      assertClose(tensor(c.get("y")), pool.forward(in(c, 0)), 0, 0, what + " forward");
      long[] expected = tensor(c.get("indices")).toLongArray();
      int[] saved = pool.savedIndices();
      assertArrayEquals(expected, Arrays.stream(saved).asLongStream().toArray(),
          what + ": the argmax PyTorch returns");
      assertClose(grad(c, 0), PoolGrad.maxPool(g(c), in(c, 0), pool), RTOL, ATOL, what);
      assertClose(grad(c, 0), PoolGrad.maxPool(g(c), in(c, 0).shape(), num(c, "dims"), saved),
          RTOL, ATOL, what + " from the saved indices");
    }
  }

  @Test
  void averagePooling() {
    List<Map<String, Object>> all = cases("avg_pool");
    assertEquals(6, all.size());
    for (Map<String, Object> c : all) {
      int[] k = ints(c, "kernel");
      int[] s = ints(c, "stride");
      int[] p = ints(c, "padding");
      boolean ceil = flag(c, "ceil_mode");
      boolean include = flag(c, "count_include_pad");
      int divisor = num(c, "divisor");
      AvgPoolNd pool = num(c, "dims") == 2
          ? new AvgPool2d(k, s, p, ceil, include, divisor == 0 ? null : divisor)
          : new AvgPool1d(k[0], s[0], p[0], ceil, include);
      String what = pool.toString() + " on " + Arrays.toString(in(c, 0).shape());
      assertClose(tensor(c.get("y")), pool.forward(in(c, 0)), 1e-5, 1e-6, what + " forward");
      assertClose(grad(c, 0), PoolGrad.avgPool(g(c), in(c, 0), pool), RTOL, ATOL, what);
    }
  }

  @Test
  void adaptivePooling() {
    for (Map<String, Object> c : cases("adaptive_avg_pool")) {
      int[] size = ints(c, "size");
      AdaptivePoolNd pool = size.length == 2 ? new AdaptiveAvgPool2d(size[0], size[1])
          : new AdaptiveAvgPool1d(size[0]);
      assertClose(tensor(c.get("y")), pool.forward(in(c, 0)), 1e-5, 1e-6, pool + " forward");
      assertClose(grad(c, 0), PoolGrad.adaptivePool(g(c), in(c, 0), pool), RTOL, ATOL,
          pool.toString());
    }
    List<Map<String, Object>> max = cases("adaptive_max_pool");
    assertEquals(2, max.size());
    for (Map<String, Object> c : max) {
      int[] size = ints(c, "size");
      AdaptiveMaxPool2d pool = new AdaptiveMaxPool2d(size[0], size[1]);
      assertClose(tensor(c.get("y")), pool.forward(in(c, 0)), 0, 0, pool + " forward");
      assertArrayEquals(tensor(c.get("indices")).toLongArray(),
          Arrays.stream(pool.savedIndices()).asLongStream().toArray(), pool + " argmax");
      assertClose(grad(c, 0), PoolGrad.adaptivePool(g(c), in(c, 0), pool), RTOL, ATOL,
          pool.toString());
    }
  }

  @Test
  void batchNormInTrainingAndEvalMode() {
    for (String mode : List.of("batch_norm_train", "batch_norm_eval")) {
      List<Map<String, Object>> all = cases(mode);
      assertEquals(3, all.size());
      for (Map<String, Object> c : all) {
        Tensor x = in(c, 0);
        double eps = ((Number) c.get("eps")).doubleValue();
        int channels = x.size(1);
        BatchNorm bn = x.dim() == 4 ? new BatchNorm2d(channels, eps, 0.1, true, true)
            : new BatchNorm1d(channels, eps, 0.1, true, true);
        bn.weight.data().copy_(in(c, 1));
        bn.bias.data().copy_(in(c, 2));
        boolean train = mode.endsWith("train");
        if (!train) {
          bn.runningMean().copy_(tensor(c.get("running_mean")));
          bn.runningVar().copy_(tensor(c.get("running_var")));
          bn.eval();
        }
        String what = mode + " " + Arrays.toString(x.shape());
        // the forward, which in training also updates the running statistics: the backward
        // reads the batch's, never the running ones
        assertClose(tensor(c.get("y")), bn.forward(x), 1e-4, 1e-5, what + " forward");
        Tensor dx = BatchNormGrad.backward(g(c), x, bn);
        assertClose(grad(c, 0), dx, 1e-4, 1e-4, what + ": grad x");
        assertClose(grad(c, 1), bn.weight.grad(), 1e-4, 1e-4, what + ": weight.grad");
        assertClose(grad(c, 2), bn.bias.grad(), RTOL, ATOL, what + ": bias.grad");
      }
    }
  }

  @Test
  void groupNorm() {
    for (Map<String, Object> c : cases("group_norm")) {
      Tensor x = in(c, 0);
      GroupNorm gn = new GroupNorm(num(c, "groups"), x.size(1),
          ((Number) c.get("eps")).doubleValue(), true);
      gn.weight.data().copy_(in(c, 1));
      gn.bias.data().copy_(in(c, 2));
      String what = gn + " on " + Arrays.toString(x.shape());
      assertClose(tensor(c.get("y")), gn.forward(x), 1e-4, 1e-5, what + " forward");
      Tensor dx = GroupNormGrad.backward(g(c), x, gn);
      assertClose(grad(c, 0), dx, 1e-4, 1e-4, what + ": grad x");
      assertClose(grad(c, 1), gn.weight.grad(), 1e-4, 1e-4, what + ": weight.grad");
      assertClose(grad(c, 2), gn.bias.grad(), RTOL, ATOL, what + ": bias.grad");
    }
  }

  @Test
  void embeddingScatterAddsAndSkipsThePaddingRow() {
    List<Map<String, Object>> all = cases("embedding");
    assertEquals(2, all.size());
    for (Map<String, Object> c : all) {
      Tensor w = tensor(c.get("weight"));
      int pad = num(c, "padding_idx");
      Embedding emb = new Embedding(w.size(0), w.size(1), pad < 0 ? null : pad);
      emb.weight.data().copy_(w);
      Tensor ids = tensor(c.get("ids"));
      assertClose(tensor(c.get("y")), emb.forward(ids), 0, 0, "embedding forward");
      EmbeddingGrad.backward(g(c), emb.lastIds(), emb);
      assertClose(tensor(c.get("grad")), emb.weight.grad(), 1e-6, 1e-6,
          "embedding padding_idx=" + pad);
    }
  }

  @Test
  void scaledDotProductAttentionWithMasksAndCausality() {
    List<Map<String, Object>> all = cases("attention");
    assertEquals(7, all.size());
    for (Map<String, Object> c : all) {
      Tensor q = in(c, 0);
      Tensor k = in(c, 1);
      Tensor v = in(c, 2);
      String kind = (String) c.get("mask_kind");
      AttentionMask mask = kind.equals("none") ? null : kind.equals("bool")
          ? AttentionMask.ofBool(tensor(c.get("mask"))) : AttentionMask.of(tensor(c.get("mask")));
      boolean causal = flag(c, "causal");
      double scale = ((Number) c.get("scale")).doubleValue();
      Float s = scale == 0 ? null : (float) scale;
      String what = "attention " + Arrays.toString(q.shape()) + " x "
          + Arrays.toString(k.shape()) + " mask " + kind + (causal ? " causal" : "");
      Tensor y = s == null ? Functional.scaledDotProductAttention(q, k, v, mask, causal)
          : Functional.scaledDotProductAttention(q, k, v, mask, causal, s);
      assertClose(tensor(c.get("y")), y, 1e-4, 1e-5, what + " forward");
      AttentionGrad.Result r = AttentionGrad.backward(g(c), q, k, v, mask, causal, s);
      assertClose(grad(c, 0), r.q(), 1e-4, 1e-5, what + ": grad q");
      assertClose(grad(c, 1), r.k(), 1e-4, 1e-5, what + ": grad k");
      assertClose(grad(c, 2), r.v(), 1e-4, 1e-5, what + ": grad v");
    }
  }

  @Test
  void recurrentLayersThroughTime() {
    List<Map<String, Object>> all = new ArrayList<>(cases("lstm"));
    all.addAll(cases("gru"));
    assertEquals(4, all.size());
    for (Map<String, Object> c : all) {
      Map<String, Object> a = map(c.get("args"));
      int layers = a.containsKey("num_layers") ? ((Number) a.get("num_layers")).intValue() : 1;
      boolean bias = !a.containsKey("bias") || (Boolean) a.get("bias");
      boolean bf = a.containsKey("batch_first") && (Boolean) a.get("batch_first");
      boolean bi = a.containsKey("bidirectional") && (Boolean) a.get("bidirectional");
      int in = ((Number) a.get("input_size")).intValue();
      int hidden = ((Number) a.get("hidden_size")).intValue();
      boolean lstm = c.get("name").equals("lstm");
      RNNBase rnn = lstm ? new LSTM(in, hidden, layers, bias, bf, 0, bi)
          : new GRU(in, hidden, layers, bias, bf, 0, bi);
      map(c.get("params")).forEach((n, t) -> rnn.namedParameters().get(n).data()
          .copy_(tensor(t)));
      Tensor x = tensor(c.get("x"));
      Tensor h0 = c.containsKey("h0") ? tensor(c.get("h0")) : null;
      Tensor c0 = c.containsKey("c0") ? tensor(c.get("c0")) : null;
      String what = rnn.toString() + " on " + Arrays.toString(x.shape());
      Tensor y = lstm ? ((LSTM) rnn).forwardWithState(x, h0, c0).output()
          : ((GRU) rnn).forwardWithState(x, h0).output();
      assertClose(tensor(c.get("y")), y, 1e-4, 1e-5, what + " forward");
      RecurrentGrad.Result r = RecurrentGrad.backward(rnn, x, h0, c0, g(c),
          tensor(c.get("gh")), c.containsKey("gc") ? tensor(c.get("gc")) : null);
      assertClose(tensor(c.get("grad_x")), r.input(), 1e-4, 1e-5, what + ": grad x");
      if (h0 != null) {
        assertClose(tensor(c.get("grad_h0")), r.h0(), 1e-4, 1e-5, what + ": grad h0");
      }
      if (c0 != null) {
        assertClose(tensor(c.get("grad_c0")), r.c0(), 1e-4, 1e-5, what + ": grad c0");
      }
      Map<String, Object> grads = map(c.get("grads"));
      assertEquals(rnn.namedParameters().keySet(), grads.keySet(), what + ": parameters");
      grads.forEach((n, t) -> assertClose(tensor(t), rnn.namedParameters().get(n).grad(), 1e-4,
          1e-5, what + ": " + n + ".grad"));
    }
  }
}
