package dev.netspec.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.autograd.GradMode;
import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.nn.Parameter;
import dev.netspec.runtime.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every generated class, loaded strictly with the weights PyTorch made for its twin, gives
 * PyTorch's output to 1e-5, has the same state-dict keys and shapes and parameter count, and
 * prints the same module tree. Dropout models run in eval mode, as the fixtures were made.
 */
class PyTorchParityTest {
  /** Absolute and relative tolerance of every output comparison. */
  static final double TOLERANCE = 1e-5;

  static List<ParityFixture> fixtures() throws IOException {
    List<ParityFixture> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(ParityFixture.DIR)) {
      for (Path p : files.filter(f -> f.toString().endsWith(".json")).sorted()
          .collect(Collectors.toList())) {
        out.add(ParityFixture.read(p));
      }
    }
    return out;
  }

  @Test
  void everySpecInSpecsHasAParityFixture() throws IOException {
    Set<String> covered = new TreeSet<>();
    for (ParityFixture f : fixtures()) {
      covered.add("specs/" + f.spec());
    }
    // BERT has fixtures of its own (a padded batch, three outputs, two kinds of checkpoint)
    covered.add("specs/" + BertEncoderTest.reference(BertEncoderTest.DIR).get("spec").asString());
    Set<String> specs = RepoFiles.specs().stream().map(RepoFiles::slashed)
        .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(specs, covered, "specs without a PyTorch fixture (see tools/fixtures/spec_fixtures.py)");
  }

  @TestFactory
  Stream<DynamicTest> generatedClassesMatchPyTorch() throws IOException {
    return fixtures().stream().map(f -> DynamicTest.dynamicTest(f.name(), () -> checkParity(f)));
  }

  private static void checkParity(ParityFixture f) throws Exception {
    Module net = f.newModule();
    if (f.reprBeforeForward() != null) {
      assertEquals(f.reprBeforeForward(), net.toString(), f.name() + ": repr before forward");
    }
    net.loadStateDict(f.weights(), true);
    net.eval();
    Map<String, Tensor> io = f.io();
    Map<String, Tensor> outputs;
    try (GradMode.Scope scope = GradMode.noGrad()) { // the buffered forward, as PyTorch's no_grad
      outputs = f.run(net, io);
    }
    for (Map.Entry<String, Tensor> y : outputs.entrySet()) {
      assertClose(f.name() + ": output " + y.getKey(), io.get(y.getKey()), y.getValue());
    }
    // Recording (parameters require grad): every step allocates and records, same numbers
    Map<String, Tensor> recorded = f.run(net, io);
    for (Map.Entry<String, Tensor> y : recorded.entrySet()) {
      assertClose(f.name() + ": recorded output " + y.getKey(), io.get(y.getKey()), y.getValue());
    }
    if (f.printed() != null) { // the grad_fn PyTorch prints; the whole text for a few values
      Tensor y = recorded.get("y");
      assertEquals(gradFnSuffix(f.printed()), gradFnSuffix(y.toString()), f.name() + ": grad_fn");
      if (y.numel() <= 20) {
        assertEquals(f.printed(), y.toString(), f.name() + ": print(net(x))");
      }
    }

    // PyTorch printed the net its forward materialized; a loaded lazy layer keeps in_features 0
    Module printed = net;
    if (f.reprBeforeForward() != null) {
      printed = f.newModule();
      printed.forward(io.get("x"));
    }
    assertEquals(f.repr(), printed.toString(), f.name() + ": print(net)");
    List<String> keys = new ArrayList<>();
    net.stateDict().forEach((k, v) -> keys.add(ParityFixture.entry(k, v.shape())));
    assertEquals(f.stateDict(), keys, f.name() + ": state-dict keys and shapes");
    long count = 0;
    for (Parameter p : net.parameters()) {
      count += p.data().numel();
    }
    assertEquals(f.parameters(), count, f.name() + ": parameter count (a shared one once)");
  }

  /** What a printed tensor ends with after its values: {@code ", grad_fn=<SumBackward0>)"}, or "". */
  private static String gradFnSuffix(String printed) {
    int at = printed.lastIndexOf(", grad_fn=");
    return at < 0 ? "" : printed.substring(at);
  }

  /** The tutorial's weight.data[:] += 1 and weight.data[0, 0] = 42, after my_init. */
  @Test
  void inPlaceEditsOfAParameterMatchPyTorch() throws Exception {
    ParityFixture f = ParityFixture.read(ParityFixture.DIR.resolve("my_init.json"));
    Module net = f.newModule();
    net.loadStateDict(f.weights(), true);
    Tensor w = net.getParameter("0.weight").data();
    w.add_(1f);
    w.set(42f, 0, 0);
    Map<String, Tensor> io = f.io();
    assertClose("edited weight", io.get("weight0_edited"), w);
    assertClose("output after the edits", io.get("y_edited"), net.forward(io.get("x")));
  }

  /** Every element within {@link #TOLERANCE} absolute plus relative; names the worst one. */
  static void assertClose(String what, Tensor expected, Tensor actual) {
    assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
    float[] e = expected.toFloatArray();
    float[] a = actual.toFloatArray();
    int worst = -1;
    double worstExcess = 0;
    for (int i = 0; i < e.length; i++) {
      double diff = Math.abs((double) a[i] - e[i]);
      double allowed = TOLERANCE + TOLERANCE * Math.abs(e[i]);
      if (!(diff <= allowed)) {
        double excess = Double.isNaN(diff) ? Double.POSITIVE_INFINITY : diff - allowed;
        if (worst < 0 || excess > worstExcess) {
          worst = i;
          worstExcess = excess;
        }
      }
    }
    int at = worst;
    assertTrue(at < 0, () -> what + ": flat element " + at + " is " + a[at] + ", PyTorch gives "
        + e[at] + " (tolerance " + TOLERANCE + " absolute + relative)");
  }
}
