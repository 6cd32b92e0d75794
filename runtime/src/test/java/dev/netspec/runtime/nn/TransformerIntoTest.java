package dev.netspec.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.autograd.GradMode;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The encoder layer's and encoder's {@code forward(src, out)} give their allocating forward's
 * values (that one is checked against PyTorch in {@code AttentionParityTest}) for every input
 * and output the allocation-free path cannot take (strided, shared, of another rank or size,
 * dropout in training), and for inputs of changing shapes; one thread at a time.
 */
class TransformerIntoTest {
  private static Tensor randn(long seed, int... shape) {
    return Tensor.randn(new Generator(seed), shape);
  }

  private static TransformerEncoderLayer layer(String activation, boolean normFirst) {
    TransformerEncoderLayer l =
        new TransformerEncoderLayer(4, 2, 6, 0.0, activation, 1e-5, false, normFirst);
    l.initialize(21);
    return l;
  }

  private static Tensor reference(Module m, Tensor src) {
    try (GradMode.Scope s = GradMode.noGrad()) {
      return m.forward(src);
    }
  }

  private static void assertClose(Tensor want, Tensor got, String what) {
    assertArrayEquals(want.shape(), got.shape(), what + ": shape");
    float[] w = want.contiguous().toFloatArray();
    float[] g = got.contiguous().toFloatArray();
    for (int i = 0; i < w.length; i++) {
      assertEquals(w[i], g[i], 1e-5 + 1e-5 * Math.abs(w[i]), what + " [" + i + "]");
    }
  }

  @Test
  void theAccessorsAreTheArguments() {
    TransformerEncoderLayer l =
        new TransformerEncoderLayer(8, 2, 16, 0.0, "gelu", 1e-5, true, true);
    assertEquals(8, l.dModel());
    assertEquals(2, l.nhead());
    assertEquals(16, l.dimFeedforward());
    assertEquals("gelu", l.activation());
    assertTrue(l.batchFirst());
    assertTrue(l.normFirst());
    TransformerEncoderLayer d = new TransformerEncoderLayer(4, 1);
    assertFalse(d.batchFirst());
    assertFalse(d.normFirst());
    assertEquals("relu", d.activation());
  }

  @Test
  void theDecoderLayerNamesItsArgumentsAndNeedsTheMemory() {
    TransformerDecoderLayer d =
        new TransformerDecoderLayer(4, 2, 8, 0.0, "gelu", 1e-5, false, true);
    assertEquals("gelu", d.activation());
    assertTrue(d.normFirst());
    assertFalse(new TransformerDecoderLayer(4, 2).normFirst());
    assertEquals("TransformerDecoderLayer needs tgt and memory: call forward(tgt, memory)",
        assertThrows(UnsupportedOperationException.class, () -> d.forward(randn(1, 3, 4)))
            .getMessage());
  }

  @Test
  void everyLayoutTheIntoPathCannotTakeGivesTheAllocatingValues() {
    for (String activation : new String[] {"relu", "gelu"}) {
      for (boolean normFirst : new boolean[] {false, true}) {
        TransformerEncoderLayer l = layer(activation, normFirst).eval();
        String what = activation + (normFirst ? " norm first" : " post-norm");
        Tensor src = randn(1, 3, 2, 4); // (S, N, E)
        Tensor want = reference(l, src);
        Tensor out = Tensor.zeros(3, 2, 4);
        assertSame(out, l.forward(src, out));
        assertClose(want, out, what + ": dense");

        Tensor strided = randn(1, 2, 3, 4).transpose(0, 1); // (3, 2, 4), not contiguous
        assertClose(reference(l, strided), l.forward(strided, Tensor.zeros(3, 2, 4)),
            what + ": strided src");
        Tensor stridedOut = Tensor.zeros(2, 3, 4).transpose(0, 1);
        assertSame(stridedOut, l.forward(src, stridedOut));
        assertClose(want, stridedOut, what + ": strided out");

        Tensor self = src.clone();
        assertClose(want, l.forward(self, self), what + ": out is src");

        Tensor longer = randn(2, 5, 2, 4); // another shape: the buffers follow it
        assertClose(reference(l, longer), l.forward(longer, Tensor.zeros(5, 2, 4)),
            what + ": another length");
        assertClose(want, l.forward(src, Tensor.zeros(3, 2, 4)), what + ": back again");

        Tensor unbatched = randn(3, 3, 4); // (S, E)
        assertClose(reference(l, unbatched), l.forward(unbatched, Tensor.zeros(3, 4)),
            what + ": unbatched");
      }
    }
  }

