package dev.netspec.compiler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.tensor.Tensor;
import java.lang.reflect.Method;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Tuples in the forward language, generated, compiled and run against hand computation:
 * {@code chunk} and {@code split} with PyTorch's sizes, unpacking with {@code _} and Python's
 * evaluate-then-assign order, a returned tuple, and a block returning one used as a child.
 */
class TuplesTest {
  private static ClassLoader compile(String spec) {
    return InMemoryJavac.compile(Specs.compileClean("tuples.yaml", spec).files());
  }

  private static Module make(ClassLoader l, String name) throws ReflectiveOperationException {
    return (Module) l.loadClass("t.tuples." + name).getConstructor().newInstance();
  }

  private static final String HEADER = "netspec: 1\npackage: t.tuples\nblocks:\n";

  @Test
  void chunkAndSplitGivePyTorchsPieces() throws ReflectiveOperationException {
    // torch.chunk(arange(5), 2) gives sizes 3, 2; torch.split(arange(7), 3) gives 3, 3, 1
    ClassLoader l = compile(HEADER + """
          Pieces:
            input: [7]
            forward: |
              a, b, c = split(x, 3)
              p, q = chunk(a + b, 2)
              return sum(p) * 100 + sum(q) * 10 + sum(c)
        """);
    Module m = make(l, "Pieces");
    // x = 0..6: a = [0,1,2], b = [3,4,5], c = [6]; a + b = [3,5,7]: p = [3,5], q = [7]
    assertEquals(800 + 70 + 6, m.forward(Tensor.of(0f, 1f, 2f, 3f, 4f, 5f, 6f)).item(), 1e-4);
  }

  @Test
  void unpackingEvaluatesEveryItemBeforeAssigningAndUnderscoreDiscards() throws ReflectiveOperationException {
    ClassLoader l = compile(HEADER + """
          Swap:
            input: [2]
            forward: |
              (a, b) = chunk(x, 2)
              a, b = b, a * 10
              _, (c, _) = x, (b, a)
              return c + a
        """);
    Module m = make(l, "Swap");
    // a = [1], b = [2] -> a = [2], b = [10]; c = b = [10]: c + a = [12]
    assertArrayEquals(new float[] {12f}, m.forward(Tensor.of(1f, 2f)).toFloatArray());
  }

  @Test
  void aBlockReturningATupleIsAChildOfAnother() throws Exception {
    ClassLoader l = compile(HEADER + """
          Halves:
            forward: |
              first, second = chunk(x, 2, dim=-1)
              return second, (first, x)
          Outer:
            input: [batch, 4]
            layers:
              halves: Halves
            forward: |
              s, (f, whole) = halves(x)
              return concat([s, f], dim=-1) + whole, f
        """);
    Module outer = make(l, "Outer");
    Method call = outer.getClass().getMethod("forwardTuple", Tensor.class);
    Object out = call.invoke(outer, Tensor.of(new float[][] {{1, 2, 3, 4}}));
    Tensor y = (Tensor) out.getClass().getMethod("item0").invoke(out);
    Tensor f = (Tensor) out.getClass().getMethod("f").invoke(out);
    // [3, 4, 1, 2] + [1, 2, 3, 4]
    assertArrayEquals(new float[] {4, 6, 4, 6}, y.toFloatArray());
    assertArrayEquals(new float[] {1, 2}, f.toFloatArray());
    Module halves = make(l, "Halves");
    Object h = halves.getClass().getMethod("forwardTuple", Tensor.class).invoke(halves, Tensor.of(5f, 6f));
    assertEquals(List.of("second", "first", "x"),
        java.util.Arrays.stream(h.getClass().getRecordComponents()).map(c -> c.getName()).toList());
  }

  @Test
  void anItemOfAChildsTupleCountsFromEitherEnd() throws ReflectiveOperationException {
    // as in Python, pair(x)[1] is the second item and pair(x)[-2] the first of two
    ClassLoader l = compile(HEADER + """
          Pair:
            forward: |
              first, second = chunk(x, 2, dim=-1)
              return first, second * 10
          Picker:
            input: [batch, 4]
            layers:
              pair: Pair
            forward: |
              return pair(x)[1] + pair(x)[-2]
        """);
    // first = [1, 2], second * 10 = [30, 40]
    assertArrayEquals(new float[] {31f, 42f},
        BufferedForwardTest.run(make(l, "Picker"), Tensor.of(new float[][] {{1, 2, 3, 4}})));
  }

  @Test
  void theGeneratedCodeUnpacksARecordByItsAccessors() {
    String java = Specs.compileClean("tuples.yaml", HEADER + """
          Tagger:
            inputs: {ids: [seq, batch, int64]}
            layers:
              embed: {embedding: {num_embeddings: 5, embedding_dim: 4}}
              lstm: {lstm: {hidden_size: 3}}
            forward: |
              out, (h, _) = lstm(embed(ids))
              return out, h
        """).files().get(0).content();
    assertTrue(java.contains("LSTM.Output lstmResult = lstm.forwardWithState(embed.forward(ids));"), java);
    assertTrue(java.contains("Tensor out = lstmResult.output(); // (seq, batch, 3)"), java);
    assertTrue(java.contains("Tensor h = lstmResult.hN(); // (1, batch, 3)"), java);
    assertTrue(java.contains("public record Output(Tensor out, Tensor h)"), java);
  }
}
