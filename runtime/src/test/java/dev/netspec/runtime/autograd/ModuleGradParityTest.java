package dev.netspec.runtime.autograd;

import static dev.netspec.runtime.autograd.GradFixtures.assertClose;
import static dev.netspec.runtime.autograd.GradFixtures.list;
import static dev.netspec.runtime.autograd.GradFixtures.map;
import static dev.netspec.runtime.autograd.GradFixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.netspec.runtime.nn.AdaptiveAvgPool1d;
import dev.netspec.runtime.nn.AdaptiveAvgPool2d;
import dev.netspec.runtime.nn.AdaptiveMaxPool2d;
import dev.netspec.runtime.nn.AttentionMask;
import dev.netspec.runtime.nn.AvgPool1d;
import dev.netspec.runtime.nn.AvgPool2d;
import dev.netspec.runtime.nn.BatchNorm1d;
import dev.netspec.runtime.nn.BatchNorm2d;
import dev.netspec.runtime.nn.Conv1d;
import dev.netspec.runtime.nn.Conv2d;
import dev.netspec.runtime.nn.Dropout;
import dev.netspec.runtime.nn.Embedding;
import dev.netspec.runtime.nn.Flatten;
import dev.netspec.runtime.nn.GELU;
import dev.netspec.runtime.nn.GRU;
import dev.netspec.runtime.nn.GroupNorm;
import dev.netspec.runtime.nn.Identity;
import dev.netspec.runtime.nn.LSTM;
import dev.netspec.runtime.nn.LayerNorm;
import dev.netspec.runtime.nn.Linear;
import dev.netspec.runtime.nn.LogSoftmax;
import dev.netspec.runtime.nn.MaxPool1d;
import dev.netspec.runtime.nn.MaxPool2d;
import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.nn.MultiheadAttention;
import dev.netspec.runtime.nn.Parameter;
import dev.netspec.runtime.nn.ReLU;
import dev.netspec.runtime.nn.Sequential;
import dev.netspec.runtime.nn.Sigmoid;
import dev.netspec.runtime.nn.Softmax;
import dev.netspec.runtime.nn.Tanh;
import dev.netspec.runtime.nn.TransformerDecoderLayer;
import dev.netspec.runtime.nn.TransformerEncoder;
import dev.netspec.runtime.nn.TransformerEncoderLayer;
import dev.netspec.runtime.tensor.DType;
import dev.netspec.runtime.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every nn layer run as a module through the tape ({@code module.forward(x)}, then {@code
 * backward}) against PyTorch 1.13 ({@code tools/fixtures/grad_layer_fixtures.py}, {@code
 * modules.json}): the outputs, their grad_fn names, and the gradients of the input and of
 * every parameter for {@code L = sum(y * g)} (summed over several outputs), in training and
 * eval mode; the activation and simple modules; then a small conv net (conv, batch norm,
 * ReLU, max pool, flatten, linear in training mode), transformer layers and LSTMs end to end.
 */
class ModuleGradParityTest {
  private static final double RTOL = 2e-4;
  private static final double ATOL = 2e-5;

  /** A module and how one case's inputs run through it, returning every output. */
  private record Run(Supplier<Module> module, BiFunction<Module, Tensor[], Tensor[]> forward) {}

  private static Run one(Supplier<Module> module) {
    return new Run(module, (m, in) -> new Tensor[] {m.forward(in[0])});
  }

  private static final Map<String, Run> RUNS = new LinkedHashMap<>();

