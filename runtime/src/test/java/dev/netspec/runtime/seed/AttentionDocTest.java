package dev.netspec.runtime.seed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netspec.runtime.nn.AttentionMask;
import dev.netspec.runtime.nn.Fixtures;
import dev.netspec.runtime.nn.Functional;
import dev.netspec.runtime.nn.MultiheadAttention;
import dev.netspec.runtime.nn.TransformerEncoderLayer;
import dev.netspec.runtime.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The attention examples of docs/sequence-models.md, on PyTorch's numbers: the encoder layer case
 * {@code norm_first=False batch_first=True gelu} of {@code fixtures/nn/attention.json}.
 */
class AttentionDocTest {
  @Test
  void encoderLayerWithPadding() {
    Map<String, Object> fixture = Fixtures.map(
        Fixtures.list(Fixtures.load("attention.json").get("encoder_layer")).get(3));
    Map<String, Tensor> stateDict = new LinkedHashMap<>();
    for (Object e : Fixtures.list(fixture.get("state"))) {
      List<Object> pair = Fixtures.list(e);
      stateDict.put((String) pair.get(0), Fixtures.tensor(pair.get(1)));
    }
    Tensor src = Fixtures.tensor(fixture.get("src")); // (N=2, S=5, E=8)
    Tensor padding = Fixtures.tensor(Fixtures.map(fixture.get("key_padding_mask")).get("values"));

    TransformerEncoderLayer layer = new TransformerEncoderLayer(
        8, 2, 16, 0.1, "gelu", 1e-5, /* batchFirst */ true, /* normFirst */ false).eval();
    layer.loadStateDict(stateDict, true);
    // padding: (N, S), 1 where a key is padding (PyTorch's True)
    Tensor y = layer.forward(src, null, AttentionMask.ofBool(padding));

    assertTrue(y.allclose(Fixtures.tensor(fixture.get("out")), 1e-4, 1e-4));
  }

  @Test
  void attentionFunctionAndLayer() {
    Tensor q = Tensor.randn(new dev.netspec.runtime.tensor.Generator(1), 2, 4, 6, 16);
    Tensor k = q;
    Tensor v = q;
    // (N, heads, L, head_dim) -> (N, heads, L, head_dim), query i sees keys 0..i
    Tensor out = Functional.scaledDotProductAttention(q, k, v, null, true);

    MultiheadAttention mha = new MultiheadAttention(64, 8, 0.0, true, /* batchFirst */ true);
    Tensor x = Tensor.zeros(2, 6, 64);
    MultiheadAttention.Output r = mha.forward(x, x, x, null, true, null, true);
    // r.output(): (2, 6, 64); r.weights(): (2, 6, 6), averaged over the heads

    assertArrayEquals(new int[] {2, 4, 6, 16}, out.shape());
    // the first query sees only the first key: its output is that key's value
    assertArrayEquals(v.select(2, 0).toFloatArray(), out.select(2, 0).toFloatArray(), 1e-6f);
    assertArrayEquals(new int[] {2, 6, 64}, r.output().shape());
    assertArrayEquals(new int[] {2, 6, 6}, r.weights().shape());
    assertEquals(1f / 6, r.weights().get(0, 0, 0), 1e-6f); // equal scores: uniform weights
  }

  private static void assertTrue(boolean condition) {
    org.junit.jupiter.api.Assertions.assertTrue(condition);
  }
}