  @Test
  void outputsThatDoNotFitAreRefused() {
    TransformerEncoderLayer l = layer("relu", false).eval();
    Tensor src = randn(1, 3, 2, 4);
    assertThrows(IllegalArgumentException.class, () -> l.forward(src, Tensor.zeros(3, 2, 5)));
    assertThrows(IllegalArgumentException.class, () -> l.forward(src, Tensor.zeros(6, 4)));
    assertThrows(IllegalArgumentException.class,
        () -> l.forward(randn(1, 3, 2, 5), Tensor.zeros(3, 2, 5)), "d_model 4, features 5");
    assertThrows(IllegalArgumentException.class,
        () -> l.forward(randn(1, 4), Tensor.zeros(4)), "a rank-1 input");
  }

  @Test
  void dropoutInTrainingIsApplied() {
    TransformerEncoderLayer l =
        new TransformerEncoderLayer(4, 2, 6, 0.5, "relu", 1e-5, false, false);
    Tensor src = randn(1, 3, 2, 4);
    Tensor eval = reference(l.eval(), src);
    l.train();
    Tensor got = l.forward(src, Tensor.zeros(3, 2, 4));
    float[] a = eval.toFloatArray();
    float[] b = got.toFloatArray();
    int same = 0;
    for (int i = 0; i < a.length; i++) {
      same += Math.abs(a[i] - b[i]) < 1e-6 ? 1 : 0;
    }
    assertTrue(same < a.length, "training with p = 0.5 drops: not the eval output");
    l.eval();
    assertClose(eval, l.forward(src, Tensor.zeros(3, 2, 4)), "eval: no dropout");
  }

  @Test
  void theEncoderIntoPathGivesItsAllocatingValues() {
    TransformerEncoder plain = new TransformerEncoder(layer("relu", false), 3);
    TransformerEncoder normed = new TransformerEncoder(layer("gelu", true), 2, new LayerNorm(4));
    for (TransformerEncoder e : new TransformerEncoder[] {plain, normed}) {
      e.initialize(9);
      e.eval();
      Tensor src = randn(4, 3, 2, 4);
      Tensor want = reference(e, src);
      Tensor out = Tensor.zeros(3, 2, 4);
      assertSame(out, e.forward(src, out));
      assertClose(want, out, "dense");
      assertClose(reference(e, src.transpose(0, 1).contiguous().transpose(0, 1)),
          e.forward(src.transpose(0, 1).contiguous().transpose(0, 1), Tensor.zeros(3, 2, 4)),
          "strided src");
      Tensor stridedOut = Tensor.zeros(2, 3, 4).transpose(0, 1);
      assertClose(want, e.forward(src, stridedOut), "strided out");
      Tensor self = src.clone();
      assertClose(want, e.forward(self, self), "out is src");
      Tensor longer = randn(5, 6, 2, 4);
      assertClose(reference(e, longer), e.forward(longer, Tensor.zeros(6, 2, 4)),
          "another length");
      assertClose(want, e.forward(src, Tensor.zeros(3, 2, 4)), "back again");
      assertThrows(IllegalArgumentException.class, () -> e.forward(src, Tensor.zeros(3, 8)));
      assertThrows(IllegalArgumentException.class, () -> e.forward(src, Tensor.zeros(3, 2, 5)));
    }
    assertEquals(3, plain.numLayers());
  }

  @Test
  void oneThreadAtATime() throws Exception {
    TransformerEncoderLayer l = layer("relu", false).eval();
    Tensor src = randn(1, 3, 2, 4);
    ForwardGuards.assertGuarded(l, () -> l.forward(src, Tensor.zeros(3, 2, 4)));
    TransformerEncoder e = new TransformerEncoder(layer("relu", false), 2).eval();
    ForwardGuards.assertGuarded(e, () -> e.forward(src, Tensor.zeros(3, 2, 4)));
  }
}
