package dev.netspec.compiler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.io.SafeTensors;
import dev.netspec.runtime.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's one-minute tour is what a new user copies first, so it cannot rot: its spec
 * compiles cleanly, and its Java ("Using it from Java") compiles against the generated class
 * and the real runtime and runs, loading PyTorch's weights of that MLP (the parity fixture
 * {@code mlp.weights.safetensors}, made by {@code nn.Sequential(nn.Linear(20, 256), nn.ReLU(),
 * nn.Linear(256, 10))}) where the README loads {@code mlp.safetensors}. The forward after the
 * load is checked against the MLP computed here by hand from the same weights.
 */
class ReadmeTourTest {
  private static final Path README = Path.of("..", "README.md");
  private static final Path WEIGHTS = Path.of("..", "generated-examples", "src", "test", "resources",
      "fixtures", "parity", "mlp.weights.safetensors");

  @Test
  void theTourSpecAndItsJavaCompileAndRun() throws Exception {
    String readme = Files.readString(README, StandardCharsets.UTF_8);
    String tour = readme.substring(readme.indexOf("## A one-minute tour"));
    Compilation c = Specs.compileClean("mlp.yaml", block(tour, "```yaml"));
    assertEquals(List.of("com.example.models.Mlp"), c.files().stream().map(GeneratedFile::className).toList());

    String snippet = block(tour.substring(tour.indexOf("Using it from Java")), "```java");
    String file = "\"mlp.safetensors\"";
    assertEquals(1, snippet.split(file, -1).length - 1, "the snippet loads " + file + " once:\n" + snippet);
    List<String> imports = new ArrayList<>();
    List<String> body = new ArrayList<>();
    for (String line : snippet.replace(file, "\"" + WEIGHTS.toAbsolutePath().toString().replace("\\", "\\\\") + "\"")
        .lines().toList()) {
      (line.startsWith("import ") ? imports : body).add(line);
    }
    String source = "package readme;\n" + String.join("\n", imports) + "\n"
        + "public final class Tour {\n  public static Tensor[] run() throws Exception {\n"
        + String.join("\n", body) + "\n    return new Tensor[] {x, same};\n  }\n}\n";
    List<GeneratedFile> files = new ArrayList<>(c.files());
    files.add(new GeneratedFile("readme/Tour.java", "readme.Tour", source, null));
    Method run = InMemoryJavac.compile(files).loadClass("readme.Tour").getMethod("run");

    PrintStream stdout = System.out;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    Tensor[] xAndSame;
    System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
    try {
      xAndSame = (Tensor[]) run.invoke(null);
    } finally {
      System.setOut(stdout);
    }
    String out = printed.toString(StandardCharsets.UTF_8);
    assertTrue(out.startsWith("tensor([["), out);
    assertTrue(out.contains("Sequential(\n  (0): Linear(in_features=20, out_features=256, bias=True)\n"
        + "  (1): ReLU()\n  (2): Linear(in_features=256, out_features=10, bias=True)\n)\n"), out);
    assertTrue(out.endsWith("0.weight [256, 20]\n0.bias [256]\n2.weight [10, 256]\n2.bias [10]\n"), out);
    assertArrayEquals(byHand(xAndSame[0]), xAndSame[1].toFloatArray(), 1e-4f);
  }

  /** The body of the first fenced block opened by {@code fence} in {@code text}. */
  private static String block(String text, String fence) {
    int start = text.indexOf(fence + "\n");
    assertTrue(start >= 0, "no " + fence + " block");
    start += fence.length() + 1;
    return text.substring(start, text.indexOf("```\n", start));
  }

  /** relu(x W0^T + b0) W2^T + b2 with PyTorch's weights, in plain loops. */
  private static float[] byHand(Tensor x) throws IOException {
    var w = SafeTensors.load(WEIGHTS);
    float[] w0 = w.tensor("0.weight").toFloatArray();
    float[] b0 = w.tensor("0.bias").toFloatArray();
    float[] w2 = w.tensor("2.weight").toFloatArray();
    float[] b2 = w.tensor("2.bias").toFloatArray();
    float[] in = x.toFloatArray();
    int rows = in.length / 20;
    float[] out = new float[rows * 10];
    for (int r = 0; r < rows; r++) {
      float[] h = new float[256];
      for (int j = 0; j < 256; j++) {
        double s = b0[j];
        for (int k = 0; k < 20; k++) {
          s += (double) in[r * 20 + k] * w0[j * 20 + k];
        }
        h[j] = (float) Math.max(0, s);
      }
      for (int j = 0; j < 10; j++) {
        double s = b2[j];
        for (int k = 0; k < 256; k++) {
          s += (double) h[k] * w2[j * 256 + k];
        }
        out[r * 10 + j] = (float) s;
      }
    }
    return out;
  }
}
