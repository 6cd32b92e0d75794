package dev.netspec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * {@code netspec inspect --format dot} through the real entry point: each graph equals its
 * golden (read by hand: one node per layer call and operation, the shape of every edge, the
 * residual add fed twice, the shared layer's note joined to its three uses, the child blocks
 * boxed), is well formed, and Graphviz reads it when installed. The workspace bytes are
 * checked against sums worked out by hand.
 */
class InspectDotTest {
  private static final Path DIR = Path.of("src/test/resources/dot");

  private static String dot(String spec, String... more) {
    List<String> args = new ArrayList<>(List.of("inspect", DIR.resolve(spec + ".yaml").toString(),
        "--format", "dot"));
    args.addAll(List.of(more));
    Cli r = Cli.run(args.toArray(String[]::new));
    assertEquals(0, r.code(), r::toString);
    return r.out();
  }

  @ParameterizedTest
  @ValueSource(strings = {"mlp", "tied", "nested"})
  void graphEqualsItsGolden(String spec) throws IOException {
    String expected = Files.readString(DIR.resolve("expected/" + spec + ".dot"));
    String actual = dot(spec);
    assertEquals(expected, actual.replace(System.lineSeparator(), "\n"));
    assertEquals(actual, dot(spec), "the same bytes every run");
    wellFormed(actual);
  }

  @Test
  void concreteInputShapeReachesEveryEdge() {
    String out = dot("tied", "--input-shape", "2,4");
    assertTrue(out.contains("label=\"Tied: input [2, 4] -> output [2, 4]\""), out);
    assertTrue(out.contains("n1 -> n2 [label=\"[2, 4]\"]"), out);
    assertTrue(!out.contains("batch"), out);
    wellFormed(out);
  }

  @Test
  void bundledResidualMlpIsWellFormed() {
    Cli r = Cli.run("inspect", "../specs/residual_mlp.yaml", "--format", "dot");
    assertEquals(0, r.code(), r::toString);
    wellFormed(r.out());
    // three ResidualBlocks boxed inside the Sequential, each with its residual add
    assertEquals(3, count(r.out(), "ResidualBlock\";"));
    assertEquals(3, count(r.out(), "[label=\"add\""));
  }

