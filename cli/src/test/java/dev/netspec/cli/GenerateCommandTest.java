package dev.netspec.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.io.SafeTensors;
import dev.netspec.runtime.tensor.DType;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code netspec generate} through the real entry point: its errors, and greedy decoding. */
class GenerateCommandTest {
  @TempDir Path tmp;

  /** A block without {@code input:} that computes in float32 only. */
  private Path anyShape() throws IOException {
    return Files.writeString(tmp.resolve("double.yaml"),
        "netspec: 1\npackage: p\nblocks:\n  Double:\n    forward: x * 2\n");
  }

  private Path mlp() throws IOException {
    return Files.writeString(tmp.resolve("mlp.yaml"), String.join("\n", "netspec: 1",
        "package: p", "blocks:", "  Mlp:", "    input: [batch, 3]", "    sequential:",
        "      - linear: 2", ""));
  }

  private Path file(String name, Map<String, Tensor> tensors) throws IOException {
    Path f = tmp.resolve(name);
    SafeTensors.save(tensors, f);
    return f;
  }

  private Path noWeights() throws IOException {
    return file("empty.safetensors", Map.of());
  }

  private Path prompt(Tensor ids) throws IOException {
    return file("prompt.safetensors", Map.of("ids", ids));
  }

  private Cli generate(Path spec, Path weights, Path prompt, String... more) {
    String[] base = {"generate", spec.toString(), "--weights", weights.toString(), "--prompt",
        prompt.toString(), "--max-new-tokens", "4", "--output", tmp.resolve("out.safetensors")
            .toString()};
    String[] args = java.util.Arrays.copyOf(base, base.length + more.length);
    System.arraycopy(more, 0, args, base.length, more.length);
    return Cli.run(args);
  }

  @Test
  void samplingOptionsWithoutATemperatureAreUsageErrors() throws IOException {
    Path p = prompt(Tensor.ofLongs(new long[] {1, 2}, 1, 2));
    Cli topK = generate(anyShape(), noWeights(), p, "--top-k", "5");
    assertEquals(Netspec.USAGE, topK.code(), topK::toString);
    assertTrue(topK.err().startsWith("netspec: error: --top-k applies to sampling: give"
        + " --temperature T too (without it, decoding is greedy)\n"), topK::toString);

    Cli zero = generate(anyShape(), noWeights(), p, "--temperature", "0");
    assertEquals(Netspec.USAGE, zero.code(), zero::toString);
    assertTrue(zero.err().startsWith("netspec: error: --temperature must be a positive number,"
        + " got 0.0 (leave it out for greedy decoding)\n"), zero::toString);

    Cli k0 = generate(anyShape(), noWeights(), p, "--temperature", "1", "--top-k", "0");
    assertEquals(Netspec.USAGE, k0.code(), k0::toString);
    assertTrue(k0.err().startsWith("netspec: error: --top-k must be at least 1, got 0\n"),
        k0::toString);
    assertTrue(Files.notExists(tmp.resolve("out.safetensors")));
  }

  @Test
  void aBlockThatIsNotALanguageModelIsRefused() throws IOException {
    Path spec = mlp();
    Cli r = generate(spec, noWeights(), prompt(Tensor.ofLongs(new long[] {1, 2}, 1, 2)));
    assertEquals(Netspec.USER_ERROR, r.code(), r::toString);
    assertEquals(spec + ": error: Mlp maps [batch, 3] to [batch, 2]; generate needs a causal"
        + " language model: token ids [batch, seq] to logits [batch, seq, vocab]\n", r.err());
  }

  @Test
  void thePromptMustBeInt64IdsBatchByTokens() throws IOException {
    Path spec = anyShape();
    Path floats = prompt(Tensor.zeros(1, 2));
    Cli r = generate(spec, noWeights(), floats);
    assertEquals(Netspec.USER_ERROR, r.code(), r::toString);
    assertEquals(floats + ": error: 'ids' is torch.float32; the prompt's token ids must be int64"
        + " (torch.long)\n", r.err());

    Path flat = prompt(Tensor.ofLongs(1, 2, 3));
    r = generate(spec, noWeights(), flat);
    assertEquals(flat + ": error: 'ids' has shape [3]; the prompt must be token ids [batch, n]"
        + " with at least one token\n", r.err());

    Path named = file("x.safetensors", Map.of("x", Tensor.ofLongs(new long[] {1}, 1, 1)));
    r = generate(spec, noWeights(), named);
    assertEquals(named + ": error: no tensor named 'ids' (found: x)\n", r.err());
    assertTrue(Files.notExists(tmp.resolve("out.safetensors")));
  }

  /**
   * Today every compiled block computes in float32, so its forward refuses int64 ids: one
   * error naming the block and the prompt, no output.
   */
  @Test
  void aBlockThatCannotTakeIdsIsOneErrorAndNoOutput() throws IOException {
    Path p = prompt(Tensor.ofLongs(new long[] {1, 2, 3}, 1, 3));
    Cli r = generate(anyShape(), noWeights(), p);
    assertEquals(Netspec.USER_ERROR, r.code(), r::toString);
    assertTrue(r.err().startsWith(p + ": error: Double cannot generate from 'ids' [1, 3]: "),
        r::toString);
    assertEquals(1, r.err().lines().count(), r::toString);
    assertTrue(Files.notExists(tmp.resolve("out.safetensors")));
  }

