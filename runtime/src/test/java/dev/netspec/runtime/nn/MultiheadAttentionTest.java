package dev.netspec.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** MultiheadAttention and the Transformer layers beyond the fixtures: init, errors, training. */
class MultiheadAttentionTest {
  private static Tensor randn(long seed, int... shape) {
    return Tensor.randn(new Generator(seed), shape);
  }

  @Test
  void pytorchInitXavierOnTheInputProjectionZeroBiases() {
    MultiheadAttention m = new MultiheadAttention(16, 4);
    m.initialize(5);
    double xavier = Math.sqrt(6.0 / (16 + 48)); // fan_in 16, fan_out 48
    float[] w = m.inProjWeight.data().toFloatArray();
    float maxAbs = 0;
    for (float v : w) {
      maxAbs = Math.max(maxAbs, Math.abs(v));
    }
    assertTrue(maxAbs <= xavier && maxAbs > 0.8 * xavier, "xavier bound " + xavier + ", max " + maxAbs);
    assertArrayEquals(new float[48], m.inProjBias.data().toFloatArray(), "in_proj_bias zeros");
    assertArrayEquals(new float[16], m.outProj.bias.data().toFloatArray(), "out_proj.bias zeros");
    float[] first = w.clone();
    m.initialize(5);
    assertArrayEquals(first, m.inProjWeight.data().toFloatArray(), "same seed, same values");
    MultiheadAttention sep = new MultiheadAttention(8, 2, 0.0, true, false, false, 4, 3, false);
    double bound = Math.sqrt(6.0 / (4 + 8)); // k_proj_weight [8, 4]
    for (float v : sep.kProjWeight.data().toFloatArray()) {
      assertTrue(Math.abs(v) <= bound);
    }
  }

