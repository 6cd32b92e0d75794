package dev.netspec.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.io.SafeTensors;
import dev.netspec.runtime.tensor.Tensor;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * compile, check, inspect and run through the real entry point, on small specs whose numbers
 * are worked out by hand in the comments.
 */
class CommandsTest {
  @TempDir Path tmp;
  private Path specs;
  private Path mlp;

  @BeforeEach
  void copySpecs() throws IOException, URISyntaxException {
    specs = Files.createDirectory(tmp.resolve("specs"));
    Path from = Path.of(CommandsTest.class.getResource("/specs").toURI());
    try (Stream<Path> files = Files.list(from)) {
      for (Path f : files.toList()) {
        Files.copy(f, specs.resolve(f.getFileName()));
      }
    }
    Files.move(specs.resolve("bad.yaml"), tmp.resolve("bad.yaml"));
    mlp = specs.resolve("mlp.yaml");
  }

  // ---------------------------------------------------------------- compile and check

  @Test
  void compileWritesOneClassPerBlockAndLeavesUpToDateFilesAlone() throws IOException {
    Path out = tmp.resolve("out");
    Cli first = Cli.run("compile", specs.toString(), "-d", out.toString());
    assertEquals(0, first.code(), first::toString);
    Path mlpJava = out.resolve("com/example/models/Mlp.java");
    assertTrue(Files.isRegularFile(mlpJava), first::toString);
    assertTrue(Files.isRegularFile(out.resolve("com/example/models/Left.java")));
    assertTrue(first.out().endsWith("3 classes in " + out + ": 3 written, 0 up to date\n"),
        first::toString);

    Cli second = Cli.run("compile", specs.toString(), "-d", out.toString());
    assertEquals(0, second.code(), second::toString);
    assertEquals("3 classes in " + out + ": 0 written, 3 up to date\n", second.out());
  }

  @Test
  void compilePackageOverrideMovesTheClasses() {
    Path out = tmp.resolve("out");
    Cli r = Cli.run("compile", mlp.toString(), "-d", out.toString(), "--package", "org.acme");
    assertEquals(0, r.code(), r::toString);
    assertTrue(Files.isRegularFile(out.resolve("org/acme/Mlp.java")), r::toString);
  }

  @Test
  void checkPassesOnFreshSourcesAndNamesStaleAndMissingOnes() throws IOException {
    Path out = tmp.resolve("out");
    assertEquals(0, Cli.run("compile", specs.toString(), "-d", out.toString()).code());
    Cli fresh = Cli.run("check", specs.toString(), "-d", out.toString());
    assertEquals(0, fresh.code(), fresh::toString);

    Path mlpJava = out.resolve("com/example/models/Mlp.java");
    Files.writeString(mlpJava, "// edited by hand\n", java.nio.file.StandardOpenOption.APPEND);
    Files.delete(out.resolve("com/example/models/Left.java"));
    Cli stale = Cli.run("check", specs.toString(), "-d", out.toString());
    assertEquals(Netspec.USER_ERROR, stale.code(), stale::toString);
    assertTrue(stale.err().contains(out.resolve("com/example/models/Left.java")
        + ": error: missing: 'netspec compile' would write it\n"), stale::toString);
    assertTrue(stale.err().contains(mlpJava
        + ": error: stale: differs from what 'netspec compile' writes\n"), stale::toString);
    assertTrue(stale.err().endsWith("2 files are out of date; to fix, run: netspec compile "
        + specs + " -d " + out + "\n"), stale::toString);
    assertTrue(Files.readString(mlpJava).endsWith("// edited by hand\n"), "check changed a file");
  }

  @Test
  void badSpecFailsWithFileLineColumnAndWritesNothing() {
    Path bad = tmp.resolve("bad.yaml");
    Path out = tmp.resolve("out");
    Cli r = Cli.run("compile", bad.toString(), mlp.toString(), "-d", out.toString());
    assertEquals(Netspec.USER_ERROR, r.code(), r::toString);
    assertTrue(r.err().startsWith(bad + ":8:"), r::toString);
    assertTrue(r.err().matches("(?s)" + java.util.regex.Pattern.quote(bad.toString())
        + ":8:\\d+: error: .+"), r::toString);
    assertTrue(!r.err().contains("\tat "), "stack trace: " + r);
    assertTrue(Files.notExists(out), "a failed compile wrote files");
  }

  // ---------------------------------------------------------------- inspect

