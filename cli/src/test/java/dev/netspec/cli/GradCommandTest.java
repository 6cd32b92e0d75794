package dev.netspec.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.io.SafeTensors;
import dev.netspec.runtime.tensor.DType;
import dev.netspec.runtime.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code netspec grad} against PyTorch (tools/fixtures/spec_grad_fixtures.py for the seed
 * programs and the specs' small blocks with one output; spec_grad_models.py for every other
 * block of specs/: tuple outputs, BERT and GPT-2 by small arguments, reduced copies of
 * ResNet-18 and the Fashion-MNIST CNN): the outputs, the gradients of the float inputs and of
 * every parameter entry of the state dict for L = sum(y * g) (over a tuple's outputs, sum(y.0
 * * g.0) + sum(y.1 * g.1) + ...), and the weights after one SGD step (lr 0.1).
 */
class GradCommandTest {
  private static final Path REPO = Path.of("..");
  private static final Path FIXTURES = Path.of("src", "test", "resources", "fixtures", "grad");
  private static final double RTOL = 1e-4;
  private static final double ATOL = 1e-5;
  @TempDir Path tmp;

  @TestFactory
  Stream<DynamicTest> gradientsAndOneSgdStepMatchPyTorch() throws IOException {
    List<String> cases = new ArrayList<>();
    try (Stream<Path> files = Files.list(FIXTURES)) {
      files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".args"))
          .map(n -> n.substring(0, n.length() - ".args".length())).sorted().forEach(cases::add);
    }
    assertTrue(cases.size() >= 58, "fixture cases: " + cases);
    return cases.stream().map(c -> DynamicTest.dynamicTest(c, () -> check(c)));
  }

  private void check(String name) throws Exception {
    Path grads = tmp.resolve(name + ".grads.safetensors");
    Path after = tmp.resolve(name + ".after.safetensors");
    Cli r = run(name, "--output", grads.toString(), "--sgd-lr", "0.1", "--save-weights",
        after.toString());
    assertEquals(0, r.code(), r::toString);
    assertTrue(r.out().contains("gradients written to"), r::toString);
    compare(name, load(fixture(name, "expected")), load(grads));
    compare(name + " after one SGD step", load(fixture(name, "after")), load(after));
  }

  /** {@code netspec grad} on a case's spec, weights, input and upstream, plus {@code more}. */
  private static Cli run(String name, String... more) throws IOException {
    List<String> args = new ArrayList<>(List.of("grad"));
    String[] line = Files.readString(FIXTURES.resolve(name + ".args")).trim().split(" ");
    for (int i = 0; i < line.length; i++) { // paths are from the repository's root
      boolean path = i == 0 || line[i - 1].equals("--sourcepath");
      args.add(path ? REPO.resolve(line[i]).toString() : line[i]);
    }
    args.addAll(List.of("--weights", fixture(name, "weights").toString(), "--input",
        fixture(name, "input").toString(), "--upstream", fixture(name, "upstream").toString()));
    args.addAll(List.of(more));
    return Cli.run(args.toArray(new String[0]));
  }

  private static Path fixture(String name, String kind) {
    return FIXTURES.resolve(name + "." + kind + ".safetensors");
  }

  private static Map<String, Tensor> load(Path file) throws IOException {
    return SafeTensors.load(file).tensors();
  }

  private static void compare(String what, Map<String, Tensor> expected, Map<String, Tensor> actual) {
    assertEquals(new TreeSet<>(expected.keySet()), new TreeSet<>(actual.keySet()), what + ": names");
    expected.forEach((k, e) -> {
      Tensor a = actual.get(k);
      assertArrayEquals(e.shape(), a.shape(), what + " " + k + ": shape");
      if (e.dtype() != DType.FLOAT32) { // num_batches_tracked: exact
        assertArrayEquals(e.toLongArray(), a.toLongArray(), what + " " + k);
        return;
      }
      float[] ev = e.toFloatArray();
      float[] av = a.toFloatArray();
      for (int i = 0; i < ev.length; i++) {
        double tol = ATOL + RTOL * Math.abs(ev[i]);
        assertEquals(ev[i], av[i], tol, what + " " + k + "[" + i + "] (tolerance " + tol + ")");
      }
    });
  }

  @Test
  void aSharedParameterHasItsAccumulatedGradientUnderEachName() throws Exception {
    Path grads = tmp.resolve("grads.safetensors");
    assertEquals(0, run("shared", "--output", grads.toString()).code());
    Map<String, Tensor> g = load(grads);
    assertTrue(g.get("grad.2.weight").contentEquals(g.get("grad.4.weight")));
    assertFalse(g.get("grad.2.weight").contentEquals(Tensor.zeros(8, 8)));
  }

  @Test
  void buffersGetNoGradient() throws Exception {
    Path grads = tmp.resolve("grads.safetensors");
    assertEquals(0, run("fixed_hidden_mlp", "--output", grads.toString()).code());
    Map<String, Tensor> g = load(grads);
    assertFalse(g.containsKey("grad.rand_weight"), g.keySet().toString());
    assertTrue(g.containsKey("grad.linear.weight"), g.keySet().toString());
  }

  @Test
  void anUpstreamOfTheWrongShapeIsOneErrorAndWritesNothing() throws Exception {
    Path g = tmp.resolve("g.safetensors");
    SafeTensors.save(Map.of("g", Tensor.zeros(3, 10)), g);
    Path out = tmp.resolve("grads.safetensors");
    List<String> args = new ArrayList<>(List.of("grad", REPO.resolve("specs/seed/mlp.yaml").toString(),
        "--block", "Mlp", "--weights", fixture("mlp", "weights").toString(), "--input",
        fixture("mlp", "input").toString(), "--upstream", g.toString(), "--output", out.toString()));
    Cli r = Cli.run(args.toArray(new String[0]));
    assertEquals(1, r.code(), r::toString);
    assertEquals(g + ": error: 'g' has shape [3, 10], but y has shape [2, 10]\n", r.err());
    assertFalse(Files.exists(out));

    SafeTensors.save(Map.of("h", Tensor.zeros(2, 10)), g);
    r = Cli.run(args.toArray(new String[0]));
    assertEquals(1, r.code(), r::toString);
    assertEquals(g + ": error: no tensor named 'g' (found: h)\n", r.err());
  }

  @Test
  void aTupleNeedsOneUpstreamTensorPerOutput() throws Exception {
    Path g = tmp.resolve("g.safetensors");
    Map<String, Tensor> upstream = new java.util.TreeMap<>(load(fixture("gru_step", "upstream")));
    assertEquals(Set.of("g.0", "g.1"), upstream.keySet());
    upstream.remove("g.1");
    SafeTensors.save(upstream, g);
    Path out = tmp.resolve("grads.safetensors");
    List<String> args = new ArrayList<>(List.of("grad", REPO.resolve("specs/gru_classifier.yaml")
        .toString(), "--block", "GruStep", "--weights", fixture("gru_step", "weights").toString(),
        "--input", fixture("gru_step", "input").toString(), "--upstream", g.toString(),
        "--output", out.toString()));
    Cli r = Cli.run(args.toArray(new String[0]));
    assertEquals(1, r.code(), r::toString);
    assertEquals(g + ": error: no tensor named 'g.1' (found: g.0); y.0, y.1 needs one per"
        + " output\n", r.err());
    assertFalse(Files.exists(out));

    upstream.put("g.1", Tensor.zeros(1, 2, 15));
    SafeTensors.save(upstream, g);
    r = Cli.run(args.toArray(new String[0]));
    assertEquals(1, r.code(), r::toString);
    assertEquals(g + ": error: 'g.1' has shape [1, 2, 15], but y.1 has shape [1, 2, 16]\n",
        r.err());
    assertFalse(Files.exists(out));
  }

  @Test
  void sgdLrAndSaveWeightsGoTogether() throws Exception {
    Cli r = run("mlp", "--output", tmp.resolve("g.safetensors").toString(), "--sgd-lr", "0.1");
    assertEquals(2, r.code(), r::toString);
    assertTrue(r.err().contains("--sgd-lr and --save-weights go together"), r::toString);
    assertFalse(Files.exists(tmp.resolve("g.safetensors")));
  }
}
