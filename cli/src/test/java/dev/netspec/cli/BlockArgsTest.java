package dev.netspec.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.io.SafeTensors;
import dev.netspec.runtime.tensor.Tensor;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code --arg NAME=VALUE}: a block with {@code args:} is inspected and run with the values
 * given on the command line. head.yaml's Head is Linear(3, features, bias) then Dropout(p).
 */
class BlockArgsTest {
  @TempDir Path tmp;
  private Path head;

  @BeforeEach
  void spec() throws URISyntaxException {
    head = Path.of(BlockArgsTest.class.getResource("/args/head.yaml").toURI());
  }

  @Test
  void runBuildsTheBlockWithTheGivenArguments() throws IOException {
    Path w = tmp.resolve("w.safetensors");
    SafeTensors.save(Map.of("0.weight", Tensor.of(new float[][] {{1, 0, 0}, {0, 1, 1}}),
        "0.bias", Tensor.of(0.5f, -1f)), w);
    Path x = tmp.resolve("x.safetensors");
    SafeTensors.save(Map.of("x", Tensor.of(new float[][] {{1, 2, 3}})), x);
    Path y = tmp.resolve("y.safetensors");
    Cli r = Cli.run("run", head.toString(), "--block", "Head", "--arg", "features=2",
        "--arg", "p=0.5", "--arg", "bias=true", "--input", x.toString(), "--weights",
        w.toString(), "--output", y.toString());
    assertEquals(0, r.code(), r::toString);
    // [1 + 0.5, 2 + 3 - 1]; dropout is off in eval mode
    assertArrayEquals(new float[] {1.5f, 4f}, SafeTensors.load(y).tensor("y").toFloatArray());
  }

  @Test
  void inspectCountsTheParametersOfTheGivenArguments() {
    Cli r = Cli.run("inspect", head.toString(), "--arg", "features=2", "--arg", "p=0.25",
        "--arg", "bias=false", "--format", "repr");
    assertEquals(0, r.code(), r::toString);
    // a block made only of a sequential prints as PyTorch's Sequential
    assertEquals("""
        Sequential(
          (0): Linear(in_features=3, out_features=2, bias=False)
          (1): Dropout(p=0.25, inplace=False)
        )
        """, r.out());
    // Linear(3, 4) with a bias: 3 * 4 + 4
    Cli json = Cli.run("inspect", head.toString(), "--arg", "features=4", "--arg", "p=0.5",
        "--arg", "bias=true", "--format", "json");
    assertTrue(json.out().contains("\"parameters\": 16,\n"), json::toString);
  }

  @Test
  void aMissingArgumentIsAUsageErrorNamingTheArguments() {
    Cli r = Cli.run("run", head.toString(), "--block", "Head", "--arg", "p=0.5", "--input",
        tmp.resolve("x.safetensors").toString(), "--output",
        tmp.resolve("y.safetensors").toString());
    assertEquals(Netspec.USAGE, r.code(), r::toString);
    assertEquals("netspec: error: block Head takes arguments features (int), p (float), "
        + "bias (bool); give --arg features=N --arg bias=true|false\n"
        + "Try 'netspec run --help' for more.\n", r.err());
    assertTrue(Files.notExists(tmp.resolve("y.safetensors")));
  }

  @Test
  void inspectAtAnInputShapeNeedsTheArgumentsToo() {
    Cli r = Cli.run("inspect", head.toString(), "--input-shape", "2,3");
    assertEquals(Netspec.USAGE, r.code(), r::toString);
    assertTrue(r.err().startsWith("netspec: error: block Head takes arguments features (int), "
        + "p (float), bias (bool); give --arg features=N --arg p=X --arg bias=true|false\n"),
        r::toString);
  }

  @Test
  void aWrongNameOrValueIsAUsageError() {
    Cli name = Cli.run("inspect", head.toString(), "--arg", "feature=2");
    assertEquals(Netspec.USAGE, name.code(), name::toString);
    assertTrue(name.err().startsWith("netspec: error: --arg feature: block Head has no argument "
        + "'feature'; did you mean 'features'? (its arguments are features (int), p (float), bias (bool))\n"),
        name::toString);
    Cli notInt = Cli.run("inspect", head.toString(), "--arg", "features=2.5");
    assertEquals(Netspec.USAGE, notInt.code(), notInt::toString);
    assertTrue(notInt.err().startsWith("netspec: error: --arg features: '2.5' is not an int\n"),
        notInt::toString);
    Cli notBool = Cli.run("inspect", head.toString(), "--arg", "bias=yes");
    assertTrue(notBool.err().startsWith("netspec: error: --arg bias: 'yes' is not true or false\n"),
        notBool::toString);
    Cli noArgs = Cli.run("inspect", Path.of(head.getParent().getParent().toString(), "specs",
        "mlp.yaml").toString(), "--arg", "dim=2");
    assertEquals(Netspec.USAGE, noArgs.code(), noArgs::toString);
    assertTrue(noArgs.err().startsWith("netspec: error: --arg dim: block Mlp takes no "
        + "arguments\n"), noArgs::toString);
  }