  @Test
  void inspectJsonFollowsTheContract() {
    Cli r = Cli.run("inspect", mlp.toString(), "--format", "json");
    assertEquals(0, r.code(), r::toString);
    // 0.weight [2, 3] + 0.bias [2] + 2.weight [1, 2] + 2.bias [1] = 6 + 2 + 2 + 1 = 11;
    // the workspace's size depends on the symbolic batch
    assertEquals("""
        {
          "block": "Mlp",
          "input_shape": ["batch", 3],
          "output_shape": ["batch", 1],
          "state_dict": [
            {
              "name": "0.weight",
              "shape": [2, 3]
            },
            {
              "name": "0.bias",
              "shape": [2]
            },
            {
              "name": "2.weight",
              "shape": [1, 2]
            },
            {
              "name": "2.bias",
              "shape": [1]
            }
          ],
          "parameters": 11,
          "workspace_bytes": null,
          "inputs": [
            {
              "name": "x",
              "dtype": "float32",
              "shape": ["batch", 3]
            }
          ],
          "outputs": [
            {
              "name": "y",
              "dtype": "float32",
              "shape": ["batch", 1]
            }
          ]
        }
        """, r.out());
  }

  @Test
  void inspectJsonGivesNullForWhatIsNotKnown() throws IOException, URISyntaxException {
    Path lazy = Path.of(CommandsTest.class.getResource("/lazy/lazy.yaml").toURI());
    Cli open = Cli.run("inspect", lazy.toString(), "--format", "json");
    assertEquals(0, open.code(), open::toString);
    assertTrue(open.out().contains("\"shape\": [1, \"?\"]"), open::toString);
    // its one step writes the caller's output: no buffer, whatever the batch
    assertTrue(open.out().contains("\"parameters\": null,\n  \"workspace_bytes\": 0,\n"),
        open::toString);
    // Linear(4, 1): 4 weights + 1 bias
    Cli fixed = Cli.run("inspect", lazy.toString(), "--format", "json", "--input-shape", "2,4");
    assertTrue(fixed.out().contains("\"parameters\": 5,\n  \"workspace_bytes\": 0,\n"),
        fixed::toString);

    Path any = tmp.resolve("any.yaml");
    Files.writeString(any, "netspec: 1\npackage: p\nblocks:\n  Double:\n    forward: x * 2\n");
    Cli undeclared = Cli.run("inspect", any.toString(), "--format", "json");
    assertEquals(0, undeclared.code(), undeclared::toString);
    assertTrue(undeclared.out().contains("\"input_shape\": null,\n  \"output_shape\": null,"),
        undeclared::toString);
    Cli text = Cli.run("inspect", any.toString());
    assertTrue(text.out().startsWith("Double (" + any + "): input any shape -> output any shape\n"),
        text::toString);
  }

  @Test
  void inspectReprIsPyTorchsRepr() {
    Cli r = Cli.run("inspect", mlp.toString(), "--format", "repr");
    assertEquals(0, r.code(), r::toString);
    assertEquals("""
        Sequential(
          (0): Linear(in_features=3, out_features=2, bias=True)
          (1): ReLU()
          (2): Linear(in_features=2, out_features=1, bias=True)
        )
        """, r.out());
  }

  @Test
  void inspectTextShowsTreeTableAndTotals() {
    Cli r = Cli.run("inspect", mlp.toString(), "--input-shape", "2,3");
    assertEquals(0, r.code(), r::toString);
    assertTrue(r.out().contains("Sequential(\n  (0): Linear(in_features=3"), r::toString);
    assertTrue(r.out().contains("total parameters  11\n"), r::toString);
    // 11 float32 scalars
    assertTrue(r.out().contains("parameter memory  44 bytes\n"), r::toString);
  }

  @Test
  void inspectTextGivesTheFlopsOfOneSampleWhenTheBatchIsSymbolic() {
    Cli one = Cli.run("inspect", mlp.toString(), "--input-shape", "1,3");
    java.util.regex.Matcher m = java.util.regex.Pattern
        .compile("\nforward FLOPs     ([0-9,]+)\n").matcher(one.out());
    assertTrue(m.find(), one::toString);
    // a multiply-add is 2 FLOPs, ReLU 1 per element: Linear(3, 2) 2*3*2 = 12, ReLU 2,
    // Linear(2, 1) 2*2*1 = 4
    assertEquals("18", m.group(1));
    Cli symbolic = Cli.run("inspect", mlp.toString());
    assertEquals(0, symbolic.code(), symbolic::toString);
    assertTrue(symbolic.out().endsWith("\nforward FLOPs     " + m.group(1)
        + " for input [1, 3] (--input-shape for another)\n"), symbolic::toString);
  }

