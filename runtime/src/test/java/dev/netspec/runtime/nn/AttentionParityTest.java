package dev.netspec.runtime.nn;

import static dev.netspec.runtime.nn.Fixtures.list;
import static dev.netspec.runtime.nn.Fixtures.map;
import static dev.netspec.runtime.nn.Fixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import dev.netspec.runtime.autograd.GradMode;
import dev.netspec.runtime.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Attention and the Transformer layers against PyTorch: the fixtures {@code sdpa.json} and
 * {@code attention.json} that {@code tools/fixtures/attention_fixtures.py} writes (outputs,
 * reprs, state-dict keys and order), loaded into layers built with the same arguments.
 */
class AttentionParityTest {
  private static final Map<String, Object> SDPA = Fixtures.load("sdpa.json");
  private static final Map<String, Object> LAYERS = Fixtures.load("attention.json");
  private static final double TOL = 2e-5;

  /** Same shape; every value within {@code tol * (1 + |want|)}, NaN where PyTorch has NaN. */
  static void assertClose(Tensor want, Tensor got, double tol, String what) {
    assertArrayEquals(want.shape(), got.shape(), what + ": shape");
    float[] w = want.contiguous().toFloatArray();
    float[] g = got.contiguous().toFloatArray();
    for (int i = 0; i < w.length; i++) {
      boolean ok = Float.isNaN(w[i]) ? Float.isNaN(g[i])
          : Math.abs(w[i] - g[i]) <= tol * (1 + Math.abs(w[i]));
      if (!ok) {
        fail(what + ": element " + i + " is " + g[i] + ", PyTorch has " + w[i] + " (tol " + tol
            + ")");
      }
    }
  }

  private static AttentionMask mask(Object o) {
    if (o == null) {
      return null;
    }
    Map<String, Object> m = map(o);
    Tensor t = tensor(m.get("values"));
    return (Boolean) m.get("bool") ? AttentionMask.ofBool(t) : AttentionMask.of(t);
  }