  @Test
  void refusalsNameTheArgument() {
    assertEquals("MultiheadAttention: add_bias_kv=True is not supported",
        assertThrows(UnsupportedOperationException.class, () -> new MultiheadAttention(8, 2, 0.0,
            true, true, false, null, null, false)).getMessage());
    assertEquals("MultiheadAttention: add_zero_attn=True is not supported",
        assertThrows(UnsupportedOperationException.class, () -> new MultiheadAttention(8, 2, 0.0,
            true, false, true, null, null, false)).getMessage());
    assertEquals("MultiheadAttention: embed_dim must be divisible by num_heads, got"
        + " embed_dim=10 and num_heads=3", assertThrows(IllegalArgumentException.class,
            () -> new MultiheadAttention(10, 3)).getMessage());
    assertEquals("TransformerEncoderLayer: activation should be relu/gelu, not tanh",
        assertThrows(IllegalArgumentException.class, () -> new TransformerEncoderLayer(8, 2, 16,
            0.1, "tanh", 1e-5, false, false)).getMessage());
    MultiheadAttention m = new MultiheadAttention(8, 2);
    Tensor x = randn(1, 2, 1, 8); // (L=2, N=1, E)
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.forward(x,
        x, x, null, false, AttentionMask.of(Tensor.zeros(3, 3)), true));
    assertEquals("MultiheadAttention: attn_mask of shape [3, 3] should be (L, S) = [2, 2] or"
        + " (N * num_heads, L, S) = [2, 2, 2]", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> m.forward(randn(1, 2, 1, 7)));
    assertEquals("scaled_dot_product_attention: an explicit attn_mask must not be set when"
        + " is_causal is true", assertThrows(IllegalArgumentException.class,
            () -> Functional.scaledDotProductAttention(x, x, x,
                AttentionMask.of(Tensor.zeros(2, 2)), true)).getMessage());
  }

  @Test
  void weightsAreProbabilities() {
    MultiheadAttention m = new MultiheadAttention(8, 4, 0.0, true, true).eval();
    Tensor q = randn(2, 3, 5, 8);
    Tensor kv = randn(3, 3, 7, 8);
    MultiheadAttention.Output out = m.forward(q, kv, kv, null, true, null, false);
    assertArrayEquals(new int[] {3, 5, 8}, out.output().shape());
    assertArrayEquals(new int[] {3, 4, 5, 7}, out.weights().shape());
    float[] sums = out.weights().sum(-1, false).toFloatArray();
    for (float s : sums) {
      assertEquals(1f, s, 1e-5f);
    }
  }

  @Test
  void dropoutOnTheWeightsInTrainingOnly() {
    MultiheadAttention m = new MultiheadAttention(8, 2, 1.0, true, false);
    m.outProj.bias.data().fill_(0.5f);
    Tensor x = randn(4, 3, 2, 8);
    MultiheadAttention.Output out = m.train().forward(x, x, x);
    // p = 1 drops every weight: the heads are 0 and the output is out_proj's bias
    assertArrayEquals(new float[3 * 2 * 3], out.weights().toFloatArray());
    for (float v : out.output().toFloatArray()) {
      assertEquals(0.5f, v);
    }
    // eval: dropout is the identity, as a layer without dropout with the same values
    MultiheadAttention plain = new MultiheadAttention(8, 2).eval();
    plain.loadStateDict(m.stateDict(), true);
    assertArrayEquals(plain.forward(x).toFloatArray(), m.eval().forward(x).toFloatArray());

    MultiheadAttention half = new MultiheadAttention(8, 2, 0.5, true, false).train();
    half.initialize(9);
    float[] a = half.forward(x, x, x).output().toFloatArray();
    float[] b = half.forward(x, x, x).output().toFloatArray();
    half.initialize(9);
    assertArrayEquals(a, half.forward(x, x, x).output().toFloatArray(), "seeded masks");
    assertFalse(java.util.Arrays.equals(a, b), "a new mask each call");
  }

  @Test
  void encoderLayerDropsOutInTrainingAndIsSeeded() {
    TransformerEncoderLayer layer = new TransformerEncoderLayer(8, 2, 16, 0.5, "gelu", 1e-5,
        true, true);
    Tensor x = randn(6, 2, 3, 8);
    layer.initialize(11).train();
    float[] train = layer.forward(x).toFloatArray();
    layer.initialize(11);
    assertArrayEquals(train, layer.forward(x).toFloatArray(), "same seed, same masks");
    assertNotEquals(java.util.Arrays.toString(train),
        java.util.Arrays.toString(layer.eval().forward(x).toFloatArray()));
  }

  @Test
  void oneLayerServesSeveralThreads() throws Exception {
    TransformerEncoderLayer layer = new TransformerEncoderLayer(16, 4, 32, 0.1, "relu", 1e-5,
        true, false).eval();
    Tensor x = randn(7, 2, 9, 16);
    float[] want = layer.forward(x).toFloatArray();
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      java.util.List<Future<float[]>> results = new java.util.ArrayList<>();
      for (int t = 0; t < 6; t++) {
        results.add(pool.submit(() -> layer.forward(x).toFloatArray()));
      }
      for (Future<float[]> f : results) {
        assertArrayEquals(want, f.get());
      }
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void decoderLayerWantsMemory() {
    TransformerDecoderLayer layer = new TransformerDecoderLayer(8, 2);
    assertThrows(UnsupportedOperationException.class, () -> layer.forward(Tensor.zeros(2, 8)));
  }

  /**
   * With 0 < p < 1 in training the returned per-head weights are the dropped ones, and the
   * output is {@code out_proj} of those weights times each head's values, computed here by
   * hand from the parameters (as PyTorch's multi_head_attention_forward does).
   */
  @Test
  void droppedWeightsWeighTheValues() {
    int e = 8;
    int heads = 2;
    int hd = e / heads;
    for (boolean batchFirst : new boolean[] {true, false}) {
      MultiheadAttention m = new MultiheadAttention(e, heads, 0.5, true, batchFirst);
      m.initialize(3).train();
      m.inProjBias.data().copy_(randn(4, 3 * e));
      m.outProj.bias.data().copy_(randn(5, e));
      int n = 2;
      int l = 3;
      Tensor x = randn(6, batchFirst ? n : l, batchFirst ? l : n, e);
      MultiheadAttention.Output out;
      try (dev.netspec.runtime.autograd.GradMode.Scope scope =
          dev.netspec.runtime.autograd.GradMode.noGrad()) {
        out = m.forward(x, x, x, null, true, null, false);
      }
      Tensor w = out.weights(); // (N, heads, L, S)
      assertArrayEquals(new int[] {n, heads, l, l}, w.shape());
      int zeros = 0;
      for (float v : w.toFloatArray()) {
        zeros += v == 0f ? 1 : 0;
      }
      assertTrue(zeros > 0, "some weights dropped");
      Tensor wIn = m.inProjWeight.data();
      Tensor bIn = m.inProjBias.data();
      Tensor wOut = m.outProj.weight.data();
      Tensor bOut = m.outProj.bias.data();
      for (int b = 0; b < n; b++) {
        for (int i = 0; i < l; i++) {
          double[] attn = new double[e];
          for (int h = 0; h < heads; h++) {
            for (int c = 0; c < hd; c++) {
              int row = 2 * e + h * hd + c; // the value projection's row
              double sum = 0;
              for (int j = 0; j < l; j++) {
                double v = bIn.get(row);
                for (int f = 0; f < e; f++) {
                  v += (double) wIn.get(row, f) * (batchFirst ? x.get(b, j, f) : x.get(j, b, f));
                }
                sum += w.get(b, h, i, j) * v;
              }
              attn[h * hd + c] = sum;
            }
          }
          for (int o = 0; o < e; o++) {
            double want = bOut.get(o);
            for (int f = 0; f < e; f++) {
              want += wOut.get(o, f) * attn[f];
            }
            float got = batchFirst ? out.output().get(b, i, o) : out.output().get(i, b, o);
            assertEquals(want, got, 1e-4, "batchFirst=" + batchFirst + " b=" + b + " i=" + i
                + " o=" + o);
          }
        }
      }
    }
  }

  @Test
  void configurationAsPyTorchNamesIt() {
    MultiheadAttention m = new MultiheadAttention(12, 3, 0.25, false, false, false, 5, 7, true);
    assertEquals(12, m.embedDim());
    assertEquals(3, m.numHeads());
    assertEquals(4, m.headDim());
    assertEquals(5, m.kdim());
    assertEquals(7, m.vdim());
    assertEquals(0.25, m.dropout());
    assertTrue(m.batchFirst());
    MultiheadAttention d = new MultiheadAttention(8, 2);
    assertEquals(8, d.kdim());
    assertEquals(8, d.vdim());
    assertFalse(d.batchFirst());
    assertEquals("MultiheadAttention: kdim must be greater than 0, got 0",
        assertThrows(IllegalArgumentException.class,
            () -> new MultiheadAttention(8, 2, 0.0, true, false, false, 0, null, false))
            .getMessage());
    assertEquals("MultiheadAttention: embed_dim and num_heads must be greater than 0, got"
        + " embed_dim=8 and num_heads=0", assertThrows(IllegalArgumentException.class,
            () -> new MultiheadAttention(8, 0)).getMessage());
  }
}
