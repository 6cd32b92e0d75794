package dev.netspec.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.io.SafeTensors;
import dev.netspec.runtime.tensor.DType;
import dev.netspec.runtime.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run} and {@code inspect} on blocks with named inputs (int64 token ids) and tuple
 * outputs: specs/lstm_tagger.yaml and specs/gru_classifier.yaml, with the weights, inputs and
 * outputs PyTorch made for them (tools/fixtures/seq_fixtures.py).
 */
class SequenceRunTest {
  private static final Path SPECS = Path.of("..", "specs");
  private static final Path FIXTURES =
      Path.of("..", "generated-examples", "src", "test", "resources", "fixtures", "parity");

  @TempDir Path tmp;

  private static void assertClose(Tensor expected, Tensor actual, String what) {
    assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
    float[] e = expected.toFloatArray();
    float[] a = actual.toFloatArray();
    for (int i = 0; i < e.length; i++) {
      assertEquals(e[i], a[i], 1e-5 + 1e-5 * Math.abs(e[i]), what + " at " + i);
    }
  }

  @Test
  void runReadsNamedInt64InputsAndWritesATupleByName() throws IOException {
    Path y = tmp.resolve("y.safetensors");
    Cli r = Cli.run("run", SPECS.resolve("lstm_tagger.yaml").toString(), "--block", "BiLstmTagger",
        "--input", FIXTURES.resolve("bi_lstm_tagger.io.safetensors").toString(),
        "--weights", FIXTURES.resolve("bi_lstm_tagger.weights.safetensors").toString(),
        "--output", y.toString());
    assertEquals(0, r.code(), r::toString);
    assertTrue(r.out().startsWith("BiLstmTagger: tokens [3, 7], h0 [4, 3, 8], c0 [4, 3, 8] -> "
        + "y.0 [3, 7, 5], y.1.0 [4, 3, 8], y.1.1 [4, 3, 8] (eval mode)"), r::toString);
    Map<String, Tensor> out = SafeTensors.load(y).tensors();
    assertEquals(List.of("y.0", "y.1.0", "y.1.1"), List.copyOf(new TreeSet<>(out.keySet())));
    Map<String, Tensor> torch = SafeTensors.load(FIXTURES.resolve("bi_lstm_tagger.io.safetensors")).tensors();
    for (String name : out.keySet()) {
      assertClose(torch.get(name), out.get(name), name);
    }
  }

  @Test
  void anIdOutsideTheEmbeddingIsTheInputFilesErrorNotABug() throws IOException {
    // BiLstmTagger's embedding has 20 rows: id 25 is PyTorch's "IndexError: index out of range"
    Path x = tmp.resolve("x.safetensors");
    SafeTensors.save(Map.of("tokens", Tensor.ofLongs(new long[] {1, 25, 3}, 1, 3),
        "h0", Tensor.zeros(4, 1, 8), "c0", Tensor.zeros(4, 1, 8)), x);
    Path y = tmp.resolve("y.safetensors");
    Cli r = Cli.run("run", SPECS.resolve("lstm_tagger.yaml").toString(), "--block", "BiLstmTagger",
        "--input", x.toString(), "--output", y.toString());
    assertEquals(Netspec.USER_ERROR, r.code(), r::toString);
    assertTrue(r.err().startsWith(x + ": error: the inputs tokens [1, 3], h0 [4, 1, 8], c0 [4, 1, 8]"
        + " does not fit BiLstmTagger: embedding: id 25 at position [0, 1] of the ids is out of"
        + " range [0, 20)"), r::toString);
    assertEquals(1, r.err().lines().count(), r::toString);
    assertTrue(Files.notExists(y));
  }

  @Test
  void runsBertWithItsArgumentsAsPyTorchDid() throws IOException {
    Path dir = FIXTURES.resolveSibling("bert");
    Path y = tmp.resolve("y.safetensors");
    Cli r = Cli.run("run", SPECS.resolve("bert_encoder.yaml").toString(), "--block", "BertModel",
        "--arg", "vocab_size=100", "--arg", "hidden_size=32", "--arg", "num_attention_heads=4",
        "--arg", "intermediate_size=64", "--arg", "max_position_embeddings=64", "--arg", "type_vocab_size=2",
        "--input", dir.resolve("bert.io.safetensors").toString(),
        "--weights", dir.resolve("bert.weights.safetensors").toString(), "--output", y.toString());
    assertEquals(0, r.code(), r::toString);
    Map<String, Tensor> out = SafeTensors.load(y).tensors();
    assertEquals(List.of("y.0", "y.1", "y.2"), List.copyOf(new TreeSet<>(out.keySet())));
    Map<String, Tensor> torch = SafeTensors.load(dir.resolve("bert.io.safetensors")).tensors();
    for (String name : out.keySet()) {
      assertClose(torch.get(name), out.get(name), name);
    }
  }

