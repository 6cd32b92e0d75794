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
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
        + "'feature'; its arguments are features (int), p (float), bias (bool)\n"), name::toString);
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
  void aValueTheConstructorRefusesIsAUsageError() throws IOException {
    Path x = tmp.resolve("x.safetensors");
    SafeTensors.save(Map.of("x", Tensor.of(new float[][] {{1, 2, 3}})), x);
    Path y = tmp.resolve("y.safetensors");
    Cli r = Cli.run("run", head.toString(), "--arg", "features=-2", "--arg", "p=0.5", "--arg",
        "bias=true", "--input", x.toString(), "--output", y.toString());
    assertEquals(Netspec.USAGE, r.code(), r::toString);
    assertTrue(r.err().startsWith("netspec: error: --arg: Head {features=-2, p=0.5, bias=true}: "
        + "out_features must be >= 0, got -2\n"), r::toString);
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
    Cli run = Cli.run("run", spec, "--block", "ResidualBlock", "--arg", "dim=-2", "--arg",
        "hidden=3", "--input", x.toString(), "--output", y.toString());
    assertEquals(Netspec.USAGE, run.code(), run::toString);
    // LayerNorm(-2) is the first layer the constructor builds
    assertTrue(run.err().startsWith("netspec: error: --arg: ResidualBlock {dim=-2, hidden=3}: "),
        run::toString);
    assertTrue(run.err().contains("-2"), run::toString);
    assertTrue(Files.notExists(y));
    Path w = tmp.resolve("w.safetensors");
    SafeTensors.save(Map.of("norm.weight", Tensor.zeros(4)), w);
    Cli grad = Cli.run("grad", spec, "--block", "ResidualBlock", "--arg", "dim=-2", "--arg",
        "hidden=3", "--input", x.toString(), "--weights", w.toString(), "--upstream",
        x.toString(), "--output", y.toString());
    assertEquals(Netspec.USAGE, grad.code(), grad::toString);
    assertTrue(grad.err().startsWith("netspec: error: --arg: ResidualBlock {dim=-2, hidden=3}: "),
        grad::toString);
  }

  @Test
  void inspectRefusesWhatTheConstructorRefusesAsRunDoes() {
    // LayerNorm(-2) is refused by nn.LayerNorm; inspect used to print LayerNorm((-2,)), exit 0
    String spec = "../specs/residual_mlp.yaml";
    Cli r = Cli.run("inspect", spec, "--block", "ResidualBlock", "--arg", "dim=-2", "--arg",
        "hidden=3");
    assertEquals(Netspec.USAGE, r.code(), r::toString);
    assertEquals("", r.out(), r::toString);
    assertTrue(r.err().startsWith("netspec: error: --arg: ResidualBlock {dim=-2, hidden=3}: "
        + "LayerNorm: normalized dims must be positive, got (-2,)\n"), r::toString);
    // a size that no input declares: Linear(3, -2)
    Cli head = Cli.run("inspect", this.head.toString(), "--arg", "features=-2", "--arg",
        "p=0.5", "--arg", "bias=true", "--format", "json");
    assertEquals(Netspec.USAGE, head.code(), head::toString);
    assertTrue(head.err().startsWith("netspec: error: --arg: Head {features=-2, p=0.5, "
        + "bias=true}: out_features must be >= 0, got -2\n"), head::toString);
  }
}
