package dev.netspec.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The kernels' methods that take or return a vector stay methods C2 always inlines. A vector
 * that crosses a call C2 did not inline is boxed: a heap object per vector, 5-10x slower. C2
 * refuses to inline a method it has already compiled on its own to more than {@code
 * InlineSmallCode} (2,500 bytes of machine code), which a helper with a switch over several
 * vector operations reaches once it is hot by itself: the old {@code VectorBackend.apply} (93
 * bytes of bytecode, six cases) did, and boxed 2.25 GB per forward of BERT at batch 16 and
 * 5.5 MB per GPT-2 decode step ({@link VectorBinary} replaced it). So every such method is
 * short (at most {@value #MAX_BYTES} bytes of bytecode; {@code VectorBackend.relu} is 37) and
 * has no switch, and no kernel calls a method of {@link Vectors} (a helper returning a vector
 * boxes once C2 stops inlining it past the caller's node budget). Read from the compiled
 * classes with {@code javap}: fast and independent of the JIT, so it runs by default, where
 * {@code BinaryInliningTest} checks the binary kernels' allocation itself (opt-in).
 */
class KernelShapeTest {
  /** The largest vector-passing method allowed, in bytes of bytecode. */
  static final int MAX_BYTES = 60;

  /** A method header in {@code javap -p -c} output: its parameter list and return type. */
  private static final Pattern HEADER =
      Pattern.compile("^  (?:[\\w.<>\\[\\], ?]+ )?([\\w.$<>\\[\\], ?]+) ([\\w$]+)"
          + "\\((.*)\\)[^;]*;$");
  private static final Pattern INSTRUCTION = Pattern.compile("^ +(\\d+): (\\w+)");
  /** A class header in {@code javap} output: its binary name. */
  private static final Pattern CLASS = Pattern.compile("^(?:\\w[\\w ]* )?(?:class|interface|enum) "
      + "([\\w.$]+)[ <{]");
  /** {@link Vectors}, named by a string: the test loads no Vector API class. */
  private static final String VECTORS = Kernels.class.getPackageName() + ".Vectors";
  /** How {@code javap -c} names a member of {@link Vectors} in its comments. */
  private static final String VECTORS_REF = VECTORS.replace('.', '/') + ".";
  private static final Pattern VECTOR =
      Pattern.compile("jdk\\.incubator\\.vector\\.\\w*(Vector|VectorMask)\\b");

  @Test
  void vectorPassingMethodsAreShortAndSwitchFree() throws IOException, URISyntaxException {
    List<String> bad = new ArrayList<>();
    int checked = 0;
    String method = null;
    int lastOffset = 0;
    boolean hasSwitch = false;
    for (String line : (javap(kernelClasses()) + "\n\n").split("\n")) {
      Matcher h = HEADER.matcher(line);
      if (h.matches()) {
        String types = h.group(1) + " " + h.group(3);
        method = VECTOR.matcher(types).find() ? line.trim() : null;
        lastOffset = 0;
        hasSwitch = false;
        continue;
      }
      Matcher in = INSTRUCTION.matcher(line);
      if (method != null && in.find()) {
        lastOffset = Integer.parseInt(in.group(1));
        hasSwitch |= in.group(2).endsWith("switch");
      } else if (method != null && line.isBlank() && lastOffset > 0) {
        checked++;
        if (lastOffset >= MAX_BYTES || hasSwitch) {
          bad.add(method + " (" + lastOffset + "+ bytes" + (hasSwitch ? ", a switch" : "")
              + ")");
        }
        method = null;
      }
    }
    // VectorBackend's relu and sumLanes (the Vectors helpers were the others, now gone).
    assertTrue(checked >= 2, "found only " + checked + " vector-passing methods: javap's format?");
    assertEquals(List.of(), bad, "vector-passing kernel methods C2 may refuse to inline");
  }

  /**
   * No kernel calls a method of {@link Vectors}: kernels type their vectors in place, {@code
   * EXACT.cast(...)} with its constant classes, as its comment says why. A helper returning a
   * vector is a method C2 stops inlining once the calling kernel passes its node budget, and
   * then every vector it returns is boxed; {@code Class.cast} is an intrinsic, compiled
   * whatever the budget. Reading the constants ({@code getstatic}) is the intended use.
   */
  @Test
  void kernelsCallNoVectorsMethod() throws IOException, URISyntaxException {
    List<String> bad = new ArrayList<>();
    int reads = 0;
    String owner = null;
    String method = null;
    for (String line : javap(kernelClasses()).split("\n")) {
      Matcher c = CLASS.matcher(line);
      if (c.find()) {
        owner = c.group(1);
        continue;
      }
      if (HEADER.matcher(line).matches() || line.equals("  static {};")) {
        method = line.trim();
        continue;
      }
      if (owner == null || owner.equals(VECTORS)) {
        continue;
      }
      if (line.contains("// Field " + VECTORS_REF)) {
        reads++;
      } else if (line.contains("Method " + VECTORS_REF)) {
        bad.add(owner + ": " + method + ": " + line.substring(line.indexOf("//") + 3));
      }
    }
    assertTrue(reads >= 100,
        "found only " + reads + " reads of Vectors' constants: javap's format?");
    assertEquals(List.of(), bad, "kernel methods calling Vectors: a helper returning a vector"
        + " stops being inlined past C2's node budget and boxes every vector (5-10x slower);"
        + " type vectors in place with EXACT.cast(...) instead (see Vectors' comment)");
  }

  /** The compiled classes of this package. */
  private static List<Path> kernelClasses() throws IOException, URISyntaxException {
    Path dir = Path.of(Kernels.class.getResource("Kernels.class").toURI()).getParent();
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".class")).sorted().toList();
    }
  }

  /** {@code javap -p -c} of the class files, in one run. */
  private static String javap(List<Path> classes) {
    ToolProvider javap = ToolProvider.findFirst("javap").orElse(null);
    assertNotNull(javap, "this JDK has no javap");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> args = new ArrayList<>(List.of("-p", "-c"));
    classes.forEach(c -> args.add(c.toString()));
    int rc = javap.run(new PrintWriter(out), new PrintWriter(err), args.toArray(String[]::new));
    assertEquals(0, rc, () -> "javap: " + err);
    return out.toString();
  }
}