  @Test
  void runCallsABlockOfTwoInputsThroughForwardInputs() throws IOException {
    // BertSelfOutput: LayerNorm(dense(hidden_states) + input_tensor), LayerNorm at its initial
    // weight 1 and bias 0, so every row of y has mean 0 and variance 1 (up to eps 1e-12).
    Path x = tmp.resolve("x.safetensors");
    Tensor h = Tensor.of(1f, -2f, 3f, 0.5f, 4f, 1f, -1f, 2f).reshape(1, 2, 4);
    SafeTensors.save(Map.of("hidden_states", h, "input_tensor", h.mul(0.5f)), x);
    Path y = tmp.resolve("y.safetensors");
    Cli r = Cli.run("run", SPECS.resolve("bert_encoder.yaml").toString(), "--block", "BertSelfOutput",
        "--arg", "hidden_size=4", "--input", x.toString(), "--output", y.toString());
    assertEquals(0, r.code(), r::toString);
    float[] v = SafeTensors.load(y).tensor("y").toFloatArray();
    assertEquals(8, v.length);
    for (int row = 0; row < 2; row++) {
      double mean = 0;
      double square = 0;
      for (int i = 0; i < 4; i++) {
        mean += v[row * 4 + i] / 4.0;
        square += v[row * 4 + i] * v[row * 4 + i] / 4.0;
      }
      assertEquals(0, mean, 1e-5, "row " + row + " mean");
      assertEquals(1, square - mean * mean, 1e-4, "row " + row + " variance");
    }
  }

  @Test
  void runWritesATensorOutputAsY() throws IOException {
    Path y = tmp.resolve("y.safetensors");
    Cli r = Cli.run("run", SPECS.resolve("gru_classifier.yaml").toString(), "--block", "GruClassifier",
        "--input", FIXTURES.resolve("gru_classifier.io.safetensors").toString(),
        "--weights", FIXTURES.resolve("gru_classifier.weights.safetensors").toString(),
        "--output", y.toString());
    assertEquals(0, r.code(), r::toString);
    Map<String, Tensor> out = SafeTensors.load(y).tensors();
    assertEquals(List.of("y"), List.copyOf(out.keySet()));
    assertClose(SafeTensors.load(FIXTURES.resolve("gru_classifier.io.safetensors")).tensor("y"),
        out.get("y"), "y");
  }

  @Test
  void runNamesAMissingInputAndTheOnesTheBlockTakes() throws IOException {
    Path x = tmp.resolve("x.safetensors");
    SafeTensors.save(Map.of("tokens", Tensor.ofLongs(new long[] {1, 2}, 1, 2)), x);
    Cli r = Cli.run("run", SPECS.resolve("lstm_tagger.yaml").toString(), "--block", "BiLstmTagger",
        "--input", x.toString(), "--output", tmp.resolve("y.safetensors").toString());
    assertEquals(Netspec.USER_ERROR, r.code(), r::toString);
    assertEquals(x + ": error: no tensor named 'h0' (found: tokens); BiLstmTagger takes tokens, h0, c0\n",
        r.err());
  }

  @Test
  void runRefusesFloatIdsWhereTheBlockTakesInt64() throws IOException {
    Path x = tmp.resolve("x.safetensors");
    SafeTensors.save(Map.of("sentence", Tensor.of(1f, 2f, 3f)), x);
    Path y = tmp.resolve("y.safetensors");
    Cli r = Cli.run("run", SPECS.resolve("lstm_tagger.yaml").toString(), "--block", "LstmTagger",
        "--input", x.toString(), "--output", y.toString());
    assertEquals(Netspec.USER_ERROR, r.code(), r::toString);
    assertEquals(x + ": error: 'sentence' is torch.float32, but LstmTagger takes an int64 input:"
        + " save X.long() as 'sentence'\n", r.err());
    assertTrue(Files.notExists(y));
  }

  @Test
  void runKeepsInt64IdsAndRunsTheTutorialTagger() throws IOException {
    Path x = tmp.resolve("x.safetensors");
    Tensor ids = Tensor.ofLongs(new long[] {0, 1, 2, 3, 4}, 5);
    SafeTensors.save(Map.of("sentence", ids), x);
    Path y = tmp.resolve("y.safetensors");
    Cli r = Cli.run("run", SPECS.resolve("lstm_tagger.yaml").toString(), "--block", "LstmTagger",
        "--input", x.toString(), "--weights", FIXTURES.resolve("lstm_tagger.weights.safetensors").toString(),
        "--output", y.toString());
    assertEquals(0, r.code(), r::toString);
    Map<String, Tensor> io = SafeTensors.load(FIXTURES.resolve("lstm_tagger.io.safetensors")).tensors();
    assertEquals(DType.INT64, io.get("sentence").dtype());
    assertClose(io.get("y"), SafeTensors.load(y).tensor("y"), "y");
  }

  @Test
  void inspectShowsEveryInputAndOutputByName() {
    Cli text = Cli.run("inspect", SPECS.resolve("lstm_tagger.yaml").toString(), "--block", "BiLstmTagger");
    assertEquals(0, text.code(), text::toString);
    assertTrue(text.out().startsWith("BiLstmTagger (" + SPECS.resolve("lstm_tagger.yaml") + "): inputs tokens"
        + " int64 [batch, seq], h0 [4, batch, 8], c0 [4, batch, 8] -> outputs y.0 [batch, seq, 5],"
        + " y.1.0 [4, batch, 8], y.1.1 [4, batch, 8]\n"), text::toString);
    Cli json = Cli.run("inspect", SPECS.resolve("gru_classifier.yaml").toString(), "--block", "GruClassifier",
        "--format", "json");
    assertEquals(0, json.code(), json::toString);
    assertTrue(json.out().endsWith("""
          "inputs": [
            {
              "name": "tokens",
              "dtype": "int64",
              "shape": ["batch", "seq"]
            }
          ],
          "outputs": [
            {
              "name": "y",
              "dtype": "float32",
              "shape": ["batch", 3]
            }
          ]
        }
        """), json::toString);
  }
}