  @Test
  void aValueTheConstructorRefusesIsAUsageErrorLocatedWhereTheArgumentIsUsed() throws IOException {
    Path x = tmp.resolve("x.safetensors");
    SafeTensors.save(Map.of("x", Tensor.of(new float[][] {{1, 2, 3}})), x);
    Path y = tmp.resolve("y.safetensors");
    Cli r = Cli.run("run", head.toString(), "--arg", "features=-2", "--arg", "p=0.5", "--arg",
        "bias=true", "--input", x.toString(), "--output", y.toString());
    assertEquals(Netspec.USAGE, r.code(), r::toString);
    assertEquals(head + ":9:33: error: Head.0 (linear): out_features must be positive, got -2"
        + " (from features)\n", r.err(), r::toString);
    assertTrue(Files.notExists(y));
  }

  @Test
  void aRefusedValueThatSizesTheInputIsAUsageErrorAboutTheArgumentNotTheInput() throws IOException {
    // ResidualBlock's input is [batch, dim]: with dim=-2 the input check alone would blame the
    // file ("'x' has shape [2, 4], but ResidualBlock takes [batch, -2]", exit 1)
    Path x = tmp.resolve("x.safetensors");
    SafeTensors.save(Map.of("x", Tensor.zeros(2, 4)), x);
    Path y = tmp.resolve("y.safetensors");
    String spec = "../specs/residual_mlp.yaml";
    String refused = spec + ":13:20: error: ResidualBlock: input sizes must be positive, got -2"
        + " (from dim)\n";
    Cli run = Cli.run("run", spec, "--block", "ResidualBlock", "--arg", "dim=-2", "--arg",
        "hidden=3", "--input", x.toString(), "--output", y.toString());
    assertEquals(Netspec.USAGE, run.code(), run::toString);
    assertEquals(refused, run.err(), run::toString);
    assertTrue(Files.notExists(y));
    Path w = tmp.resolve("w.safetensors");
    SafeTensors.save(Map.of("norm.weight", Tensor.zeros(4)), w);
    Cli grad = Cli.run("grad", spec, "--block", "ResidualBlock", "--arg", "dim=-2", "--arg",
        "hidden=3", "--input", x.toString(), "--weights", w.toString(), "--upstream",
        x.toString(), "--output", y.toString());
    assertEquals(Netspec.USAGE, grad.code(), grad::toString);
    assertEquals(refused, grad.err(), grad::toString);
  }