  @Test
  void inspectNeedsBlockWhenTheFileHasSeveral() {
    Path two = specs.resolve("two.yaml");
    Cli none = Cli.run("inspect", two.toString());
    assertEquals(Netspec.USAGE, none.code(), none::toString);
    assertEquals(two + ": error: more than one top-level block; choose one with --block "
        + "(Left, Right)\n", none.err());
    Cli right = Cli.run("inspect", two.toString(), "--block", "Right", "--format", "repr");
    assertEquals(0, right.code(), right::toString);
    assertTrue(right.out().startsWith("Sequential(\n  (0): Linear(in_features=4, out_features=3"),
        right::toString);
  }

  @Test
  void inspectUnknownBlockIsAUsageError() {
    Cli r = Cli.run("inspect", mlp.toString(), "--block", "Nope");
    assertEquals(Netspec.USAGE, r.code(), r::toString);
    assertEquals(mlp + ": error: no block named 'Nope' (the blocks are Mlp)\n", r.err());
  }

  /** {@code --block mlp} for {@code Mlp}: every command that takes --block, one answer, exit 2. */
  @Test
  void blockInTheWrongCaseSuggestsTheBlockInEveryCommand() {
    String expected = mlp + ": error: no block named 'mlp'; did you mean 'Mlp'? (the blocks are"
        + " Mlp)\n";
    Path x = tmp.resolve("absent.safetensors");
    for (String[] command : List.of(
        new String[] {"inspect", mlp.toString(), "--block", "mlp"},
        new String[] {"run", mlp.toString(), "--block", "mlp", "--input", x.toString(),
            "--output", tmp.resolve("y.safetensors").toString()},
        new String[] {"grad", mlp.toString(), "--block", "mlp", "--input", x.toString(),
            "--weights", x.toString(), "--upstream", x.toString(), "--output",
            tmp.resolve("g.safetensors").toString()},
        new String[] {"generate", mlp.toString(), "--block", "mlp", "--weights", x.toString(),
            "--prompt", x.toString(), "--max-new-tokens", "1", "--output",
            tmp.resolve("t.safetensors").toString()},
        new String[] {"train", mlp.toString(), "--block", "mlp", "--data", x.toString(),
            "--save-weights", tmp.resolve("w.safetensors").toString()})) {
      Cli r = Cli.run(command);
      assertEquals(Netspec.USAGE, r.code(), r::toString);
      assertEquals(expected, r.err(), r::toString);
    }
  }

  // ---------------------------------------------------------------- run

  /** The weights of the hand computation below. */
  private Path handWeights() throws IOException {
    Path w = tmp.resolve("w.safetensors");
    SafeTensors.save(Map.of(
        "0.weight", Tensor.of(new float[][] {{1, -1, 0}, {0, 1, -1}}),
        "0.bias", Tensor.of(0.5f, -1f),
        "2.weight", Tensor.of(new float[][] {{2, 3}}),
        "2.bias", Tensor.of(0.25f)), w);
    return w;
  }

  private Path input(String name, Tensor x) throws IOException {
    Path p = tmp.resolve("x.safetensors");
    SafeTensors.save(Map.of(name, x), p);
    return p;
  }

  @Test
  void runComputesTheForwardWithLoadedWeights() throws IOException {
    Path x = input("x", Tensor.of(new float[][] {{1, 2, 3}, {4, 1, -2}}));
    Path y = tmp.resolve("y.safetensors");
    Path saved = tmp.resolve("w2.safetensors");
    Cli r = Cli.run("run", mlp.toString(), "--input", x.toString(), "--weights",
        handWeights().toString(), "--save-weights", saved.toString(), "--output", y.toString());
    assertEquals(0, r.code(), r::toString);
    // row 0: h = relu([1 - 2 + 0.5, 2 - 3 - 1]) = [0, 0]        -> y = 0.25
    // row 1: h = relu([4 - 1 + 0.5, 1 + 2 - 1]) = [3.5, 2]      -> y = 7 + 6 + 0.25 = 13.25
    Tensor out = SafeTensors.load(y).tensor("y");
    assertArrayEquals(new int[] {2, 1}, out.shape());
    assertArrayEquals(new float[] {0.25f, 13.25f}, out.toFloatArray(), 1e-6f);
    assertEquals(List.of("0.bias", "0.weight", "2.bias", "2.weight"),
        List.copyOf(new java.util.TreeSet<>(SafeTensors.load(saved).tensors().keySet())));
  }