  @Test
  void anIdPastTheEmbeddingIsThePromptsErrorAndAnArrayIndexIsABug() throws IOException {
    Path spec = Files.writeString(tmp.resolve("bigram.yaml"), String.join("\n", "netspec: 1",
        "package: p", "blocks:", "  Bigram:", "    inputs: {ids: [batch, seq, int64]}",
        "    sequential:", "      - embedding: {num_embeddings: 7, embedding_dim: 4}",
        "      - linear: 7", ""));
    Path weights = file("w.safetensors", Map.of("0.weight", Tensor.zeros(7, 4), "1.weight",
        Tensor.zeros(7, 4), "1.bias", Tensor.zeros(7)));
    Path p = prompt(Tensor.ofLongs(new long[] {2, 9}, 1, 2));
    Cli r = generate(spec, weights, p);
    assertEquals(Netspec.USER_ERROR, r.code(), r::toString);
    assertTrue(r.err().startsWith(p + ": error: Bigram cannot generate from 'ids' [1, 2]: "
        + "embedding: id 9 at position [0, 1] of the ids is out of range [0, 7)"), r::toString);
    assertEquals(1, r.err().lines().count(), r::toString);
    assertTrue(Files.notExists(tmp.resolve("out.safetensors")));
    // an array's index out of bounds is netspec's bug, not the prompt's (as in run, grad, train)
    Tensor ids = Tensor.ofLongs(new long[] {2}, 1, 1);
    ArrayIndexOutOfBoundsException bug = new ArrayIndexOutOfBoundsException(7);
    assertSame(bug, assertThrows(ArrayIndexOutOfBoundsException.class,
        () -> GenerateCommand.promptFault(bug, p, "Bigram", ids)));
    assertEquals(p + ": error: Bigram cannot generate from 'ids' [1, 1]: id 9",
        GenerateCommand.promptFault(new IndexOutOfBoundsException("id 9"), p, "Bigram", ids)
            .getMessage());
  }

  /**
   * A bigram language model (an embedding, then a linear layer to the vocabulary) generates
   * greedily what the argmax of its weights, computed here by hand, says: each new token is
   * {@code argmax(W e[last] + b)}.
   */
  @Test
  void greedyDecodingOfABigramModel() throws IOException {
    int vocab = 7;
    int dim = 4;
    Path spec = Files.writeString(tmp.resolve("bigram.yaml"), String.join("\n", "netspec: 1",
        "package: p", "blocks:", "  Bigram:", "    inputs: {ids: [batch, seq, int64]}",
        "    sequential:", "      - embedding: {num_embeddings: " + vocab + ", embedding_dim: "
            + dim + "}", "      - linear: " + vocab, ""));
    Generator g = new Generator(3);
    Tensor e = Tensor.randn(g, vocab, dim);
    Tensor w = Tensor.randn(g, vocab, dim);
    Tensor b = Tensor.randn(g, vocab);
    Path weights = file("w.safetensors", Map.of("0.weight", e, "1.weight", w, "1.bias", b));
    long[] start = {2, 5};
    Cli r = generate(spec, weights, prompt(Tensor.ofLongs(start, 2, 1)));
    assertEquals(Netspec.OK, r.code(), r::toString);
    Tensor out = SafeTensors.load(tmp.resolve("out.safetensors")).tensors().get("ids");
    assertEquals(DType.INT64, out.dtype());
    long[] want = new long[2 * 5];
    for (int s = 0; s < 2; s++) {
      long token = start[s];
      want[s * 5] = token;
      for (int t = 1; t < 5; t++) {
        int best = 0;
        double bestLogit = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) {
          double logit = b.get(v);
          for (int d = 0; d < dim; d++) {
            logit += w.get(v, d) * e.get((int) token, d);
          }
          if (logit > bestLogit) {
            bestLogit = logit;
            best = v;
          }
        }
        token = best;
        want[s * 5 + t] = token;
      }
    }
    assertArrayEquals(want, out.toLongArray());
    assertTrue(r.out().startsWith("Bigram: ids [2, 1] -> ids [2, 5] (greedy), written to "),
        r::toString);
    assertTrue(r.err().contains("netspec: generated 4 new tokens for 2 sequences in "),
        r::toString);
  }

  /**
   * specs/gpt2.yaml at a reduced size (its arguments on the command line) with the weights of
   * tools/fixtures/gpt2_fixtures.py decodes over its KV cache the 32 tokens PyTorch's greedy
   * decoding gives, computed there without a cache.
   */
  @Test
  void gpt2DecodesPyTorchsGreedyTokens() throws IOException {
    Path fixtures = Path.of("..", "generated-examples", "src", "test", "resources", "fixtures", "gpt2");
    Map<String, Tensor> io = SafeTensors.load(fixtures.resolve("gpt2_small_test.io.safetensors")).tensors();
    Tensor want = io.get("greedy"); // (2, 5 + 32)
    Cli r = Cli.run("generate", Path.of("..", "specs", "gpt2.yaml").toString(), "--block", "GPT",
        "--arg", "vocab_size=64", "--arg", "block_size=48", "--arg", "n_head=4", "--arg", "n_embd=32",
        "--weights", fixtures.resolve("gpt2_small_test.safetensors").toString(),
        "--prompt", prompt(io.get("prompt")).toString(), "--max-new-tokens", "32",
        "--output", tmp.resolve("out.safetensors").toString());
    assertEquals(Netspec.OK, r.code(), r::toString);
    Tensor out = SafeTensors.load(tmp.resolve("out.safetensors")).tensors().get("ids");
    assertArrayEquals(want.toLongArray(), out.toLongArray());
    assertTrue(r.out().startsWith("GPT: ids [2, 5] -> ids [2, 37] (greedy), written to "), r::toString);
  }
}
