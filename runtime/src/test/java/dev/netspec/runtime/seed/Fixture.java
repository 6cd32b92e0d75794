package dev.netspec.runtime.seed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.netspec.runtime.io.SafeTensors;
import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One seed program's PyTorch fixture, written by {@code tools/fixtures/seed_fixtures.py}:
 * {@code NAME.txt} (what the Python program printed, in {@code === key} sections),
 * {@code NAME.weights.safetensors} (its state dict) and {@code NAME.io.safetensors} (inputs,
 * outputs and tensors outside the state dict).
 */
final class Fixture {
  /** Values must match PyTorch's within this absolute and relative tolerance. */
  static final double TOLERANCE = 1e-5;

  private static final String DIR = "/fixtures/seed/";

  private final String name;
  private final Map<String, String> texts;
  private Map<String, Tensor> io;

  private Fixture(String name, Map<String, String> texts) {
    this.name = name;
    this.texts = texts;
  }

  /** The fixture of the program {@code name} (such as {@code "mlp"}). */
  static Fixture of(String name) {
    try {
      return new Fixture(name, sections(Files.readAllLines(resource(name + ".txt"))));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What the Python program printed for {@code key}. */
  String text(String key) {
    String t = texts.get(key);
    if (t == null) {
      fail(name + ".txt has no section '" + key + "'; it has " + texts.keySet());
    }
    return t;
  }

  /** The PyTorch state dict file, as a user would download it. */
  Path weights() {
    return resource(name + ".weights.safetensors");
  }

  /** A tensor of {@code NAME.io.safetensors}: {@code X}, {@code Y}, ... */
  Tensor io(String key) {
    if (io == null) {
      try {
        io = SafeTensors.load(resource(name + ".io.safetensors")).tensors();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    Tensor t = io.get(key);
    if (t == null) {
      fail(name + ".io.safetensors has no tensor '" + key + "'; it has " + io.keySet());
    }
    return t;
  }

  /**
   * The check every model program shares: loads PyTorch's weights into {@code net} (strict),
   * runs it on {@code X}, and compares the output with {@code Y} and the printed repr,
   * output and state-dict keys with PyTorch's.
   */
  void assertRunsLikePyTorch(Module net) throws IOException {
    SafeTensors.loadStateDict(net, weights(), true);
    Tensor y = net.forward(io("X"));
    assertClose(io("Y"), y, "output of " + name);
    assertEquals(text("repr"), net.toString(), "repr of " + name);
    assertEquals(text("output"), y.toString(), "printed output of " + name);
    assertEquals(text("state_dict"), stdout(() -> printShapes(net.stateDict())),
        "state dict of " + name);
  }

  /** Prints one {@code name [shape]} line per tensor, as the fixture script does. */
  static void printShapes(Map<String, Tensor> tensors) {
    tensors.forEach((key, t) -> System.out.println(key + " " + Arrays.toString(t.shape())));
  }

  /** Asserts equal shapes and values within {@link #TOLERANCE}, naming the first bad element. */
  static void assertClose(Tensor expected, Tensor actual, String what) {
    assertEquals(Arrays.toString(expected.shape()), Arrays.toString(actual.shape()),
        what + ": shape");
    float[] e = expected.toFloatArray();
    float[] a = actual.toFloatArray();
    for (int i = 0; i < e.length; i++) {
      if (!(Math.abs(a[i] - e[i]) <= TOLERANCE * Math.max(1, Math.abs(e[i])))) {
        fail(what + ": element " + i + " (row-major) is " + a[i] + ", PyTorch has " + e[i]
            + " (tolerance " + TOLERANCE + ")");
      }
    }
  }

  /** What {@code program} prints to {@code System.out}, without the last newline. */
  static String stdout(Runnable program) {
    PrintStream saved = System.out;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    try (PrintStream capture = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
      System.setOut(capture);
      program.run();
    } finally {
      System.setOut(saved);
    }
    String s = buffer.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n");
    return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
  }

  /** The {@code === key} sections; lines before the first one are comments. */
  private static Map<String, String> sections(List<String> lines) {
    Map<String, List<String>> bodies = new LinkedHashMap<>();
    List<String> body = null;
    for (String line : lines) {
      if (line.startsWith("=== ")) {
        body = new ArrayList<>();
        bodies.put(line.substring(4), body);
      } else if (body != null) {
        body.add(line);
      }
    }
    Map<String, String> out = new LinkedHashMap<>();
    bodies.forEach((key, text) -> out.put(key, String.join("\n", text)));
    return out;
  }

  private static Path resource(String file) {
    URL url = Fixture.class.getResource(DIR + file);
    if (url == null) {
      fail("missing fixture " + DIR + file
          + ": run /usr/bin/python3 tools/fixtures/seed_fixtures.py");
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
