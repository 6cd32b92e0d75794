package dev.netspec.compiler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.netspec.runtime.generate.CausalLM;
import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A block with {@code position: start} ({@code generate.Decoding}), compiled and run: causal
 * attention makes the logits of token {@code t} depend on tokens {@code 0..t} only, so feeding
 * the tokens one call at a time through the kv caches must give the logits of the whole
 * sequence in one call, row by row; a call at an earlier position forgets the tokens from there
 * on, and {@code resetCache()} forgets them all.
 */
class DecodingTest {
  private static final String SPEC = """
      netspec: 1
      package: t.dec
      blocks:
        Attention:
          args: {dim: int, heads: int}
          input: [batch, seq, dim]
          layers:
            qkv: {linear: 3 * dim}
            cache: {kv_cache: {embed_dim: dim, num_heads: heads, max_len: 12}}
            proj: {linear: dim}
          forward: proj(cache(qkv(x)))
        Decoder:
          inputs: {ids: [batch, seq, int64]}
          position: start
          layers:
            embed: {embedding: {num_embeddings: 10, embedding_dim: 8}}
            pos: {embedding: {num_embeddings: 16, embedding_dim: 8}}
            attn: {Attention: {dim: 8, heads: 2}}
            second: {kv_cache: {embed_dim: 8, num_heads: 1, max_len: 9}}
            widen: {linear: 24}
            head: {linear: 10}
          forward: head(second(widen(attn(embed(ids) + pos(arange(start, start + seq))))))
      """;
  private static final long[] IDS = {3, 1, 4, 1, 5, 9, 2};

  private static Class<?> decoder;

  @BeforeAll
  static void compile() throws ClassNotFoundException {
    Compilation c = Specs.compileClean("d.yaml", SPEC);
    decoder = InMemoryJavac.compile(c.files()).loadClass("t.dec.Decoder");
  }

  private static CausalLM model() throws ReflectiveOperationException {
    Module m = (Module) decoder.getConstructor().newInstance();
    Map<String, Tensor> state = new LinkedHashMap<>();
    m.stateDict().forEach((name, t) ->
        state.put(name, GeneratedModelsTest.pattern(t.shape(), k -> Math.sin(0.29 * k + name.length()) / 2)));
    m.loadStateDict(state, true);
    m.eval();
    return (CausalLM) m;
  }

  private static Tensor ids(int from, int to) {
    long[] part = java.util.Arrays.copyOfRange(IDS, from, to);
    return Tensor.ofLongs(part, 1, part.length);
  }

  private static void assertRows(Tensor whole, int from, Tensor part, String what) {
    for (int t = 0; t < part.shape()[1]; t++) {
      for (int v = 0; v < 10; v++) {
        assertEquals(whole.get(0, from + t, v), part.get(0, t, v), 1e-5, what + ": token " + (from + t) + ", logit " + v);
      }
    }
  }

  @Test
  void tokenByTokenGivesTheLogitsOfTheWholeSequence() throws ReflectiveOperationException {
    CausalLM m = model();
    Tensor whole = m.forward(ids(0, IDS.length), 0).clone();
    assertArrayEquals(new int[] {1, IDS.length, 10}, whole.shape());
    m.resetCache();
    for (int t = 0; t < IDS.length; t++) {
      assertRows(whole, t, m.forward(ids(t, t + 1), t), "one token a call");
    }
    // the second call at position 3 forgets tokens 3.. of the first: the same rows again
    m.resetCache();
    m.forward(ids(0, 3), 0);
    m.forward(ids(3, 5), 3);
    assertRows(whole, 3, m.forward(ids(3, IDS.length), 3).clone(), "back to position 3");
    // the Module's forward(x) is the whole sequence from position 0, after any earlier calls
    assertRows(whole, 0, ((Module) m).forward(ids(0, IDS.length)), "forward(ids)");
  }

  @Test
  void theTokensBeforeAPositionComeFromTheEarlierCalls() throws ReflectiveOperationException {
    CausalLM m = model();
    Tensor whole = m.forward(ids(0, IDS.length), 0).clone();
    m.resetCache();
    m.forward(ids(0, 4), 0);
    Tensor last = m.forward(ids(4, IDS.length), 4).clone();
    assertRows(whole, 4, last, "after the first four");
    // other tokens before position 4 give other logits for the same tokens 4..
    m.resetCache();
    m.forward(Tensor.ofLongs(new long[] {0, 0, 0, 0}, 1, 4), 0);
    Tensor other = m.forward(ids(4, IDS.length), 4);
    assertNotEquals(last.get(0, 0, 0), other.get(0, 0, 0), 1e-4);
  }

  @Test
  void theContextIsTheLeastMaxLenAndResetForgetsEveryToken() throws ReflectiveOperationException {
    CausalLM m = model();
    assertEquals(9, m.maxContext());
    Tensor first = m.forward(ids(0, 2), 0).clone();
    m.forward(ids(2, 5), 2);
    m.resetCache();
    Tensor logits = Tensor.zeros(1, 2, 10).fill_(Float.NaN);
    assertSame(logits, m.forward(ids(0, 2), 0, logits));
    assertRows(first, 0, logits, "after resetCache()");
  }
}