  @Test
  void runWithPyTorchWeightsGivesPyTorchsOutput() throws IOException, URISyntaxException {
    // fixtures from tools/fixtures/cli_run.py: PyTorch's input, weights and output
    Path fixtures = Path.of(CommandsTest.class.getResource("/fixtures/run").toURI());
    Path y = tmp.resolve("y.safetensors");
    Cli r = Cli.run("run", fixtures.resolve("tiny.yaml").toString(), "--input",
        fixtures.resolve("x.safetensors").toString(), "--weights",
        fixtures.resolve("weights.safetensors").toString(), "--output", y.toString());
    assertEquals(0, r.code(), r::toString);
    Tensor expected = SafeTensors.load(fixtures.resolve("y.safetensors")).tensor("y");
    Tensor actual = SafeTensors.load(y).tensor("y");
    assertArrayEquals(expected.shape(), actual.shape());
    assertArrayEquals(expected.toFloatArray(), actual.toFloatArray(), 1e-5f);
  }

  @Test
  void runCompilesJavaInitializersFromTheSourcePath() throws IOException, URISyntaxException {
    Path dir = Path.of(CommandsTest.class.getResource("/javainit").toURI());
    Path x = input("x", Tensor.of(new float[][] {{1, 2}, {-4, 6}}));
    Path y = tmp.resolve("y.safetensors");
    Path spec = dir.resolve("halves.yaml");
    Cli without = Cli.run("run", spec.toString(), "--input", x.toString(), "--output",
        y.toString());
    assertEquals(Netspec.USER_ERROR, without.code(), without::toString);
    assertTrue(without.err().startsWith(spec + ": error: the generated code does not compile: "
        + "give the classes of its java: initializers with --sourcepath DIR\n"), without::toString);
    assertTrue(without.err().contains("import com.acme.Inits;"), without::toString);
    assertTrue(!without.err().contains("warning:"), without::toString);
    assertTrue(Files.notExists(y));

    Cli r = Cli.run("run", spec.toString(), "--input", x.toString(), "--sourcepath",
        dir.toString(), "--output", y.toString());
    assertEquals(0, r.code(), r::toString);
    // weight [[0.5, 0.5]], bias 0: y = 0.5 * (1 + 2), 0.5 * (-4 + 6)
    assertArrayEquals(new float[] {1.5f, 1f}, SafeTensors.load(y).tensor("y").toFloatArray());
  }

  @Test
  void runOfALazyBlockTakesItsSizeFromTheWeights() throws IOException, URISyntaxException {
    Path spec = Path.of(CommandsTest.class.getResource("/lazy/lazy.yaml").toURI());
    Path w = tmp.resolve("w.safetensors");
    SafeTensors.save(Map.of("0.weight", Tensor.of(new float[][] {{1, 2, 3}}),
        "0.bias", Tensor.of(-1f)), w);
    Path y = tmp.resolve("y.safetensors");
    Path x = input("x", Tensor.of(new float[][] {{1, 1, 1}, {0, 1, -1}}));
    Cli r = Cli.run("run", spec.toString(), "--input", x.toString(), "--weights", w.toString(),
        "--output", y.toString());
    assertEquals(0, r.code(), r::toString);
    // 1 + 2 + 3 - 1 = 5; 0 + 2 - 3 - 1 = -2
    assertArrayEquals(new float[] {5f, -2f}, SafeTensors.load(y).tensor("y").toFloatArray());

    Path x4 = input("x", Tensor.zeros(2, 4));
    Files.delete(y);
    Cli wrong = Cli.run("run", spec.toString(), "--input", x4.toString(), "--weights",
        w.toString(), "--output", y.toString());
    assertEquals(Netspec.USER_ERROR, wrong.code(), wrong::toString);
    assertTrue(wrong.err().startsWith(x4 + ": error: 'x' of shape [2, 4] does not fit Lazy with "
        + "the weights of " + w + ": "), wrong::toString);
    assertTrue(Files.notExists(y));
  }

  @Test
  void runWithoutWeightsUsesTheSeed() throws IOException {
    Path x = input("x", Tensor.of(new float[][] {{1, 2, 3}}));
    Path y0 = tmp.resolve("y0.safetensors");
    Path y1 = tmp.resolve("y1.safetensors");
    Path y0again = tmp.resolve("y0again.safetensors");
    assertEquals(0, Cli.run("run", mlp.toString(), "--input", x.toString(), "--output",
        y0.toString()).code());
    assertEquals(0, Cli.run("run", mlp.toString(), "--input", x.toString(), "--seed", "1",
        "--output", y1.toString()).code());
    assertEquals(0, Cli.run("run", mlp.toString(), "--input", x.toString(), "--seed", "0",
        "--output", y0again.toString()).code());
    Tensor a = SafeTensors.load(y0).tensor("y");
    assertTrue(a.contentEquals(SafeTensors.load(y0again).tensor("y")), "seed 0 twice differs");
    assertTrue(!a.contentEquals(SafeTensors.load(y1).tensor("y")), "seeds 0 and 1 agree");
  }

