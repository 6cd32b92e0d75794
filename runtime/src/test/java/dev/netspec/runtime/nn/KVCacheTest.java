package dev.netspec.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link KVCache#attend} step by step against {@link Functional#scaledDotProductAttention}
 * with {@code is_causal} over the whole sequence (itself checked against PyTorch's formula in
 * AttentionParityTest), for separate and packed projections, and its errors.
 */
class KVCacheTest {
  private static final int B = 2;
  private static final int H = 3;
  private static final int D = 5;
  private static final int T = 70; // past one block of keys

  /** {@code (B, T, H * D)} with the heads side by side as {@code (B, H, T, D)}. */
  private static Tensor heads(Tensor x) {
    return x.reshape(B, x.size(1), H, D).transpose(1, 2);
  }

  @Test
  void stepsOverTheCacheEqualCausalAttentionOverTheWholeSequence() {
    Generator g = new Generator(11);
    Tensor q = Tensor.randn(g, B, T, H * D);
    Tensor k = Tensor.randn(g, B, T, H * D);
    Tensor v = Tensor.randn(g, B, T, H * D);
    Tensor want = Functional.scaledDotProductAttention(heads(q), heads(k), heads(v), null, true)
        .transpose(1, 2).contiguous().reshape(B, T, H * D); // (B, T, H * D)
    Tensor packed = Tensor.concat(java.util.List.of(q, k, v), 2); // (B, T, 3 * H * D)

    KVCache separate = new KVCache(2, B, H, T, D);
    KVCache fused = new KVCache(2, B, H, T, D);
    int[] steps = {7, 1, 1, 50, 1, 10}; // a prefill, single tokens, a long chunk: 70 in all
    int p = 0;
    for (int n : steps) {
      Tensor got = separate.attend(1, p, q.narrow(1, p, n), k.narrow(1, p, n), v.narrow(1, p, n));
      Tensor gotPacked = fused.attend(1, p, packed.narrow(1, p, n));
      Tensor expected = want.narrow(1, p, n);
      assertTrue(expected.allclose(got, 1e-5, 1e-5), "separate q, k, v at [" + p + ", " + (p + n)
          + ")");
      assertTrue(expected.allclose(gotPacked, 1e-5, 1e-5), "packed qkv at [" + p + ", "
          + (p + n) + ")");
      p += n;
    }
    assertEquals(0, separate.length(), "layer 0 holds nothing: every layer must be fed");
    assertArrayEquals(new int[] {B, H, T, D}, separate.keys(1).shape());
    assertTrue(separate.values(1).select(1, 2).narrow(1, 0, T)
        .allclose(v.narrow(2, 2 * D, D), 0, 0), "head 2's values stored as given");
  }