  static {
    int[] k32 = {3, 2};
    RUNS.put("conv2d", one(() -> new Conv2d(3, 4, 3, 2, 1)));
    RUNS.put("conv2d_groups", one(() -> new Conv2d(4, 6, k32, new int[] {1},
        new int[] {0}, new int[] {2, 1}, 2, false, "zeros")));
    RUNS.put("conv2d_same_reflect", one(() -> new Conv2d(2, 3, new int[] {4}, new int[] {1},
        "same", new int[] {1}, 1, true, "reflect")));
    RUNS.put("conv2d_depthwise", one(() -> new Conv2d(3, 3, 3, 1, 1, 1, 3, true, "zeros")));
    RUNS.put("conv2d_unbatched", one(() -> new Conv2d(2, 3, 3)));
    RUNS.put("conv1d_replicate", one(() -> new Conv1d(3, 2, 3, 2, 2, 1, 1, true,
        "replicate")));
    RUNS.put("conv1d_valid", one(() -> new Conv1d(2, 4, 2, 1, "valid", 2, 1, true, "zeros")));
    RUNS.put("max_pool2d", one(() -> new MaxPool2d(3, 2, 1, 1, true)));
    RUNS.put("max_pool2d_dilation", one(() -> new MaxPool2d(2, 1, 0, 2, false)));
    RUNS.put("max_pool1d", one(() -> new MaxPool1d(3, 2, 1)));
    RUNS.put("avg_pool2d", one(() -> new AvgPool2d(3, 2, 1, true, false, null)));
    RUNS.put("avg_pool2d_divisor", one(() -> new AvgPool2d(2, 2, 0, false, true, 3)));
    RUNS.put("avg_pool1d", one(() -> new AvgPool1d(3, 2, 1)));
    RUNS.put("adaptive_avg_pool2d", one(() -> new AdaptiveAvgPool2d(2, 3)));
    RUNS.put("adaptive_avg_pool2d_1", one(() -> new AdaptiveAvgPool2d(1)));
    RUNS.put("adaptive_avg_pool1d", one(() -> new AdaptiveAvgPool1d(3)));
    RUNS.put("adaptive_max_pool2d", one(() -> new AdaptiveMaxPool2d(2, 2)));
    for (String mode : new String[] {"train", "eval"}) {
      RUNS.put("batch_norm2d_" + mode, one(() -> new BatchNorm2d(3)));
      RUNS.put("batch_norm1d_" + mode, one(() -> new BatchNorm1d(4, 1e-3, 0.1, true, true)));
    }
    RUNS.put("batch_norm1d_3d_plain", one(() -> new BatchNorm1d(3, 1e-5, 0.1, false, true)));
    RUNS.put("group_norm", one(() -> new GroupNorm(2, 4)));
    RUNS.put("layer_norm", one(() -> new LayerNorm(new int[] {3, 4}, 1e-3, true)));
    RUNS.put("layer_norm_plain", one(() -> new LayerNorm(new int[] {5}, 1e-5, false)));
    RUNS.put("embedding", one(() -> new Embedding(10, 3)));
    RUNS.put("embedding_padding", one(() -> new Embedding(10, 3, 0)));
    RUNS.put("lstm", new Run(() -> new LSTM(3, 4, 2, true, true, 0, true),
        (m, in) -> outputs(((LSTM) m).forwardWithState(in[0], in[1], in[2]))));
    RUNS.put("lstm_plain", new Run(() -> new LSTM(3, 2),
        (m, in) -> outputs(((LSTM) m).forwardWithState(in[0]))));
    RUNS.put("lstm_unbatched", new Run(() -> new LSTM(2, 3, 1, false, false, 0, false),
        (m, in) -> outputs(((LSTM) m).forwardWithState(in[0]))));
    RUNS.put("gru", new Run(() -> new GRU(3, 4, 2),
        (m, in) -> outputs(((GRU) m).forwardWithState(in[0], in[1]))));
    RUNS.put("gru_batch_first", new Run(() -> new GRU(2, 3, 1, true, true, 0, true),
        (m, in) -> outputs(((GRU) m).forwardWithState(in[0]))));
    RUNS.put("mha_self", new Run(() -> new MultiheadAttention(4, 2, 0.0, true, true),
        (m, in) -> outputs(((MultiheadAttention) m).forward(in[0], in[0], in[0]))));
    RUNS.put("mha_cross_masks", new Run(() -> new MultiheadAttention(4, 2, 0.0, true, false,
        false, 3, 5, false), (m, in) -> outputs(((MultiheadAttention) m).forward(in[0], in[1],
            in[2], AttentionMask.ofBool(in[3]), true, AttentionMask.of(in[4]), false))));
    RUNS.put("mha_3d_mask_kv", new Run(() -> new MultiheadAttention(4, 2, 0.0, true, true),
        (m, in) -> outputs(((MultiheadAttention) m).forward(in[0], in[1], in[1], null, true,
            AttentionMask.of(in[2]), true))));
    RUNS.put("mha_unbatched_causal", new Run(() -> new MultiheadAttention(6, 3, 0.0, false,
        false), (m, in) -> new Tensor[] {((MultiheadAttention) m).forward(in[0], in[0], in[0],
            null, false, AttentionMask.ofBool(causal(4)), true).output()}));
    RUNS.put("encoder_layer", one(() -> new TransformerEncoderLayer(4, 2, 8, 0.0, "relu", 1e-5,
        true, false)));
    RUNS.put("encoder_layer_norm_first_gelu", one(() -> new TransformerEncoderLayer(4, 2, 6,
        0.0, "gelu", 1e-5, false, true)));
    RUNS.put("encoder", new Run(() -> new TransformerEncoder(new TransformerEncoderLayer(4, 2, 6,
        0.0, "relu", 1e-5, true, false), 2, new LayerNorm(4)),
        (m, in) -> new Tensor[] {((TransformerEncoder) m).forward(in[0],
            AttentionMask.ofBool(causal(3)), null)}));
    RUNS.put("decoder_layer", new Run(() -> new TransformerDecoderLayer(4, 2, 6, 0.0, "relu",
        1e-5, true, false), (m, in) -> new Tensor[] {((TransformerDecoderLayer) m).forward(in[0],
            in[1], AttentionMask.ofBool(causal(3)), null, null, null)}));
    RUNS.put("relu", one(ReLU::new));
    RUNS.put("gelu", one(GELU::new));
    RUNS.put("gelu_tanh", one(() -> new GELU("tanh")));
    RUNS.put("sigmoid", one(Sigmoid::new));
    RUNS.put("tanh", one(Tanh::new));
    RUNS.put("softmax", one(() -> new Softmax(1)));
    RUNS.put("log_softmax", one(() -> new LogSoftmax(-1)));
    RUNS.put("flatten", one(Flatten::new));
    RUNS.put("identity", one(Identity::new));
    RUNS.put("dropout_eval", one(() -> new Dropout(0.3)));
    RUNS.put("linear", one(() -> new Linear(4, 3)));
    RUNS.put("encoder_layer_eval", one(() -> new TransformerEncoderLayer(4, 2, 6, 0.1, "relu",
        1e-5, false, false)));
    RUNS.put("conv_net", one(() -> new Sequential(new Conv2d(1, 3, 3, 1, 1), new BatchNorm2d(3),
        new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(27, 4))));
  }

