package dev.netspec.runtime.seed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.generate.CausalLM;
import dev.netspec.runtime.generate.Generation;
import dev.netspec.runtime.nn.Embedding;
import dev.netspec.runtime.nn.Functional;
import dev.netspec.runtime.nn.KVCache;
import dev.netspec.runtime.nn.Linear;
import dev.netspec.runtime.nn.Sequential;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The examples of docs/sequence-models.md's section on generation: a KV cache's steps against causal
 * attention over the whole sequence, and greedy and sampled decoding of a bigram model whose
 * greedy tokens are worked out here from its logits.
 */
class GenerationDocTest {
  @Test
  void kvCache() {
    Generator gen = new Generator(5);
    Tensor qkv = Tensor.randn(gen, 1, 10, 24); // 10 tokens' q | k | v, 2 heads of 4 each

    KVCache cache = new KVCache(1, 1, 2, 16, 4); // 1 layer, batch 1, 2 heads, max_len 16, head_dim 4
    Tensor prompt = cache.attend(0, 0, qkv.narrow(1, 0, 9)); // (1, 9, 8): positions 0..8
    Tensor step = cache.attend(0, 9, qkv.narrow(1, 9, 1)); // (1, 1, 8): position 9 sees 0..9

    // the same as causal attention over all 10 tokens, heads as (batch, heads, seq, head_dim)
    Tensor q = qkv.narrow(2, 0, 8).reshape(1, 10, 2, 4).transpose(1, 2);
    Tensor k = qkv.narrow(2, 8, 8).reshape(1, 10, 2, 4).transpose(1, 2);
    Tensor v = qkv.narrow(2, 16, 8).reshape(1, 10, 2, 4).transpose(1, 2);
    Tensor all = Functional.scaledDotProductAttention(q, k, v, null, true)
        .transpose(1, 2).reshape(1, 10, 8);
    assertTrue(all.narrow(1, 0, 9).allclose(prompt, 1e-6, 1e-6));
    assertTrue(all.narrow(1, 9, 1).allclose(step, 1e-6, 1e-6));
    assertEquals(10, cache.length());
  }

  @Test
  void greedyAndSampledGeneration() {
    // a bigram language model: ids (batch, t) -> logits (batch, t, 7)
    Sequential bigram = new Sequential(new Embedding(7, 4), new Linear(4, 7));
    bigram.initialize(3);
    CausalLM lm = CausalLM.recomputing(bigram, 16); // no cache: runs every token at each step
    Tensor prompt = Tensor.ofLongs(new long[] {2, 5}, 2, 1); // 2 prompts of 1 token

    Tensor greedy = Generation.greedy().generate(lm, prompt, 8); // (2, 9) int64
    Tensor sampled = Generation.sampling(0.8, 3, 42).generate(lm, prompt, 8);

    assertArrayEquals(new int[] {2, 9}, greedy.shape());
    for (int s = 0; s < 2; s++) { // each token is the argmax of the logits after the last one
      for (int t = 1; t < 9; t++) {
        float[] logits = bigram.forward(Tensor.ofLongs(new long[] {greedy.getLong(s, t - 1)}, 1,
            1)).toFloatArray();
        int best = 0;
        for (int i = 1; i < 7; i++) {
          best = logits[i] > logits[best] ? i : best;
        }
        assertEquals(best, greedy.getLong(s, t), "sequence " + s + " token " + t);
      }
    }
    assertArrayEquals(sampled.toLongArray(),
        Generation.sampling(0.8, 3, 42).generate(lm, prompt, 8).toLongArray(), "one seed");
  }
}
