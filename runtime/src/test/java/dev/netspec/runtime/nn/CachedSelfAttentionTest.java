package dev.netspec.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The spec's {@code kv_cache} layer: at position 0 it is causal self-attention of the split
 * heads (checked against a scalar computation written here), a later call sees the cached
 * tokens, and a model's caches are found, moved and reset together; its errors.
 */
class CachedSelfAttentionTest {
  /** Causal softmax attention of {@code qkv (1, t, 3 * e)}, {@code heads} heads, in doubles. */
  private static double[] reference(Tensor qkv, int heads) {
    int t = qkv.size(1);
    int e = qkv.size(2) / 3;
    int d = e / heads;
    double[] out = new double[t * e];
    for (int h = 0; h < heads; h++) {
      for (int i = 0; i < t; i++) {
        double[] s = new double[i + 1];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j <= i; j++) {
          double dot = 0;
          for (int c = 0; c < d; c++) {
            dot += qkv.get(0, i, h * d + c) * qkv.get(0, j, e + h * d + c);
          }
          s[j] = dot / Math.sqrt(d);
          max = Math.max(max, s[j]);
        }
        double sum = 0;
        for (int j = 0; j <= i; j++) {
          s[j] = Math.exp(s[j] - max);
          sum += s[j];
        }
        for (int c = 0; c < d; c++) {
          double acc = 0;
          for (int j = 0; j <= i; j++) {
            acc += s[j] / sum * qkv.get(0, j, 2 * e + h * d + c);
          }
          out[i * e + h * d + c] = acc;
        }
      }
    }
    return out;
  }

  private static void assertClose(double[] want, Tensor got, int fromRow, int e) {
    float[] g = got.contiguous().toFloatArray();
    for (int i = 0; i < g.length; i++) {
      double w = want[fromRow * e + i];
      assertTrue(Math.abs(w - g[i]) <= 1e-5 + 1e-5 * Math.abs(w), "element " + i + ": " + g[i] + " vs " + w);
    }
  }

  @Test
  void wholeSequenceAndOneTokenAtATimeAreCausalAttention() {
    Tensor qkv = Tensor.randn(new Generator(3), 1, 7, 3 * 8); // 7 tokens, embed 8, 2 heads
    double[] want = reference(qkv, 2);
    CachedSelfAttention whole = new CachedSelfAttention(8, 2, 10);
    assertClose(want, whole.forward(qkv), 0, 8);

    CachedSelfAttention steps = new CachedSelfAttention(8, 2, 10);
    assertClose(want, steps.forward(qkv.narrow(1, 0, 3).contiguous()), 0, 8); // prefill 3
    for (int p = 3; p < 7; p++) {
      steps.seek(p);
      Tensor out = Tensor.zeros(1, 1, 8);
      assertClose(want, steps.forward(qkv.narrow(1, p, 1).contiguous(), out), p, 8);
    }
    assertEquals("CachedSelfAttention(embed_dim=8, num_heads=2, max_len=10)", steps.toString());
    assertTrue(steps.stateDict().isEmpty(), "no parameters, no buffers");
  }

  @Test
  void aModelsCachesMoveAndResetTogether() {
    Sequential model = new Sequential(new CachedSelfAttention(8, 2, 10), new CachedSelfAttention(8, 2, 6));
    List<CachedSelfAttention> caches = CachedSelfAttention.in(model);
    assertEquals(2, caches.size());
    assertEquals(6, CachedSelfAttention.maxContext(caches));
    CachedSelfAttention.seek(caches, 4);
    assertEquals(List.of(4, 4), caches.stream().map(CachedSelfAttention::position).toList());
    CachedSelfAttention.reset(caches);
    assertEquals(List.of(0, 0), caches.stream().map(CachedSelfAttention::position).toList());
  }

  @Test
  void mistakesAreOneMessage() {
    IllegalStateException none = assertThrows(IllegalStateException.class,
        () -> CachedSelfAttention.in(new Sequential(new ReLU())));
    assertEquals("Sequential decodes from a position but holds no kv_cache layer to remember the"
        + " earlier tokens", none.getMessage());
    CachedSelfAttention a = new CachedSelfAttention(8, 2, 10);
    IllegalArgumentException far = assertThrows(IllegalArgumentException.class, () -> a.seek(10));
    assertEquals("CachedSelfAttention: position 10 is outside [0, 10) (max_len 10)", far.getMessage());
    IllegalArgumentException width = assertThrows(IllegalArgumentException.class,
        () -> a.forward(Tensor.zeros(1, 2, 8)));
    assertEquals("CachedSelfAttention: expected qkv (batch, n, 3 * 8), got [1, 2, 8]", width.getMessage());
    a.forward(Tensor.zeros(1, 2, 24));
    a.seek(2);
    IllegalArgumentException batch = assertThrows(IllegalArgumentException.class,
        () -> a.forward(Tensor.zeros(3, 1, 24)));
    assertTrue(batch.getMessage().startsWith("CachedSelfAttention: a batch of 3 at position 2"),
        batch.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new CachedSelfAttention(8, 3, 10));
  }

  @Test
  void sizesAndPositionsAtTheirLimits() {
    CachedSelfAttention one = new CachedSelfAttention(1, 1, 1); // the least of each
    assertEquals(1, one.maxLen());
    one.seek(0);
    assertEquals(0, one.position());
    String refused = "CachedSelfAttention: embed_dim (%d) must be a positive multiple of"
        + " num_heads (%d) and max_len (%d) positive";
    for (int[] bad : new int[][] {{0, 1, 1}, {2, 0, 1}, {2, 1, 0}, {-2, 1, 1}, {3, 2, 4}}) {
      assertEquals(String.format(refused, bad[0], bad[1], bad[2]),
          assertThrows(IllegalArgumentException.class,
              () -> new CachedSelfAttention(bad[0], bad[1], bad[2])).getMessage());
    }
    CachedSelfAttention a = new CachedSelfAttention(8, 2, 10);
    assertEquals(10, a.maxLen());
    a.forward(Tensor.zeros(1, 9, 24));
    a.seek(9); // the last position
    assertEquals(9, a.position());
    assertEquals("CachedSelfAttention: position -1 is outside [0, 10) (max_len 10)",
        assertThrows(IllegalArgumentException.class, () -> a.seek(-1)).getMessage());
    assertEquals(9, a.position(), "a refused seek leaves the position");
    a.reset();
    assertEquals(0, a.position());
    assertSame(a, a.eval());
    assertEquals(false, a.isTraining());
    assertSame(a, a.train());
    assertSame(a, a.train(false));
  }
}