  /** PyTorch's boolean causal mask: True (1) for the keys after each query, ignored. */
  private static Tensor causal(int n) {
    float[] masked = new float[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        masked[i * n + j] = 1;
      }
    }
    return Tensor.fromArray(masked, n, n);
  }

  private static Tensor[] outputs(LSTM.Output o) {
    return new Tensor[] {o.output(), o.hN(), o.cN()};
  }

  private static Tensor[] outputs(GRU.Output o) {
    return new Tensor[] {o.output(), o.hN()};
  }

  private static Tensor[] outputs(MultiheadAttention.Output o) {
    return new Tensor[] {o.output(), o.weights()};
  }

  static Stream<String> cases() {
    List<String> names = new ArrayList<>();
    for (Object c : list(GradFixtures.load("modules.json").get("cases"))) {
      names.add((String) map(c).get("name"));
    }
    return names.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void moduleMatchesPyTorch(String name) {
    Map<String, Object> c = GradFixtures.cases("modules.json", name).get(0);
    Run run = RUNS.get(name);
    assertNotNull(run, "no module for fixture case " + name);
    Module m = run.module().get();
    Map<String, Tensor> state = new LinkedHashMap<>();
    map(c.get("state")).forEach((k, v) -> state.put(k, tensor(v)));
    m.loadStateDict(state, true);
    m.train((Boolean) c.get("train"));
    List<Object> given = list(c.get("inputs"));
    List<Tensor> inputs = new ArrayList<>();
    for (Object o : given) {
      Tensor t = tensor(o);
      inputs.add(t.dtype() == DType.FLOAT32 ? t.requiresGrad_(true) : t);
    }
    addMasks(c, inputs);
    Tensor[] ys = run.forward().apply(m, inputs.toArray(new Tensor[0]));
    List<Object> expected = list(c.get("outputs"));
    List<Object> names = list(c.get("grad_fns"));
    List<Object> gs = list(c.get("g"));
    assertEquals(expected.size(), ys.length, name + ": outputs");
    for (int i = 0; i < ys.length; i++) {
      assertClose(tensor(expected.get(i)), ys[i], RTOL, ATOL, name + " output " + i);
      assertEquals(names.get(i), ys[i].gradFn() == null ? null : ys[i].gradFn().name(),
          name + " output " + i + " grad_fn");
    }
    for (int i = 0; i < ys.length; i++) {
      ys[i].backward(tensor(gs.get(i)));
    }
    List<Object> gradInputs = list(c.get("grad_inputs"));
    for (int i = 0; i < given.size(); i++) {
      if (gradInputs.get(i) == null) {
        assertNull(inputs.get(i).dtype() == DType.FLOAT32 ? inputs.get(i).grad() : null);
      } else {
        assertClose(tensor(gradInputs.get(i)), inputs.get(i).grad(), RTOL, ATOL,
            name + " grad of input " + i);
      }
    }
    Map<String, Object> grads = map(c.get("grads"));
    for (Map.Entry<String, Parameter> p : m.namedParameters().entrySet()) {
      Object g = grads.get(p.getKey());
      if (g == null) {
        assertNull(p.getValue().grad(), name + ": " + p.getKey() + " has no grad in PyTorch");
      } else {
        assertNotNull(p.getValue().grad(), name + ": " + p.getKey() + ".grad");
        assertClose(tensor(g), p.getValue().grad(), RTOL, ATOL, name + " grad " + p.getKey());
      }
    }
  }

  /** The masks a case's forward takes after its tensors (as extra fixture entries). */
  private static void addMasks(Map<String, Object> c, List<Tensor> inputs) {
    if (c.containsKey("attn_mask3")) {
      inputs.add(tensor(c.get("attn_mask3")));
    }
    if (c.containsKey("key_padding_mask")) {
      // True (ignored) as 1, as the layer reads a boolean mask
      inputs.add(tensor(c.get("key_padding_mask")).to(DType.FLOAT32));
      inputs.add(tensor(c.get("attn_mask")));
    }
  }
}