  @Test
  void runRefusesAnInputOfTheWrongShape() throws IOException {
    Path x = input("x", Tensor.zeros(2, 4));
    Path y = tmp.resolve("y.safetensors");
    Cli r = Cli.run("run", mlp.toString(), "--input", x.toString(), "--output", y.toString());
    assertEquals(Netspec.USER_ERROR, r.code(), r::toString);
    assertEquals(x + ": error: 'x' has shape [2, 4], but Mlp takes [batch, 3]\n", r.err());
    assertTrue(Files.notExists(y));
  }

  @Test
  void runRefusesAnInt64Input() throws IOException {
    Path x = input("x", Tensor.ofLongs(new long[] {1, 2, 3, 4, 5, 6}, 2, 3));
    Path y = tmp.resolve("y.safetensors");
    Cli r = Cli.run("run", mlp.toString(), "--input", x.toString(), "--output", y.toString());
    assertEquals(Netspec.USER_ERROR, r.code(), r::toString);
    assertEquals(x + ": error: 'x' is torch.int64, but Mlp takes a float32 input: save X.float() as 'x'\n", r.err());
    assertTrue(Files.notExists(y));
  }

  @Test
  void runRefusesAnInputWithoutX() throws IOException {
    Path x = input("input", Tensor.zeros(2, 3));
    Cli r = Cli.run("run", mlp.toString(), "--input", x.toString(), "--output",
        tmp.resolve("y.safetensors").toString());
    assertEquals(Netspec.USER_ERROR, r.code(), r::toString);
    assertEquals(x + ": error: no tensor named 'x' (found: input); the input is read by the name 'x': save it"
        + " as save_file({'x': X}, ...)\n", r.err());
  }

  @Test
  void runRefusesAFileThatIsNotSafetensors() throws IOException {
    Path x = Files.write(tmp.resolve("x.safetensors"), new byte[] {1, 2, 3, 4, 5});
    Cli r = Cli.run("run", mlp.toString(), "--input", x.toString(), "--output",
        tmp.resolve("y.safetensors").toString());
    assertEquals(Netspec.USER_ERROR, r.code(), r::toString);
    assertTrue(r.err().startsWith(x + ": error: "), r::toString);
    assertEquals(1, r.err().lines().count(), r::toString);
  }

  @Test
  void runLoadsWeightsStrictly() throws IOException {
    Path w = tmp.resolve("w.safetensors");
    SafeTensors.save(Map.of("0.weight", Tensor.zeros(2, 3)), w);
    Path x = input("x", Tensor.zeros(1, 3));
    Cli r = Cli.run("run", mlp.toString(), "--input", x.toString(), "--weights", w.toString(),
        "--output", tmp.resolve("y.safetensors").toString());
    assertEquals(Netspec.USER_ERROR, r.code(), r::toString);
    // one line (the runtime's message is PyTorch's, a line per problem): Mlp is Linear(3, 2),
    // ReLU, Linear(2, 1), so the file lacks 0.bias and the second linear's two tensors
    assertEquals(w + ": error: the weights do not fit Mlp: 3 missing keys (0.bias, 2.weight,"
        + " 2.bias)\n", r.err());
  }