  /**
   * What the block refuses at the given values (LayerNorm(0), a Dropout p outside [0, 1],
   * num_heads 0 or not dividing embed_dim, a negative size) is refused by inspect (with and
   * without --input-shape), run, grad, generate and train alike: the same located line, exit 2.
   */
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "dim=0 heads=2 p=0.5  | 7:23: error: Attend: input sizes must be positive, got 0 (from dim)",
      "dim=-4 heads=2 p=0.5 | 7:23: error: Attend: input sizes must be positive, got -4 (from dim)",
      "dim=4 heads=2 p=1.5  | 10:23: error: Attend.drop (dropout): dropout probability has to be"
          + " between 0 and 1, got 1.5 (from p)",
      "dim=4 heads=2 p=-0.1 | 10:23: error: Attend.drop (dropout): dropout probability has to be"
          + " between 0 and 1, got -0.1 (from p)",
      "dim=4 heads=0 p=0.5  | 11:63: error: Attend.attn (multihead_attention): num_heads must be"
          + " positive, got 0 (from heads)",
      "dim=6 heads=4 p=0.5  | 11:63: error: Attend.attn (multihead_attention): embed_dim 6 is not"
          + " divisible by num_heads 4",
  })
  void everyCommandRefusesWhatTheBlockRefusesAtTheGivenValues(String values, String error)
      throws IOException, URISyntaxException {
    String spec = Path.of(BlockArgsTest.class.getResource("/args/attention.yaml").toURI())
        .toString();
    Path x = tmp.resolve("x.safetensors");
    SafeTensors.save(Map.of("x", Tensor.zeros(2, 4, 4)), x);
    Path data = tmp.resolve("data.safetensors");
    SafeTensors.save(Map.of("x", Tensor.zeros(2, 4, 4), "target", Tensor.zeros(2, 4, 4)), data);
    refusedByEveryCommand(spec, x, data, values, spec + ":" + error + "\n");
  }

  /**
   * A value refused inside a child block, where the caller passed its --arg on: the error is
   * where the child uses it, and a note line names the caller's line and the values it gave.
   */
  @Test
  void aValueRefusedInsideAChildBlockNamesTheCallerInANote() throws IOException, URISyntaxException {
    String spec = Path.of(BlockArgsTest.class.getResource("/args/nested.yaml").toURI()).toString();
    Path x = tmp.resolve("x.safetensors");
    SafeTensors.save(Map.of("x", Tensor.zeros(2, 4, 4)), x);
    Path data = tmp.resolve("data.safetensors");
    SafeTensors.save(Map.of("x", Tensor.zeros(2, 4, 4), "target", Tensor.zeros(2, 4, 4)), data);
    refusedByEveryCommand(spec, x, data, "width=4 heads=3", spec + ":9:63: error: Attend.attn"
        + " (multihead_attention): embed_dim 4 is not divisible by num_heads 3\n"
        + spec + ":18:9: note: Encoder.1 builds Attend here with dim=4, heads=3\n");
  }

  /**
   * A size an --arg makes 0 or less in a named input's or a parameter's declared shape, and a
   * transformer layer's dropout or layer_norm_eps out of range, are refused like a layer's
   * argument: by every command, one located line each (lines joined by " // " here), exit 2.
   */
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "dim=4 hidden=-3 p=0.1 eps=0.00001 | 9:24: error: Sized: input sizes must be positive, got -3"
          + " (from hidden) // 11:23: error: Sized: parameter sizes must be positive, got -3 (from hidden)",
      "dim=0 hidden=3 p=0.1 eps=0.00001  | 8:21: error: Sized: input sizes must be positive, got 0"
          + " (from dim)",
      "dim=4 hidden=3 p=1.5 eps=0.00001  | 13:74: error: Sized.enc (transformer_encoder_layer): dropout"
          + " probability has to be between 0 and 1, got 1.5 (from p)",
      "dim=4 hidden=3 p=0.1 eps=-1       | 13:93: error: Sized.enc (transformer_encoder_layer):"
          + " layer_norm_eps must be at least 0, got -1.0 (from eps)",
  })
  void everyCommandRefusesDeclaredSizesAndTransformerRangesAtTheGivenValues(String values, String error)
      throws IOException, URISyntaxException {
    String spec = Path.of(BlockArgsTest.class.getResource("/args/sized.yaml").toURI()).toString();
    Path x = tmp.resolve("x.safetensors");
    SafeTensors.save(Map.of("x", Tensor.zeros(2, 4, 4), "gate", Tensor.zeros(2, 4, 3)), x);
    refusedByEveryCommand(spec, x, x, values, spec + ":" + error.replace(" // ", "\n" + spec + ":") + "\n");
  }

  /**
   * Runs inspect (generic, and with --input-shape 2,4,4), run, grad, generate and train on
   * {@code spec} with {@code --arg} for each of {@code values} ({@code x} the input, weights,
   * prompt and upstream, {@code data} the training data): each exits 2 with stderr {@code err}
   * and writes nothing.
   */
  private void refusedByEveryCommand(String spec, Path x, Path data, String values, String err) {
    // nested.yaml has two blocks: the one to build is the last, Encoder
    List<String> block = spec.endsWith("nested.yaml") ? List.of("--block", "Encoder") : List.of();
    Path y = tmp.resolve("y.safetensors");
    List<List<String>> commands = List.of(
        List.of("inspect", spec),
        List.of("inspect", spec, "--input-shape", "2,4,4", "--format", "json"),
        List.of("run", spec, "--input", x.toString(), "--output", y.toString()),
        List.of("grad", spec, "--input", x.toString(), "--weights", x.toString(), "--upstream",
            x.toString(), "--output", y.toString()),
        List.of("generate", spec, "--weights", x.toString(), "--prompt", x.toString(),
            "--max-new-tokens", "2", "--output", y.toString()),
        List.of("train", spec, "--data", data.toString(), "--save-weights", y.toString()));
    for (List<String> command : commands) {
      List<String> line = new ArrayList<>(command);
      line.addAll(2, block);
      for (String v : values.split(" +")) {
        line.add("--arg");
        line.add(v);
      }
      Cli r = Cli.run(line.toArray(String[]::new));
      assertEquals(Netspec.USAGE, r.code(), () -> line + ": " + r);
      assertEquals(err, r.err(), () -> line + ": " + r);
      assertEquals("", r.out(), () -> line + ": " + r);
    }
    assertTrue(Files.notExists(y));
  }
}