  @Test
  void overflowAndGapsAreErrors() {
    KVCache cache = new KVCache(1, 1, 1, 4, 2);
    cache.attend(0, 0, Tensor.zeros(1, 3, 6));
    assertEquals(3, cache.length());
    IllegalStateException full = assertThrows(IllegalStateException.class,
        () -> cache.attend(0, 3, Tensor.zeros(1, 2, 6)));
    assertEquals("KVCache: tokens [3, 5) exceed max_len 4; reset() the cache or make a longer"
        + " one", full.getMessage());
    IllegalArgumentException gap = assertThrows(IllegalArgumentException.class,
        () -> cache.attend(0, 4, Tensor.zeros(1, 1, 6)));
    assertEquals("KVCache: position 4 of layer 0 must be in [0, 3]: the layer holds 3 tokens,"
        + " and positions may not skip any", gap.getMessage());
    IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
        () -> cache.attend(0, 0, Tensor.zeros(1, 1, 5)));
    assertEquals("KVCache: qkv must be (batch, n, 3 * heads * head_dim) = (1, n, 6), got [1, 1,"
        + " 5]", shape.getMessage());
    assertThrows(IndexOutOfBoundsException.class, () -> cache.attend(1, 0, Tensor.zeros(1, 1, 6)));
    cache.reset();
    assertEquals(0, cache.length());
    cache.attend(0, 0, Tensor.zeros(1, 4, 6)); // the whole max_len after a reset
    assertEquals(4, cache.length());
  }

  @Test
  void sizesAtTheirLimitsAndLayersByIndex() {
    KVCache least = new KVCache(1, 1, 1, 1, 1);
    assertEquals("KVCache(num_layers=1, batch=1, num_heads=1, max_len=1, head_dim=1, length=0)",
        least.toString());
    KVCache c = new KVCache(2, 3, 4, 5, 6);
    assertEquals(List.of(2, 3, 4, 5, 6),
        List.of(c.numLayers(), c.batch(), c.numHeads(), c.maxLength(), c.headDim()));
    String sizes = "KVCache: every size must be greater than 0, got num_layers=%d, batch=%d,"
        + " num_heads=%d, max_len=%d, head_dim=%d";
    for (int i = 0; i < 5; i++) {
      int[] a = {1, 1, 1, 1, 1};
      a[i] = 0;
      assertEquals(String.format(sizes, a[0], a[1], a[2], a[3], a[4]),
          assertThrows(IllegalArgumentException.class,
              () -> new KVCache(a[0], a[1], a[2], a[3], a[4])).getMessage());
    }
    assertEquals("KVCache: one layer's keys (1 x 1 x 46341 x 46341 floats) exceed a Java array;"
        + " total 4294976562 floats", assertThrows(IllegalArgumentException.class,
            () -> new KVCache(1, 1, 1, 46341, 46341)).getMessage(), "46341^2 > 2^31 - 9");
    assertEquals("KVCache: layer 2 is out of range [0, 2)",
        assertThrows(IndexOutOfBoundsException.class, () -> c.keys(2)).getMessage());
    assertEquals("KVCache: layer -1 is out of range [0, 2)",
        assertThrows(IndexOutOfBoundsException.class, () -> c.values(-1)).getMessage());
  }

  @Test
  void attendIntoAViewAtAnOffsetBumpsItsVersion() {
    Tensor qkv = Tensor.randn(new Generator(4), 1, 3, 3 * H * D);
    Tensor want = new KVCache(1, 1, H, 4, D).attend(0, 0, qkv);
    Tensor out = Tensor.zeros(2, 1, 3, H * D).select(0, 1);
    long version = out.version();
    KVCache cache = new KVCache(1, 1, H, 4, D);
    assertTrue(out.arrayOffset() > 0);
    cache.attendInto(0, 0, qkv, out);
    assertTrue(out.version() > version, "out's version grows");
    assertTrue(want.allclose(out, 0, 0), "written at out's offset");
  }

  /**
   * Storing tokens bumps the key and value buffers' versions: whatever was computed from
   * {@code keys(layer)} or {@code values(layer)} and keyed on their version (a tensor autograd
   * saved for a backward, a packed copy, a replica's copy) must see that they changed. Here a
   * backward through a product that saved the buffers fails with PyTorch's in-place message
   * instead of using the overwritten values.
   */
  @Test
  void storingTokensChangesTheBuffersVersionsSoSavedCopiesSeeIt() {
    Generator g = new Generator(5);
    KVCache cache = new KVCache(2, B, H, 8, D);
    cache.attend(0, 0, Tensor.randn(g, B, 2, 3 * H * D));
    long keys = cache.keys(0).version();
    long values = cache.values(0).version();
    Tensor wk = Tensor.randn(g, D).requiresGrad_(true);
    Tensor wv = Tensor.randn(g, D).requiresGrad_(true);
    Tensor fromKeys = cache.keys(0).mul(wk).sum(); // saves keys(0) for wk's gradient
    Tensor fromValues = cache.values(0).mul(wv).sum();

    cache.attend(0, 2, Tensor.randn(g, B, 1, 3 * H * D));
    assertTrue(cache.keys(0).version() > keys, "keys(0) stored a token: its version moves");
    assertTrue(cache.values(0).version() > values, "values(0) stored a token: its version moves");
    for (Tensor y : List.of(fromKeys, fromValues)) {
      IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
      assertTrue(e.getMessage().contains("has been modified by an inplace operation"),
          e.getMessage());
    }
  }
}