  @Test
  void aStateDictMismatchIsOneLineWithTheKeysAndBothShapes() throws IOException {
    Path x = input("x", Tensor.zeros(1, 3));
    Path w = tmp.resolve("w.safetensors");
    SafeTensors.save(Map.of("0.weight", Tensor.zeros(2, 4), "0.bias", Tensor.zeros(2),
        "2.weight", Tensor.zeros(1, 2), "2.bias", Tensor.zeros(1), "3.weight", Tensor.zeros(1),
        "4.weight", Tensor.zeros(1), "5.weight", Tensor.zeros(1), "6.weight", Tensor.zeros(1)),
        w);
    Cli r = Cli.run("run", mlp.toString(), "--input", x.toString(), "--weights", w.toString(),
        "--output", tmp.resolve("y.safetensors").toString());
    assertEquals(Netspec.USER_ERROR, r.code(), r::toString);
    assertEquals(w + ": error: the weights do not fit Mlp: 4 unexpected keys (3.weight, 4.weight,"
        + " 5.weight and 1 more), 0.weight is [2, 4] in the file, [2, 3] in Mlp\n", r.err());

    // a shape mismatch and a problem that is not one (a dtype): each in its place
    SafeTensors.save(Map.of("0.weight", Tensor.zeros(2, 4), "0.bias",
        Tensor.ofLongs(new long[] {0, 0}, 2), "2.weight", Tensor.zeros(1, 2), "2.bias",
        Tensor.zeros(1)), w);
    r = Cli.run("run", mlp.toString(), "--input", x.toString(), "--weights", w.toString(),
        "--output", tmp.resolve("y.safetensors").toString());
    assertEquals(w + ": error: the weights do not fit Mlp: 0.weight is [2, 4] in the file,"
        + " [2, 3] in Mlp, dtype mismatch for 0.bias: copying a param with dtype torch.int64 from"
        + " checkpoint, the dtype in current model is torch.float32.\n", r.err());

    // every matrix saved transposed ([in, out], as Keras saves a kernel): said once, with the fix
    SafeTensors.save(Map.of("0.weight", Tensor.zeros(3, 2), "0.bias", Tensor.zeros(2),
        "2.weight", Tensor.zeros(2, 1), "2.bias", Tensor.zeros(1)), w);
    r = Cli.run("run", mlp.toString(), "--input", x.toString(), "--weights", w.toString(),
        "--output", tmp.resolve("y.safetensors").toString());
    assertEquals(w + ": error: the weights do not fit Mlp: 0.weight is [3, 2] in the file, [2, 3] in Mlp,"
        + " 2.weight is [2, 1] in the file, [1, 2] in Mlp; the file's matrices are transposed ([in, out], as"
        + " Keras and TensorFlow save a kernel): PyTorch's and netspec's linear weight is [out_features,"
        + " in_features], save each one's transpose (w.T)\n", r.err());

    // saved from a wrapper (PyTorch's nn.DataParallel prefixes every key with "module.")
    SafeTensors.save(Map.of("module.0.weight", Tensor.zeros(2, 3), "module.0.bias",
        Tensor.zeros(2), "module.2.weight", Tensor.zeros(1, 2), "module.2.bias", Tensor.zeros(1)),
        w);
    r = Cli.run("run", mlp.toString(), "--input", x.toString(), "--weights", w.toString(),
        "--output", tmp.resolve("y.safetensors").toString());
    assertEquals(w + ": error: the weights do not fit Mlp: 4 missing keys (0.weight, 0.bias,"
        + " 2.weight and 1 more), 4 unexpected keys (module.0.bias, module.0.weight,"
        + " module.2.bias and 1 more); the file's keys have an extra prefix 'module.' (saved from"
        + " a wrapper module?): save the inner module's state dict, or strip the prefix\n",
        r.err());

    // saved from a PyTorch module with named children (self.fc1, self.fc2) for a 'sequential'
    SafeTensors.save(Map.of("fc1.weight", Tensor.zeros(2, 3), "fc1.bias", Tensor.zeros(2),
        "fc2.weight", Tensor.zeros(1, 2), "fc2.bias", Tensor.zeros(1)), w);
    r = Cli.run("run", mlp.toString(), "--input", x.toString(), "--weights", w.toString(),
        "--output", tmp.resolve("y.safetensors").toString());
    assertEquals(w + ": error: the weights do not fit Mlp: 4 missing keys (0.weight, 0.bias,"
        + " 2.weight and 1 more), 4 unexpected keys (fc1.bias, fc1.weight, fc2.bias and 1 more);"
        + " the keys differ in their first part, the child's name (the file's fc1, fc2, Mlp's 0, 2):"
        + " name the spec's children as the module that saved the file did (a 'sequential' names"
        + " them 0, 1, 2, ...; 'layers:' by name)\n", r.err());

    // a different model altogether: no hint
    SafeTensors.save(Map.of("fc1.weight", Tensor.zeros(2, 3), "fc1.bias", Tensor.zeros(2),
        "fc2.weight", Tensor.zeros(1, 2), "fc2.running_mean", Tensor.zeros(1)), w);
    r = Cli.run("run", mlp.toString(), "--input", x.toString(), "--weights", w.toString(),
        "--output", tmp.resolve("y.safetensors").toString());
    assertFalse(r.err().contains("first part"), r::toString);
    assertTrue(Files.notExists(tmp.resolve("y.safetensors")));
  }