  /** Graphviz reads every golden (skipped when {@code dot} is not installed). */
  @ParameterizedTest
  @ValueSource(strings = {"mlp", "tied", "nested"})
  void graphvizRendersIt(String spec, @TempDir Path tmp) throws Exception {
    assumeTrue(onPath("dot"), "Graphviz's dot is not installed");
    Path in = tmp.resolve(spec + ".dot");
    Files.writeString(in, dot(spec));
    Process p = new ProcessBuilder("dot", "-Tsvg", in.toString(), "-o", tmp.resolve("out.svg").toString())
        .redirectErrorStream(true).start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), log);
    assertEquals("", log, "no warnings");
    assertTrue(Files.readString(tmp.resolve("out.svg")).contains("<svg"));
  }

  @Test
  void workspaceBytesOfAFusedMlp() {
    // Mlp [2, 3]: linear(3 -> 2) and relu fused write one buffer [2, 2]; the last linear
    // writes the caller's output. 4 floats = 16 bytes.
    Cli r = Cli.run("inspect", DIR.resolve("mlp.yaml").toString(), "--input-shape", "2,3");
    assertEquals(0, r.code(), r::toString);
    assertTrue(r.out().contains("forward workspace 16 bytes" + System.lineSeparator()), r::toString);
  }

  @Test
  void workspaceBytesOfNestedBlocks() {
    // ResidualMlp at [2, 16], in floats; buffers whose values are never live at once share:
    //   its own forward head(norm(blocks(stem(x)))): stem, blocks and norm outputs, 2*32 each;
    //   stem's is dead once blocks ran, so norm's reuses it: 2 * 64 = 128
    //   the Sequential 'blocks' keeps the outputs of its first two steps: 2 * 2*32 = 128
    //   each ResidualBlock x + fc2(act(fc1(norm(x)))), the GELU act fused into fc1: norm 64,
    //   fc1 128, fc2 64; fc2 reuses norm's storage: 64 + 128 = 192, three of them 576
    // 128 + 128 + 576 = 832 floats = 3328 bytes (4352 with one buffer per step).
    Cli r = Cli.run("inspect", "../specs/residual_mlp.yaml", "--input-shape", "2,16",
        "--format", "json");
    assertEquals(0, r.code(), r::toString);
    assertTrue(r.out().contains("\"workspace_bytes\": 3328"), r::toString);
    // symbolic batch: unknown in JSON, one sample's in the text report (832 / 2 floats)
    Cli generic = Cli.run("inspect", "../specs/residual_mlp.yaml", "--format", "json");
    assertTrue(generic.out().contains("\"workspace_bytes\": null"), generic::toString);
    Cli text = Cli.run("inspect", "../specs/residual_mlp.yaml");
    assertTrue(text.out().contains("forward workspace 1,664 bytes (1.6 KiB) for input [1, 16]"),
        text::toString);
  }

  @Test
  void workspaceBytesOfResNet18() {
    // specs/resnet18.yaml at [1, 3, 224, 224], by hand, in floats (activation sizes: the stem
    // 64*112*112 = 802,816; stage 1 64*56*56 = 200,704; stage 2 128*28*28 = 100,352;
    // stage 3 256*14*14 = 50,176; stage 4 512*7*7 = 25,088):
    //   ResNet's forward: conv1+bn1+relu fused write one buffer (802,816), then maxpool
    //     (200,704), layer1..4 (200,704, 100,352, 50,176, 25,088), avgpool and flatten (512
    //     each). Liveness puts conv1, layer1, layer3 and avgpool in one storage (the largest,
    //     802,816) and maxpool, layer2, layer4 and flatten in another (200,704): 1,003,520
    //   each Sequential layer1..4 keeps its first BasicBlock's output: 200,704 + 100,352 +
    //     50,176 + 25,088 = 376,320; each downsample Sequential keeps its conv's output:
    //     100,352 + 50,176 + 25,088 = 175,616
    //   each BasicBlock keeps relu(bn1(conv1(x))) (one fused call); conv2, bn2, the residual
    //     add and the last ReLU are one call into the caller's output; a block with a
    //     downsample keeps its output too, live at the same time:
    //     layer1: 2 * 200,704; layer2: 2 * 100,352 + 100,352; layer3: 2 * 50,176 + 50,176;
    //     layer4: 2 * 25,088 + 25,088 = 928,256
    // 1,003,520 + 376,320 + 175,616 + 928,256 = 2,483,712 floats = 9,934,848 bytes
    Cli r = Cli.run("inspect", "../specs/resnet18.yaml", "--input-shape", "1,3,224,224", "--format", "json");
    assertEquals(0, r.code(), r::toString);
    assertTrue(r.out().contains("\"workspace_bytes\": 9934848"), r::toString);
  }

  @Test
  void anInlineSequentialKeepsBuffersOnlyUnderABufferedForward() {
    // Buffered [2, 4]: the Sequential 'net' keeps its first two steps' outputs, linear [2, 8]
    // and relu [2, 8] (32 floats); the block's forward keeps net's output [2, 4] (8 floats) and
    // writes the product into the caller's output: 40 floats = 160 bytes.
    Path spec = DIR.resolve("workspace.yaml");
    Cli buffered = Cli.run("inspect", spec.toString(), "--block", "Buffered", "--input-shape", "2,4");
    assertTrue(buffered.out().contains("forward workspace 160 bytes" + System.lineSeparator()),
        buffered::toString);
    // Allocating: its forward(x) calls net.forward(x), which keeps nothing
    Cli allocating = Cli.run("inspect", spec.toString(), "--block", "Allocating",
        "--input-shape", "2,4");
    assertTrue(allocating.out().contains("forward workspace 0 bytes" + System.lineSeparator()),
        allocating::toString);
  }

  @Test
  void structuralCheckCatchesAnUndeclaredNode() {
    String broken = "digraph \"g\" {\n  n1 [label=\"x\"];\n  n1 -> n2;\n}\n";
    AssertionError e = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
        () -> wellFormed(broken));
    assertTrue(e.getMessage().contains("n2"), e.getMessage());
    org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
        () -> wellFormed("digraph \"g\" {\n  subgraph cluster_1 {\n}\n"));
  }

  private static final Pattern NODE = Pattern.compile("^\\s*(n\\d+) \\[label=");
  private static final Pattern EDGE = Pattern.compile("^\\s*(n\\d+) -> (n\\d+)[ ;]");

  /**
   * A check that needs no Graphviz: braces balance outside quoted strings, strings close, and
   * every edge joins declared nodes.
   */
  static void wellFormed(String dot) {
    int depth = 0;
    boolean quoted = false;
    for (int i = 0; i < dot.length(); i++) {
      char c = dot.charAt(i);
      if (quoted) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          quoted = false;
        } else if (c == '\n') {
          throw new AssertionError("a newline inside a string at " + i);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == '{') {
        depth++;
      } else if (c == '}') {
        depth--;
        if (depth < 0) {
          throw new AssertionError("unbalanced '}' at " + i);
        }
      }
    }
    if (depth != 0 || quoted) {
      throw new AssertionError("unbalanced braces or an open string");
    }
    Set<String> nodes = new LinkedHashSet<>();
    List<String[]> edges = new ArrayList<>();
    for (String line : dot.split("\n")) {
      Matcher n = NODE.matcher(line);
      if (n.find()) {
        nodes.add(n.group(1));
      }
      Matcher e = EDGE.matcher(line);
      if (e.find()) {
        edges.add(new String[] {e.group(1), e.group(2)});
      }
    }
    for (String[] e : edges) {
      for (String end : e) {
        if (!nodes.contains(end)) {
          throw new AssertionError("edge " + e[0] + " -> " + e[1] + ": " + end + " is not declared");
        }
      }
    }
  }

  private static int count(String s, String part) {
    return s.split(Pattern.quote(part), -1).length - 1;
  }

  private static boolean onPath(String command) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }
}
