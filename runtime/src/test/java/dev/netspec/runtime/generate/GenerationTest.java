package dev.netspec.runtime.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.netspec.runtime.io.SafeTensors;
import dev.netspec.runtime.io.SafeTensorsFile;
import dev.netspec.runtime.kernels.Kernels;
import dev.netspec.runtime.nn.Allocations;
import dev.netspec.runtime.tensor.DType;
import dev.netspec.runtime.tensor.Tensor;
import java.net.URL;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Generation over a 2-layer GPT built from runtime layers ({@link TinyGpt}) with the weights
 * of tools/fixtures/generate_fixtures.py: greedy tokens equal to PyTorch's, the cached and
 * uncached forwards equal, seeded sampling repeatable and inside its top-k, and the errors.
 */
class GenerationTest {
  private static final String DIR = "/fixtures/generate/";

  private static Path resource(String file) {
    URL url = GenerationTest.class.getResource(DIR + file);
    if (url == null) {
      fail("missing fixture " + DIR + file
          + ": run /usr/bin/python3 tools/fixtures/generate_fixtures.py");
    }
    try {
      return Path.of(url.toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The fixture's GPT with PyTorch's weights, loaded strictly. */
  static TinyGpt model() {
    SafeTensorsFile weights = load("tiny_gpt.safetensors");
    Map<String, String> c = weights.metadata();
    TinyGpt gpt = new TinyGpt(Integer.parseInt(c.get("vocab_size")),
        Integer.parseInt(c.get("block_size")), Integer.parseInt(c.get("n_layer")),
        Integer.parseInt(c.get("n_head")), Integer.parseInt(c.get("n_embd")));
    gpt.loadStateDict(weights.tensors(), true);
    gpt.eval();
    return gpt;
  }

  static Map<String, Tensor> io() {
    return load("tiny_gpt.io.safetensors").tensors();
  }

  private static SafeTensorsFile load(String file) {
    try {
      return SafeTensors.load(resource(file));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void greedyTokensAreThoseOfPyTorch() {
    Map<String, Tensor> io = io();
    Tensor prompt = io.get("prompt");
    Tensor want = io.get("greedy"); // (2, 5 + 32)
    TinyGpt gpt = model();
    int newTokens = want.size(1) - prompt.size(1);
    assertEquals(32, newTokens);

    Tensor cached = Generation.greedy().generate(gpt, prompt, newTokens);
    assertEquals(DType.INT64, cached.dtype());
    assertArrayEquals(want.toLongArray(), cached.toLongArray(), "greedy tokens over the KV cache");

    Tensor recomputed = Generation.greedy()
        .generate(CausalLM.recomputing(gpt, gpt.blockSize), prompt, newTokens);
    assertArrayEquals(want.toLongArray(), recomputed.toLongArray(),
        "greedy tokens recomputing the whole prefix each step");

    // and once more on the same model: generate resets the cache
    assertArrayEquals(want.toLongArray(),
        Generation.greedy().generate(gpt, prompt, newTokens).toLongArray(), "a second run");
  }

  @Test
  void cachedStepsGiveTheLogitsOfTheWholeSequence() {
    Map<String, Tensor> io = io();
    Tensor ids = io.get("greedy"); // (2, 37)
    TinyGpt gpt = model();
    Tensor whole = gpt.forward(ids); // (2, 37, vocab), no cache
    assertTrue(whole.allclose(io.get("logits"), 1e-4, 1e-4),
        "the uncached forward matches PyTorch's logits within 1e-4");

    int prefill = 5;
    gpt.resetCache();
    Tensor first = gpt.forward(ids.narrow(1, 0, prefill).contiguous(), 0); // (2, 5, vocab)
    assertClose(whole.narrow(1, 0, prefill), first, "the prefill");
    for (int p = prefill; p < ids.size(1); p++) {
      Tensor step = gpt.forward(ids.narrow(1, p, 1).contiguous(), p); // (2, 1, vocab)
      assertClose(whole.narrow(1, p, 1), step, "the cached step at position " + p);
    }
    assertEquals(ids.size(1), gpt.cache().length());

    // going back: position 10 again forgets the tokens after it
    Tensor again = gpt.forward(ids.narrow(1, 10, 3).contiguous(), 10);
    assertClose(whole.narrow(1, 10, 3), again, "three tokens again from position 10");
    assertEquals(13, gpt.cache().length());
  }

  private static void assertClose(Tensor want, Tensor got, String what) {
    assertArrayEquals(want.shape(), got.shape(), what);
    float[] w = want.contiguous().toFloatArray();
    float[] g = got.toFloatArray();
    for (int i = 0; i < w.length; i++) {
      if (Math.abs(w[i] - g[i]) > 1e-5 * Math.max(1, Math.abs(w[i]))) {
        fail(what + ": logit " + i + " is " + g[i] + " cached, " + w[i] + " recomputed (tol 1e-5)");
      }
    }
  }

  @Test
  void samplingIsRepeatablePerSeedAndStaysInTheTopK() {
    Tensor prompt = io().get("prompt");
    TinyGpt gpt = model();
    int k = 3;
    Tensor a = Generation.sampling(1.5, k, 7).generate(gpt, prompt, 32);
    Tensor b = Generation.sampling(1.5, k, 7).generate(gpt, prompt, 32);
    Tensor c = Generation.sampling(1.5, k, 8).generate(gpt, prompt, 32);
    assertArrayEquals(a.toLongArray(), b.toLongArray(), "one seed, one sequence");
    assertFalse(java.util.Arrays.equals(a.toLongArray(), c.toLongArray()),
        "seeds 7 and 8 drew the same 64 tokens");
    assertFalse(java.util.Arrays.equals(a.toLongArray(),
        Generation.greedy().generate(gpt, prompt, 32).toLongArray()),
        "sampling at temperature 1.5 gave the greedy tokens");

    // every drawn token is among the k largest logits at its step (the uncached forward)
    Tensor logits = gpt.forward(a);
    int n = prompt.size(1);
    for (int s = 0; s < 2; s++) {
      for (int t = n; t < a.size(1); t++) {
        long token = a.getLong(s, t);
        float chosen = logits.get(s, t - 1, (int) token);
        int above = 0;
        for (int v = 0; v < gpt.vocab; v++) {
          above += logits.get(s, t - 1, v) > chosen ? 1 : 0;
        }
        assertTrue(above < k, "sequence " + s + " token " + t + " = " + token + " has " + above
            + " larger logits; top_k = " + k);
      }
    }
  }

  /**
   * 40,000 draws from fixed logits: tokens outside the top k never come, and each of the top
   * k comes as often as softmax(logits / T) over them says, within 5 standard deviations.
   */
  @Test
  void drawsFollowTheTemperedTopKSoftmax() {
    float[] logits = {0.5f, 2.0f, -1.0f, 1.25f, 1.0f, 3.0f, -2.0f, 1.0f};
    double temperature = 0.8;
    int k = 4; // keeps 3.0, 2.0, 1.25 and both 1.0s (tied with the 4th largest)
    boolean[] kept = {false, true, false, true, true, true, false, true};
    double[] p = new double[logits.length];
    double sum = 0;
    for (int i = 0; i < logits.length; i++) {
      p[i] = kept[i] ? Math.exp(logits[i] / temperature) : 0;
      sum += p[i];
    }
    Sampler sampler = new Sampler(temperature, k, 42);
    int draws = 40_000;
    int[] counts = new int[logits.length];
    for (int i = 0; i < draws; i++) {
      counts[sampler.draw(logits, 0, logits.length)]++;
    }
    for (int i = 0; i < logits.length; i++) {
      double expected = draws * p[i] / sum;
      double sd = Math.sqrt(draws * (p[i] / sum) * (1 - p[i] / sum));
      assertTrue(Math.abs(counts[i] - expected) <= 5 * sd + (kept[i] ? 0 : 1e-9),
          "token " + i + " came " + counts[i] + " times, expected " + expected + " +- 5 * " + sd);
    }
    assertEquals(0, counts[0] + counts[2] + counts[6], "tokens outside the top 4");
  }

  @Test
  void greedyTakesTheFirstOfTiedMaxima() {
    assertEquals(1, Generation.argmax(new float[] {9, 1, 5, 5, 2}, 1, 4), "5 at 1 and 2");
    assertEquals(2, Generation.argmax(new float[] {0, 1, Float.NaN, 7}, 0, 4), "NaN wins");
  }

  @Test
  void promptsThatDoNotFitAreRefusedBeforeAnythingRuns() {
    TinyGpt gpt = model(); // context 48
    Tensor prompt = io().get("prompt"); // 5 tokens
    IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class,
        () -> Generation.greedy().generate(gpt, prompt, 44));
    assertEquals("generation: the prompt's 5 tokens and 44 new tokens (49) exceed the model's"
        + " context of 48; ask for at most 43 new tokens", tooMany.getMessage());
    assertEquals(48, Generation.greedy().generate(gpt, prompt, 43).size(1));

    Tensor longPrompt = Tensor.zeros(DType.INT64, 1, 49);
    IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
        () -> Generation.greedy().generate(gpt, longPrompt, 1));
    assertEquals("generation: the prompt's 49 tokens are more than the model's context of 48",
        tooLong.getMessage());

    IllegalArgumentException floats = assertThrows(IllegalArgumentException.class,
        () -> Generation.greedy().generate(gpt, Tensor.zeros(1, 3), 1));
    assertEquals("generation: the prompt must be int64 token ids (batch, n) with batch >= 1,"
        + " got torch.float32 [1, 3]", floats.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Generation.sampling(0, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> Generation.sampling(1, -1, 1));
  }

  /** A warm decode step (all layers, the logits) allocates nothing; JIT-dependent, so opt-in. */
  @EnabledIfSystemProperty(named = "netspec.allocationTests", matches = "true",
      disabledReason = "JIT-dependent; run with -Dnetspec.allocationTests=true")
  @Test
  void aWarmDecodeStepAllocatesNothing() {
    TinyGpt gpt = model();
    Tensor next = Tensor.zeros(DType.INT64, 2, 1);
    int before = Kernels.threads();
    Kernels.setThreads(1);
    try {
      gpt.forward(Tensor.zeros(DType.INT64, 2, 30), 0); // a prompt of 30 tokens
      // the step at position 30, again and again (a position may go back)
      long bytes = Allocations.steadyStateBytes(() -> gpt.forward(next, 30), 20_000, 100);
      assertEquals(0, bytes, "bytes allocated by 100 warm decode steps");
    } finally {
      Kernels.setThreads(before);
    }
  }
}