  @Test
  void runOfAMissingWeightsFileIsAUserError() throws IOException {
    Path x = input("x", Tensor.zeros(1, 3));
    Path w = tmp.resolve("missing.safetensors");
    Cli r = Cli.run("run", mlp.toString(), "--input", x.toString(), "--weights", w.toString(),
        "--output", tmp.resolve("y.safetensors").toString());
    assertEquals(Netspec.USER_ERROR, r.code(), r::toString);
    assertEquals(w + ": error: no such file\n", r.err());
  }

  @Test
  void anOutputThatCannotBeAFileIsRefusedInOurWordsBeforeTheRun() throws IOException {
    Path x = input("x", Tensor.zeros(1, 3));
    // a folder: say what to pass instead of the JDK's "Is a directory"
    Cli r = Cli.run("run", mlp.toString(), "--input", x.toString(), "--output", tmp.toString());
    assertEquals(Netspec.USER_ERROR, r.code(), r::toString);
    assertEquals(tmp + ": error: is a folder; give --output a file to write, such as "
        + tmp.resolve("y.safetensors") + "\n", r.err());
    // a file in a missing folder
    Path missing = tmp.resolve("nope").resolve("y.safetensors");
    r = Cli.run("run", mlp.toString(), "--input", x.toString(), "--output", missing.toString());
    assertEquals(Netspec.USER_ERROR, r.code(), r::toString);
    assertEquals(missing + ": error: the folder " + tmp.resolve("nope") + " does not exist; create it"
        + " first (mkdir -p " + tmp.resolve("nope") + ") or give --output a file in an existing"
        + " folder\n", r.err());
    // a file in a "folder" that is a file; --save-weights is checked as --output is, before the
    // run, so no output is written
    Path y = tmp.resolve("y.safetensors");
    Path inFile = x.resolve("w.safetensors");
    r = Cli.run("run", mlp.toString(), "--input", x.toString(), "--output", y.toString(),
        "--save-weights", inFile.toString());
    assertEquals(Netspec.USER_ERROR, r.code(), r::toString);
    assertEquals(inFile + ": error: " + x + " is a file, not a folder; give --save-weights a file in"
        + " a folder\n", r.err());
    assertTrue(Files.notExists(y));
    assertEquals("", r.out());
  }

  // ---------------------------------------------------------------- eval and training mode

  /** Runs the eval fixture's classifier (with dropout) on PyTorch's input and weights. */
  private Tensor runClassifier(String... options) throws IOException, URISyntaxException {
    Path fixtures = Path.of(CommandsTest.class.getResource("/fixtures/eval").toURI());
    Path y = Files.createTempFile(tmp, "y", ".safetensors");
    List<String> args = new java.util.ArrayList<>(List.of("run",
        fixtures.resolve("classifier.yaml").toString(),
        "--input", fixtures.resolve("x.safetensors").toString(),
        "--weights", fixtures.resolve("weights.safetensors").toString(),
        "--output", y.toString()));
    args.addAll(List.of(options));
    Cli r = Cli.run(args.toArray(String[]::new));
    assertEquals(0, r.code(), r::toString);
    lastRun = r;
    return SafeTensors.load(y).tensor("y");
  }

  /** What the last {@link #runClassifier} printed. */
  private Cli lastRun;

  private static float maxDifference(Tensor a, Tensor b) {
    float[] x = a.toFloatArray();
    float[] y = b.toFloatArray();
    float max = 0;
    for (int i = 0; i < x.length; i++) {
      max = Math.max(max, Math.abs(x[i] - y[i]));
    }
    return max;
  }

  @Test
  void runIsInEvalModeByDefaultAndGivesPyTorchsEvalOutput() throws Exception {
    // fixtures from tools/fixtures/cli_eval.py: net.eval()(x) of Linear, ReLU, Dropout(0.5),
    // Linear, computed by PyTorch
    Tensor expected = SafeTensors.load(Path.of(CommandsTest.class
        .getResource("/fixtures/eval/y.safetensors").toURI())).tensor("y");
    Tensor y = runClassifier();
    assertArrayEquals(expected.shape(), y.shape());
    assertArrayEquals(expected.toFloatArray(), y.toFloatArray(), 1e-5f);
    assertTrue(lastRun.out().contains(" (eval mode), written to "), lastRun::toString);
    // with the weights loaded, the seed changes nothing in eval mode
    assertArrayEquals(expected.toFloatArray(), runClassifier("--seed", "7").toFloatArray(),
        1e-5f);
  }

