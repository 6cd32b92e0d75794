package dev.netspec.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.netspec.runtime.autograd.GradMode;
import dev.netspec.runtime.generate.CausalLM;
import dev.netspec.runtime.generate.Generation;
import dev.netspec.runtime.io.SafeTensors;
import dev.netspec.runtime.io.SafeTensorsFile;
import dev.netspec.runtime.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * specs/gpt2.yaml (nanoGPT's GPT-2 with a KV cache) against PyTorch: the state dict of
 * tools/fixtures/gpt2_fixtures.py loads strictly with exactly its keys (the tied pair
 * included), the logits match within 1e-4 relative, and greedy decoding over the cache gives
 * PyTorch's 32 tokens (computed there without a cache), as decoding by recomputing the whole
 * sequence does. GPT-2 small's size runs when the local fixture exists
 * ({@code gpt2_fixtures.py --local}).
 */
class Gpt2Test {
  private static final Path FIXTURES =
      RepoFiles.root().resolve("generated-examples/src/test/resources/fixtures/gpt2");

  /** The GPT of {@code weights}' config, loaded strictly, in eval mode. */
  private static GPT load(SafeTensorsFile weights) {
    Map<String, String> c = weights.metadata();
    assertEquals("12", c.get("n_layer"), "the spec has 12 layers");
    GPT gpt = new GPT(Integer.parseInt(c.get("vocab_size")), Integer.parseInt(c.get("block_size")),
        Integer.parseInt(c.get("n_head")), Integer.parseInt(c.get("n_embd")));
    gpt.loadStateDict(weights.tensors(), true);
    return gpt.eval();
  }

  private static SafeTensorsFile read(Path file) {
    try {
      return SafeTensors.load(file);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** {@code |a - b| <= 1e-4 * max(1, |b|)} everywhere. */
  private static void assertClose(Tensor want, Tensor got, String what) {
    assertArrayEquals(want.shape(), got.shape(), what + ": shape");
    float[] w = want.contiguous().toFloatArray();
    float[] g = got.contiguous().toFloatArray();
    for (int i = 0; i < w.length; i++) {
      double tol = 1e-4 * Math.max(1, Math.abs(w[i]));
      if (Math.abs(w[i] - g[i]) > tol) {
        throw new AssertionError(what + ": element " + i + " is " + g[i] + ", PyTorch " + w[i]
            + " (tolerance " + tol + ")");
      }
    }
  }

  @Test
  void stateDictKeysAreNanoGptsAndTheHeadIsTied() {
    SafeTensorsFile weights = read(FIXTURES.resolve("gpt2_small_test.safetensors"));
    GPT gpt = load(weights);
    assertEquals(new TreeSet<>(weights.tensors().keySet()), new TreeSet<>(gpt.stateDict().keySet()));
    assertTrue(gpt.stateDict().containsKey("transformer.h.11.attn.c_attn.weight"));
    assertSame(gpt.lmHead.weight.data(), gpt.transformer.wte.weight.data(), "lm_head.weight is transformer.wte.weight");
    assertEquals(12 * 12_704 + 64 * 32 + 48 * 32 + 2 * 32, gpt.parameters().stream().mapToLong(p -> p.data().numel()).sum(),
        "parameters() counts the tied weight once");
  }

  @Test
  void logitsMatchPyTorch() {
    GPT gpt = load(read(FIXTURES.resolve("gpt2_small_test.safetensors")));
    Map<String, Tensor> io = read(FIXTURES.resolve("gpt2_small_test.io.safetensors")).tensors();
    assertClose(io.get("logits"), gpt.forward(io.get("greedy")), "logits of the 37 tokens");
  }

  @Test
  void greedyDecodingOverTheCacheGivesPyTorchsTokens() {
    GPT gpt = load(read(FIXTURES.resolve("gpt2_small_test.safetensors")));
    Map<String, Tensor> io = read(FIXTURES.resolve("gpt2_small_test.io.safetensors")).tensors();
    Tensor prompt = io.get("prompt");
    Tensor want = io.get("greedy");
    int newTokens = want.size(1) - prompt.size(1);
    assertEquals(32, newTokens);
    assertEquals(48, gpt.maxContext());

    Tensor cached = Generation.greedy().generate(gpt, prompt, newTokens);
    assertArrayEquals(want.toLongArray(), cached.toLongArray(), "greedy tokens over the KV cache");
    Tensor recomputed = Generation.greedy()
        .generate(CausalLM.recomputing(gpt, gpt.maxContext()), prompt, newTokens);
    assertArrayEquals(want.toLongArray(), recomputed.toLongArray(), "greedy tokens, recomputing");
  }

  @Test
  void oneTokenAtATimeGivesTheLogitsOfTheWholeSequence() {
    GPT gpt = load(read(FIXTURES.resolve("gpt2_small_test.safetensors")));
    Map<String, Tensor> io = read(FIXTURES.resolve("gpt2_small_test.io.safetensors")).tensors();
    Tensor ids = io.get("greedy"); // (2, 37)
    Tensor logits = io.get("logits"); // (2, 37, 64)
    gpt.resetCache();
    // a prefill of 5, then one token per call, then back to position 20 to decode again
    assertClose(logits.narrow(1, 0, 5), gpt.forward(ids.narrow(1, 0, 5).contiguous(), 0), "prefill");
    for (int p = 5; p < 24; p++) {
      Tensor step = gpt.forward(ids.narrow(1, p, 1).contiguous(), p);
      assertClose(logits.narrow(1, p, 1), step, "position " + p);
    }
    for (int p = 20; p < ids.size(1); p++) {
      Tensor step = gpt.forward(ids.narrow(1, p, 1).contiguous(), p);
      assertClose(logits.narrow(1, p, 1), step, "position " + p + " after going back to 20");
    }
  }

  @Test
  void theAllocationFreeForwardGivesTheSameLogits() {
    GPT gpt = load(read(FIXTURES.resolve("gpt2_small_test.safetensors")));
    Map<String, Tensor> io = read(FIXTURES.resolve("gpt2_small_test.io.safetensors")).tensors();
    Tensor ids = io.get("greedy"); // (2, 37)
    Tensor logits = io.get("logits"); // (2, 37, 64)
    try (GradMode.Scope scope = GradMode.noGrad()) { // nothing records: the buffered forward
      assertClose(logits, gpt.forward(ids), "logits of the 37 tokens, buffered");
      Tensor out = Tensor.zeros(2, 1, 64);
      for (int p = 0; p < ids.size(1); p++) { // one token per call into the same output
        gpt.forward(ids.narrow(1, p, 1).contiguous(), p, out.fill_(Float.NaN));
        assertClose(logits.narrow(1, p, 1), out, "position " + p + ", into the caller's tensor");
      }
    }
  }

  @Test
  void gpt2SmallMatchesPyTorchWhenTheLocalFixtureExists() {
    Path dir = RepoFiles.root().resolve("tools/fixtures/local/gpt2");
    assumeTrue(Files.exists(dir.resolve("gpt2.io.safetensors")), "no local GPT-2 small fixture");
    GPT gpt = load(read(dir.resolve("gpt2.safetensors")));
    assertEquals(List.of(50257, 1024), List.of(gpt.transformer.wte.weight.data().size(0), gpt.maxContext()));
    Map<String, Tensor> io = read(dir.resolve("gpt2.io.safetensors")).tensors();
    Tensor prompt = io.get("prompt");
    Tensor want = io.get("greedy");
    assertClose(io.get("logits"), gpt.forward(want), "GPT-2 small logits");
    Tensor got = Generation.greedy().generate(gpt, prompt, want.size(1) - prompt.size(1));
    assertArrayEquals(want.toLongArray(), got.toLongArray(), "GPT-2 small greedy tokens");
  }
}