  private static Map<String, Tensor> state(Object o) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Object e : list(o)) {
      out.put((String) list(e).get(0), tensor(list(e).get(1)));
    }
    return out;
  }

  /** Same keys in the same order with the same shapes; then loads the values. */
  private static void load(Module m, Object fixtureState, String what) {
    Map<String, Tensor> want = state(fixtureState);
    Map<String, Tensor> have = m.stateDict();
    assertEquals(new ArrayList<>(want.keySet()), new ArrayList<>(have.keySet()),
        what + ": state-dict keys");
    for (String k : want.keySet()) {
      assertArrayEquals(want.get(k).shape(), have.get(k).shape(), what + ": shape of " + k);
    }
    m.loadStateDict(want, true);
  }

  private static int intArg(Map<String, Object> args, String name, int fallback) {
    Object v = args.get(name);
    return v == null ? fallback : ((Number) v).intValue();
  }

  private static boolean boolArg(Map<String, Object> args, String name, boolean fallback) {
    Object v = args.get(name);
    return v == null ? fallback : (Boolean) v;
  }

  // ---------------------------------------------------------------- functions

  @Test
  void scaledDotProductAttentionMatchesTheFormula() {
    for (Object o : list(SDPA.get("cases"))) {
      Map<String, Object> c = map(o);
      String what = "sdpa " + c.get("name");
      AttentionMask m = mask(c.get("mask"));
      boolean causal = (Boolean) c.get("causal");
      Tensor q = tensor(c.get("q"));
      Tensor k = tensor(c.get("k"));
      Tensor v = tensor(c.get("v"));
      Tensor got = c.get("scale") == null
          ? Functional.scaledDotProductAttention(q, k, v, m, causal)
          : Functional.scaledDotProductAttention(q, k, v, m, causal,
              ((Number) c.get("scale")).floatValue());
      assertClose(tensor(c.get("out")), got, TOL, what);
      if (c.get("scale") == null && m != null && m.isBool()) { // the into form of a boolean mask
        Tensor want = tensor(c.get("out"));
        Tensor into = Tensor.zeros(want.shape()).fill_(Float.NaN);
        assertSame(into, Functional.scaledDotProductAttentionBoolInto(q, k, v, m.values(), into));
        assertClose(want, into, TOL, what + ", into");
      }
      if (c.get("scale") == null && (m == null || !m.isBool())) { // the into form: float masks
        Tensor want = tensor(c.get("out"));
        Tensor into = Tensor.zeros(want.shape()).fill_(Float.NaN);
        assertSame(into, Functional.scaledDotProductAttentionInto(q, k, v, m == null ? null : m.values(),
            causal, into));
        assertClose(want, into, TOL, what + ", into");
        if (want.dim() == 4) { // into a (batch, heads, L, Ev) view of a (batch, L, heads, Ev) buffer
          Tensor inner = Tensor.zeros(want.size(0), want.size(2), want.size(1), want.size(3)).transpose(1, 2);
          Functional.scaledDotProductAttentionInto(q, k, v, m == null ? null : m.values(), causal, inner);
          assertClose(want, inner, TOL, what + ", into a heads-inner buffer");
        }
      }
    }
  }

  @Test
  void sdpaReadsTransposedViews() {
    Map<String, Object> c = map(list(SDPA.get("cases")).get(2)); // "4d odd sizes"
    Tensor q = tensor(c.get("q"));
    Tensor qt = q.transpose(1, 2).contiguous().transpose(1, 2); // same values, not contiguous
    Tensor got = Functional.scaledDotProductAttention(qt, tensor(c.get("k")),
        tensor(c.get("v")), null, false);
    assertClose(tensor(c.get("out")), got, TOL, "sdpa on a non-contiguous q");
  }

  @Test
  void geluTanhAndSoftmaxOverEveryDim() {
    Map<String, Object> e = map(SDPA.get("elementwise"));
    Tensor x = tensor(e.get("x"));
    assertClose(tensor(e.get("gelu_tanh")), Functional.gelu(x, "tanh"), 1e-6, "gelu tanh");
    assertClose(tensor(e.get("gelu_tanh")), new GELU("tanh").forward(x), 1e-6, "GELU('tanh')");
    Tensor into = Tensor.zeros(x.shape()).fill_(Float.NaN);
    assertSame(into, Functional.geluInto(x, "tanh", into));
    assertClose(tensor(e.get("gelu_tanh")), into, 1e-6, "geluInto(x, 'tanh', out)");
    assertArrayEquals(Functional.gelu(x, "tanh").toFloatArray(),
        new GELU("tanh").forward(x, Tensor.zeros(x.shape())).toFloatArray(), 0f, "the same floats");
    assertClose(tensor(e.get("gelu_none")), Functional.gelu(x, "none"), 1e-6, "gelu none");
    for (Object o : list(e.get("softmax"))) {
      int dim = ((Number) map(o).get("dim")).intValue();
      assertClose(tensor(map(o).get("out")), Functional.softmax(x, dim), 1e-6,
          "softmax dim=" + dim);
    }
  }

  // ---------------------------------------------------------------- layers

  static MultiheadAttention mha(Map<String, Object> args) {
    Object kdim = args.get("kdim");
    Object vdim = args.get("vdim");
    return new MultiheadAttention(intArg(args, "embed_dim", 0), intArg(args, "num_heads", 0),
        0.0, boolArg(args, "bias", true), false, false,
        kdim == null ? null : ((Number) kdim).intValue(),
        vdim == null ? null : ((Number) vdim).intValue(), boolArg(args, "batch_first", false));
  }

  /** Recording (the parameters require grad): the projections are recorded slices. */
  @Test
  void multiheadAttentionMatchesPyTorch() {
    multiheadAttentionCases(false);
  }

  /**
   * Inference (no_grad, as a server runs it): the projections are cached views of the packed
   * weight and the masks go straight to the kernel; each case runs twice, the second time on
   * the cached views.
   */
  @Test
  void multiheadAttentionMatchesPyTorchWithoutRecording() {
    try (GradMode.Scope scope = GradMode.noGrad()) {
      multiheadAttentionCases(true);
    }
  }

  private static void multiheadAttentionCases(boolean twice) {
    for (Object o : list(LAYERS.get("mha"))) {
      Map<String, Object> c = map(o);
      String what = "MultiheadAttention " + c.get("name");
      MultiheadAttention m = mha(map(c.get("args"))).eval();
      assertEquals(c.get("repr"), m.toString(), what + ": repr");
      load(m, c.get("state"), what);
      Tensor q = tensor(c.get("query"));
      boolean self = (Boolean) c.get("self_attention");
      Tensor k = self ? q : tensor(c.get("key"));
      Tensor v = self ? q : tensor(c.get("value"));
      boolean needWeights = (Boolean) c.get("need_weights");
      for (int call = 0; call < (twice ? 2 : 1); call++) {
        String at = what + (call == 0 ? "" : ", second call");
        MultiheadAttention.Output out = m.forward(q, k, v, mask(c.get("key_padding_mask")),
            needWeights, mask(c.get("attn_mask")), (Boolean) c.get("average_attn_weights"));
        assertClose(tensor(c.get("out")), out.output(), TOL, at + ": output");
        if (needWeights) {
          assertClose(tensor(c.get("weights")), out.weights(), TOL, at + ": weights");
        } else {
          assertNull(out.weights(), at + ": weights not asked for");
        }
      }
    }
  }

  static TransformerEncoderLayer encoderLayer(Map<String, Object> args) {
    Object eps = args.get("layer_norm_eps");
    Object act = args.get("activation");
    return new TransformerEncoderLayer(intArg(args, "d_model", 0), intArg(args, "nhead", 0),
        intArg(args, "dim_feedforward", 2048), 0.1, act == null ? "relu" : (String) act,
        eps == null ? 1e-5 : ((Number) eps).doubleValue(), boolArg(args, "batch_first", false),
        boolArg(args, "norm_first", false));
  }

  @Test
  void encoderLayerMatchesPyTorch() {
    for (Object o : list(LAYERS.get("encoder_layer"))) {
      Map<String, Object> c = map(o);
      String what = "TransformerEncoderLayer " + c.get("name");
      TransformerEncoderLayer layer = encoderLayer(map(c.get("args"))).eval();
      assertEquals(c.get("repr"), layer.toString(), what + ": repr");
      load(layer, c.get("state"), what);
      Tensor got = layer.forward(tensor(c.get("src")), mask(c.get("mask")),
          mask(c.get("key_padding_mask")));
      assertClose(tensor(c.get("out")), got, 1e-4, what);
    }
  }

  @Test
  void encoderStackMatchesPyTorch() {
    Map<String, Object> c = map(LAYERS.get("encoder"));
    TransformerEncoderLayer layer = encoderLayer(map(c.get("layer_args")));
    TransformerEncoder enc =
        new TransformerEncoder(layer, 2, new LayerNorm(new int[] {8}, 1e-5, true)).eval();
    assertEquals(c.get("repr"), enc.toString(), "TransformerEncoder repr");
    load(enc, c.get("state"), "TransformerEncoder");
    Tensor got = enc.forward(tensor(c.get("src")), mask(c.get("mask")),
        mask(c.get("key_padding_mask")));
    assertClose(tensor(c.get("out")), got, 1e-4, "TransformerEncoder, 2 layers");
    assertEquals(c.get("plain_repr"),
        new TransformerEncoder(new TransformerEncoderLayer(8, 2, 16, 0.1, "relu", 1e-5, false,
            false), 2).toString(), "TransformerEncoder without norm: repr");
  }

  @Test
  void encoderCopiesStartWithTheLayersValues() {
    TransformerEncoderLayer layer = new TransformerEncoderLayer(8, 2, 16, 0.1, "relu", 1e-5,
        false, false);
    TransformerEncoder enc = new TransformerEncoder(layer, 2);
    for (int i = 0; i < 2; i++) {
      assertArrayEquals(layer.selfAttn.inProjWeight.data().toFloatArray(),
          enc.layer(i).selfAttn.inProjWeight.data().toFloatArray(), "layer " + i);
    }
    enc.layer(0).linear1.weight.data().add_(1f);
    assertEquals(layer.linear1.weight.data().get(0, 0), enc.layer(1).linear1.weight.data()
        .get(0, 0), "the copies do not share storage");
  }

  @Test
  void decoderLayerMatchesPyTorch() {
    decoderLayerCases();
  }

  /** The cross-attention's inference path: query from tgt, key and value from memory. */
  @Test
  void decoderLayerMatchesPyTorchWithoutRecording() {
    try (GradMode.Scope scope = GradMode.noGrad()) {
      decoderLayerCases();
    }
  }

  private static void decoderLayerCases() {
    for (Object o : list(LAYERS.get("decoder_layer"))) {
      Map<String, Object> c = map(o);
      String what = "TransformerDecoderLayer " + c.get("name");
      Map<String, Object> args = map(c.get("args"));
      TransformerDecoderLayer layer = new TransformerDecoderLayer(intArg(args, "d_model", 0),
          intArg(args, "nhead", 0), intArg(args, "dim_feedforward", 0), 0.1,
          (String) args.get("activation"), 1e-5, boolArg(args, "batch_first", false),
          boolArg(args, "norm_first", false)).eval();
      assertEquals(c.get("repr"), layer.toString(), what + ": repr");
      load(layer, c.get("state"), what);
      Tensor got = layer.forward(tensor(c.get("tgt")), tensor(c.get("memory")),
          mask(c.get("tgt_mask")), mask(c.get("memory_mask")),
          mask(c.get("tgt_key_padding_mask")), mask(c.get("memory_key_padding_mask")));
      assertClose(tensor(c.get("out")), got, 1e-4, what);
    }
  }

  @Test
  void reprsAndKeysOfDefaults() {
    Map<String, Object> r = map(LAYERS.get("reprs"));
    assertEquals(r.get("mha"), new MultiheadAttention(8, 2).toString());
    assertEquals(r.get("mha_kdim"),
        new MultiheadAttention(8, 2, 0.0, false, false, false, 4, 3, false).toString());
    List<String> keys = new ArrayList<>();
    new MultiheadAttention(8, 2, 0.0, true, false, false, 4, 3, false).stateDict()
        .forEach((k, v) -> keys.add(k + " " + java.util.Arrays.toString(v.shape())));
    assertEquals(pairs(r.get("mha_kdim_keys")), keys, "kdim/vdim state dict");
    assertEquals(r.get("encoder_layer_default"), new TransformerEncoderLayer(8, 2).toString());
    assertEquals(r.get("decoder_layer_default"), new TransformerDecoderLayer(8, 2).toString());
    List<String> dkeys = new ArrayList<>();
    new TransformerDecoderLayer(8, 2, 16, 0.1, "relu", 1e-5, false, false).stateDict()
        .forEach((k, v) -> dkeys.add(k + " " + java.util.Arrays.toString(v.shape())));
    assertEquals(pairs(r.get("decoder_layer_keys")), dkeys, "decoder layer state dict");
    assertEquals(r.get("gelu_tanh"), new GELU("tanh").toString());
  }

  private static List<String> pairs(Object o) {
    List<String> out = new ArrayList<>();
    Fixtures.shapes(o).forEach((k, v) -> out.add(k + " " + v));
    return out;
  }
}