  @Test
  void runTrainDropsOutWithMasksFromTheSeed() throws Exception {
    Tensor eval = runClassifier();
    Tensor seed0 = runClassifier("--train");
    assertTrue(lastRun.out().contains(" (training mode), written to "), lastRun::toString);
    Tensor seed0again = runClassifier("--train", "--seed", "0");
    Tensor seed1 = runClassifier("--train", "--seed", "1");
    assertTrue(maxDifference(eval, seed0) > 0.01f, "training mode gives the eval output");
    assertTrue(seed0.contentEquals(seed0again), "the same seed gives other masks");
    assertTrue(maxDifference(seed0, seed1) > 0.01f, "seeds 0 and 1 give the same masks");
  }

  @Test
  void runNotesInputsConvertedFromFloat64() throws Exception {
    // x = [[1, 2, 3]] as F64 (safetensors: 8-byte header length, JSON header, little-endian data)
    String header = "{\"x\":{\"dtype\":\"F64\",\"shape\":[1,3],\"data_offsets\":[0,24]}}";
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + header.length() + 24)
        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.putLong(header.length()).put(header.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    b.putDouble(1).putDouble(2).putDouble(3);
    Path x = Files.write(tmp.resolve("x64.safetensors"), b.array());
    Path y = tmp.resolve("y.safetensors");
    Cli r = Cli.run("run", mlp.toString(), "--input", x.toString(), "--weights",
        handWeights().toString(), "--output", y.toString());
    assertEquals(0, r.code(), r::toString);
    assertEquals(x + ": note: float64 converted to float32 (netspec computes in float32): x\n",
        r.err());
    // as in runComputesTheForwardWithLoadedWeights: h = relu([1 - 2 + 0.5, 2 - 3 - 1]) = 0
    assertArrayEquals(new float[] {0.25f}, SafeTensors.load(y).tensor("y").toFloatArray());

    Cli f32 = Cli.run("run", mlp.toString(), "--input", input("x", Tensor.of(new float[][] {
        {1, 2, 3}})).toString(), "--weights", handWeights().toString(), "--output", y.toString());
    assertEquals("", f32.err(), f32::toString);
  }

  // ---------------------------------------------------------------- --package and lazy repr

  /** A spec without {@code package:}. */
  private Path bareSpec() throws IOException {
    return Files.writeString(tmp.resolve("bare.yaml"), "netspec: 1\nblocks:\n  Bare:\n"
        + "    input: [batch, 2]\n    sequential: [{linear: 1}]\n");
  }

  @Test
  void aMissingPackageSaysToPassPackage() throws IOException {
    Path bare = bareSpec();
    Cli missing = Cli.run("inspect", bare.toString());
    assertEquals(Netspec.USER_ERROR, missing.code(), missing::toString);
    assertTrue(missing.err().startsWith(bare + ":1:1: error: missing 'package:'"),
        missing::toString);
    assertTrue(missing.err().contains("or pass --package"), missing::toString);
  }

  @Test
  void inspectAndRunTakePackageForASpecWithoutOne() throws IOException {
    Path bare = bareSpec();
    Cli inspect = Cli.run("inspect", bare.toString(), "--package", "org.acme", "--format", "repr");
    assertEquals(0, inspect.code(), inspect::toString);
    assertEquals("Sequential(\n  (0): Linear(in_features=2, out_features=1, bias=True)\n)\n",
        inspect.out());

    Path y = tmp.resolve("y.safetensors");
    Cli run = Cli.run("run", bare.toString(), "--package", "org.acme", "--input",
        input("x", Tensor.zeros(1, 2)).toString(), "--output", y.toString());
    assertEquals(0, run.code(), run::toString);
    assertArrayEquals(new int[] {1, 1}, SafeTensors.load(y).tensor("y").shape());
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"lazy.yaml", "forced.yaml"})
  void inspectReprAtAnInputShapeIsMaterializedAsPyTorchPrintsIt(String file) throws Exception {
    // fixtures from tools/fixtures/cli_lazy_repr.py: print(net) before and after a forward;
    // lazy.yaml has a linear on a lazy dim, forced.yaml a lazy_linear
    Path dir = Path.of(CommandsTest.class.getResource("/fixtures/lazyrepr").toURI());
    String spec = dir.resolve(file).toString();
    Cli fresh = Cli.run("inspect", spec, "--format", "repr");
    assertEquals(0, fresh.code(), fresh::toString);
    assertEquals(Files.readString(dir.resolve("fresh.txt")), fresh.out());
    Cli materialized = Cli.run("inspect", spec, "--input-shape", "2,20", "--format", "repr");
    assertEquals(0, materialized.code(), materialized::toString);
    assertEquals(Files.readString(dir.resolve("materialized.txt")), materialized.out());
  }
}
