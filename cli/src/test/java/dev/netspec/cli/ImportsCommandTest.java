package dev.netspec.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.io.SafeTensors;
import dev.netspec.runtime.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command that takes a spec reads the files it imports: compile and check (errors inside
 * an imported file at that file's line and column), inspect, run and grad on a spec whose
 * first layer is a block of another file, with numbers worked out by hand.
 */
class ImportsCommandTest {
  private static final String BLOCKS = """
      netspec: 1
      package: com.example.common
      blocks:
        Affine:
          args: {n: int}
          input: [batch, n]
          layers:
            fc: {linear: n}
          forward: relu(fc(x))
      """;
  private static final String NET = """
      netspec: 1
      package: com.example.models
      imports: [common/blocks.yaml]
      blocks:
        Net:
          input: [batch, 2]
          sequential: [{Affine: {n: 2}}, {linear: 1}]
      """;

  @TempDir Path tmp;
  private Path specs;
  private Path net;

  @BeforeEach
  void writeSpecs() throws IOException {
    specs = tmp.resolve("specs");
    Files.createDirectories(specs.resolve("common"));
    Files.writeString(specs.resolve("common/blocks.yaml"), BLOCKS);
    net = Files.writeString(specs.resolve("net.yaml"), NET);
  }

  @Test
  void compileWritesTheImportedClassOnceWhetherGivenOrImported() throws IOException {
    Path all = tmp.resolve("all");
    Cli r = Cli.run("compile", specs.toString(), "-d", all.toString());
    assertEquals(0, r.code(), r::toString);
    assertTrue(r.out().endsWith("2 classes in " + all + ": 2 written, 0 up to date\n"), r::toString);
    String netJava = Files.readString(all.resolve("com/example/models/Net.java"));
    assertTrue(netJava.contains("import com.example.common.Affine;"), netJava);

    Path alone = tmp.resolve("alone");
    r = Cli.run("compile", net.toString(), "-d", alone.toString());
    assertEquals(0, r.code(), r::toString);
    for (String f : new String[] {"com/example/models/Net.java", "com/example/common/Affine.java"}) {
      assertEquals(Files.readString(all.resolve(f)), Files.readString(alone.resolve(f)), f);
    }
    Cli check = Cli.run("check", specs.toString(), "-d", alone.toString());
    assertEquals(0, check.code(), check::toString);
  }

  @Test
  void checkReportsAnErrorInsideAnImportedFileAtItsLineAndColumn() throws IOException {
    Path out = tmp.resolve("out");
    assertEquals(0, Cli.run("compile", specs.toString(), "-d", out.toString()).code());
    Files.writeString(specs.resolve("common/blocks.yaml"), BLOCKS.replace("{linear: n}", "{linaer: n}"));
    Path blocks = specs.resolve("common/blocks.yaml");
    for (String spec : new String[] {specs.toString(), net.toString()}) {
      Cli r = Cli.run("check", spec, "-d", out.toString());
      assertEquals(Netspec.USER_ERROR, r.code(), r::toString);
      assertEquals(blocks + ":8:12: error: Affine: unknown layer 'linaer'; did you mean 'linear'?\n",
          r.err(), spec);
    }
  }

  @Test
  void aCycleAndAMissingFileAreErrorsAtTheImport() throws IOException {
    Files.writeString(specs.resolve("common/blocks.yaml"),
        BLOCKS.replace("package: com.example.common\n", "package: com.example.common\nimports: [../net.yaml]\n"));
    Cli r = Cli.run("inspect", net.toString());
    assertEquals(Netspec.USER_ERROR, r.code(), r::toString);
    assertEquals(specs.resolve("common/blocks.yaml") + ":3:11: error: import cycle: " + net + " -> "
        + specs.resolve("common/blocks.yaml") + " -> " + net + "\n", r.err());

    Files.delete(specs.resolve("common/blocks.yaml"));
    r = Cli.run("compile", net.toString(), "-d", tmp.resolve("out").toString());
    assertEquals(Netspec.USER_ERROR, r.code(), r::toString);
    assertEquals(net + ":3:11: error: cannot import 'common/blocks.yaml': no such file "
        + specs.resolve("common/blocks.yaml") + "\n", r.err());
    assertFalse(Files.exists(tmp.resolve("out")), "nothing written");
  }

  @Test
  void inspectShowsTheImportedBlockInsideTheImporter() {
    // Net is made only of a sequential: it prints as PyTorch's nn.Sequential
    Cli r = Cli.run("inspect", net.toString(), "--format", "repr");
    assertEquals(0, r.code(), r::toString);
    assertEquals("""
        Sequential(
          (0): Affine(
            (fc): Linear(in_features=2, out_features=2, bias=True)
          )
          (1): Linear(in_features=2, out_features=1, bias=True)
        )
        """, r.out());
  }

  @Test
  void runAndGradComputeThroughTheImportedBlock() throws IOException {
    Path w = tmp.resolve("w.safetensors");
    SafeTensors.save(Map.of(
        "0.fc.weight", Tensor.of(new float[][] {{1, -1}, {2, 0}}),
        "0.fc.bias", Tensor.of(0.5f, -1f),
        "1.weight", Tensor.of(new float[][] {{2, 3}}),
        "1.bias", Tensor.of(0.25f)), w);
    Path x = tmp.resolve("x.safetensors");
    SafeTensors.save(Map.of("x", Tensor.of(new float[][] {{1, 2}, {4, 1}})), x);
    Path y = tmp.resolve("y.safetensors");
    Cli r = Cli.run("run", net.toString(), "--input", x.toString(), "--weights", w.toString(),
        "--output", y.toString());
    assertEquals(0, r.code(), r::toString);
    // row 0: h = relu([1 - 2 + 0.5, 2 - 1]) = [0, 1]     -> y = 3 + 0.25 = 3.25
    // row 1: h = relu([4 - 1 + 0.5, 8 - 1]) = [3.5, 7]   -> y = 7 + 21 + 0.25 = 28.25
    assertArrayEquals(new float[] {3.25f, 28.25f}, SafeTensors.load(y).tensor("y").toFloatArray(), 1e-6f);

    Path g = tmp.resolve("g.safetensors");
    SafeTensors.save(Map.of("g", Tensor.of(new float[][] {{1}, {1}})), g);
    Path grads = tmp.resolve("grads.safetensors");
    r = Cli.run("grad", net.toString(), "--input", x.toString(), "--weights", w.toString(),
        "--upstream", g.toString(), "--output", grads.toString());
    assertEquals(0, r.code(), r::toString);
    Map<String, Tensor> got = SafeTensors.load(grads).tensors();
    // d/d 1.weight = sum over rows of h = [0 + 3.5, 1 + 7]; d/d 1.bias = 2 rows
    assertArrayEquals(new float[] {3.5f, 8f}, got.get("grad.1.weight").toFloatArray(), 1e-6f);
    assertArrayEquals(new float[] {2f}, got.get("grad.1.bias").toFloatArray(), 1e-6f);
    // d/d 0.fc.bias = sum over rows of relu'(fc) * [2, 3] = [0 + 2, 3 + 3]
    assertArrayEquals(new float[] {2f, 6f}, got.get("grad.0.fc.bias").toFloatArray(), 1e-6f);
    assertArrayEquals(new float[] {3.25f, 28.25f}, got.get("y").toFloatArray(), 1e-6f);
  }

  @Test
  void trainGivesTheNumbersOfTheSameModelWrittenInOneFile() throws IOException {
    String train = """
        train:
          loss: cross_entropy
          optimizer: {adam: {lr: 0.01}}
          batch_size: 16
          epochs: 2
          seed: 3
        """;
    Files.writeString(specs.resolve("common/body.yaml"), """
        netspec: 1
        package: com.example.common
        blocks:
          Body:
            input: [batch, 4]
            sequential: [{linear: 16}, relu, {linear: 3}]
        """);
    Path imported = Files.writeString(specs.resolve("clf.yaml"), """
        netspec: 1
        package: com.example.models
        imports: [common/body.yaml]
        blocks:
          Clf:
            input: [batch, 4]
            sequential: [Body]
        """ + train);
    Path together = Files.writeString(tmp.resolve("together.yaml"), """
        netspec: 1
        package: com.example.models
        blocks:
          Body:
            input: [batch, 4]
            sequential: [{linear: 16}, relu, {linear: 3}]
          Clf:
            input: [batch, 4]
            sequential: [Body]
        """ + train);
    Path data = TrainCommandTest.blobs(tmp.resolve("train.safetensors"), 1, 40);
    Cli a = Cli.run("train", imported.toString(), "--data", data.toString(), "--save-weights",
        tmp.resolve("a.safetensors").toString());
    Cli b = Cli.run("train", together.toString(), "--data", data.toString(), "--save-weights",
        tmp.resolve("b.safetensors").toString());
    assertEquals(0, a.code(), a::toString);
    assertEquals(0, b.code(), b::toString);
    assertTrue(a.out().contains("epoch 2/2: loss "), a::toString);
    assertEquals(numbers(b.out()), numbers(a.out()));
    Map<String, Tensor> wa = SafeTensors.load(tmp.resolve("a.safetensors")).tensors();
    Map<String, Tensor> wb = SafeTensors.load(tmp.resolve("b.safetensors")).tensors();
    assertEquals(wb.keySet(), wa.keySet());
    for (String key : wa.keySet()) {
      assertArrayEquals(wb.get(key).toFloatArray(), wa.get(key).toFloatArray(), key);
    }
  }

  /** The epoch lines without their timings: {@code epoch 1/2: loss 0.9608, accuracy ..., lr 0.01}. */
  private static java.util.List<String> numbers(String out) {
    return out.lines().filter(l -> l.startsWith("epoch ")).map(l -> l.replaceAll(" \\(.*\\)$", ""))
        .toList();
  }
}
