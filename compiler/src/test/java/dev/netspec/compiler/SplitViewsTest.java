package dev.netspec.compiler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code a, b = chunk(h, n, dim)} and {@code split} of a buffer in the allocation-free forward
 * ({@code forward(x, output)}), compiled and run against hand computation with PyTorch's piece
 * sizes and offsets: a piece of a buffer dense along its outer dims (the dims before {@code dim}
 * all of size 1) is a view field made once ({@code h.narrow(dim, start, size)}); a strided one
 * is copied ({@code Out.narrowCopy}) so that the layer reading it needs no copy of its own; a
 * piece nothing reads ({@code _}, or a name never read) is not computed.
 */
class SplitViewsTest {
  private static final String SPEC = """
      netspec: 1
      package: t.split
      blocks:
        Rows:
          input: [3, 2]
          forward: |
            h = x * 2
            p, q = split(h, [2, 1], dim=0)
            return concat([q, p], dim=0) + 1
        Cols:
          input: [batch, 6]
          forward: |
            h = relu(x)
            a, _, c = chunk(h, 3, dim=-1)
            return a * 10 + c
        One:
          input: [1, 7]
          forward: |
            h = x + 1
            a = h * 0
            a, b, unread = split(h, 3, dim=1)
            return concat([b, a], dim=-1)
      """;

  private static boolean buffered(Module m) throws NoSuchMethodException {
    return m.getClass().getMethod("forward", Tensor.class, Tensor.class).getDeclaringClass() == m.getClass();
  }

  @Test
  void piecesOfABufferAreViewsOrCopiesWithPyTorchsOffsets() throws Exception {
    List<GeneratedFile> files = Specs.compileClean("split.yaml", SPEC).files();
    String rows = source(files, "Rows");
    // split(h, [2, 1], dim=0) of a (3, 2) buffer: rows 0-1 and row 2, views of h
    assertTrue(rows.contains("pView = mulOut.narrow(0, 0, 2);"), rows);
    assertTrue(rows.contains("qView = mulOut.narrow(0, 2, 1);"), rows);
    assertFalse(rows.contains("narrowCopy"), rows);
    String cols = source(files, "Cols");
    // chunk(h, 3, dim=-1) of a (batch, 6) buffer: columns 0-1, 2-3, 4-5, strided across rows
    assertTrue(cols.contains("Tensor a = Out.narrowCopy(h, 1, 0, aOut); // (batch, 2)"), cols);
    assertTrue(cols.contains("Tensor c = Out.narrowCopy(h, 1, 4, cOut); // (batch, 2)"), cols);
    assertFalse(cols.contains("narrowCopy(h, 1, 2"), "'_' is not computed:\n" + cols);
    String one = source(files, "One");
    // split(h, 3, dim=1) of a (1, 7) buffer: columns 0-2, 3-5, 6; dense (the outer dim is 1)
    assertTrue(one.contains(".narrow(1, 0, 3);"), one);
    assertTrue(one.contains(".narrow(1, 3, 3);"), one);
    assertFalse(one.contains(".narrow(1, 6, 1)"), "'unread' is never read:\n" + one);
    assertFalse(one.contains("narrowCopy"), one);
    assertTrue(one.contains("    a = aView; // (1, 3)"), "'a' is declared already:\n" + one);

    ClassLoader l = InMemoryJavac.compile(files);
    Module m = (Module) l.loadClass("t.split.Rows").getConstructor().newInstance();
    assertTrue(buffered(m));
    // h = [[2, 4], [6, 8], [10, 12]]; q then p: [[10, 12], [2, 4], [6, 8]] + 1
    assertArrayEquals(new float[] {11, 13, 3, 5, 7, 9},
        BufferedForwardTest.run(m, Tensor.of(new float[][] {{1, 2}, {3, 4}, {5, 6}})));
    m = (Module) l.loadClass("t.split.Cols").getConstructor().newInstance();
    assertTrue(buffered(m));
    // rows [1, 2, 3, 4, 5, 6] and [-1, 7, 0, 0, 2, -3]: a = [1, 2], [0, 7]; c = [5, 6], [2, 0]
    assertArrayEquals(new float[] {15, 26, 2, 70},
        BufferedForwardTest.run(m, Tensor.of(new float[][] {{1, 2, 3, 4, 5, 6}, {-1, 7, 0, 0, 2, -3}})));
    m = (Module) l.loadClass("t.split.One").getConstructor().newInstance();
    assertTrue(buffered(m));
    // h = [1..7] + 1 = [2..8]: a = [2, 3, 4], b = [5, 6, 7]; b then a
    assertArrayEquals(new float[] {5, 6, 7, 2, 3, 4},
        BufferedForwardTest.run(m, Tensor.of(new float[][] {{1, 2, 3, 4, 5, 6, 7}})));
  }

  private static String source(List<GeneratedFile> files, String block) {
    return files.stream().filter(f -> f.className().endsWith("." + block)).findFirst().orElseThrow().content();
  }
}
