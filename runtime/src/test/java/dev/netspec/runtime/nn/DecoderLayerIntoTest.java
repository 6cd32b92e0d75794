package dev.netspec.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.netspec.runtime.autograd.GradMode;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The decoder layer's {@code forward(tgt, memory, ..., out)} gives its allocating forward's
 * values (that one is checked against PyTorch in {@code AttentionParityTest}) for every
 * target and output its allocation-free path cannot take (strided, shared with the target or
 * the memory, unbatched, of another shape or rank), for targets of changing lengths, and in
 * training with dropout: with {@code p = 1} every block's output is dropped, so the layer is
 * its three LayerNorms alone (post-norm) or the identity (norm first), values by hand.
 */
class DecoderLayerIntoTest {
  private static Tensor randn(long seed, int... shape) {
    return Tensor.randn(new Generator(seed), shape);
  }

  private static TransformerDecoderLayer layer(boolean normFirst, double dropout) {
    TransformerDecoderLayer l =
        new TransformerDecoderLayer(4, 2, 6, dropout, "relu", 1e-5, false, normFirst);
    l.initialize(17);
    return l;
  }

  private static Tensor reference(TransformerDecoderLayer l, Tensor tgt, Tensor memory) {
    try (GradMode.Scope s = GradMode.noGrad()) {
      return l.forward(tgt, memory);
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
  void everyLayoutTheIntoPathCannotTakeGivesTheAllocatingValues() {
    for (boolean normFirst : new boolean[] {false, true}) {
      TransformerDecoderLayer l = layer(normFirst, 0.1).eval();
      String what = normFirst ? "norm first" : "post-norm";
      Tensor tgt = randn(1, 3, 2, 4); // (T, N, E)
      Tensor memory = randn(2, 5, 2, 4); // (S, N, E)
      Tensor want = reference(l, tgt, memory);
      Tensor out = Tensor.zeros(3, 2, 4).fill_(Float.NaN);
      assertSame(out, l.forward(tgt, memory, out));
      assertClose(want, out, what + ": dense");

      Tensor strided = randn(3, 2, 3, 4).transpose(0, 1); // (3, 2, 4), not contiguous
      assertClose(reference(l, strided, memory), l.forward(strided, memory, Tensor.zeros(3, 2, 4)),
          what + ": strided tgt");
      Tensor stridedOut = Tensor.zeros(2, 3, 4).transpose(0, 1);
      assertSame(stridedOut, l.forward(tgt, memory, stridedOut));
      assertClose(want, stridedOut, what + ": strided out");

      Tensor self = tgt.clone();
      assertClose(want, l.forward(self, memory, self), what + ": out is tgt");
      Tensor fresh = Tensor.zeros(3, 2, 4);
      Tensor sharedMemory = memory.clone();
      Tensor intoMemory = sharedMemory.narrow(0, 0, 3); // out shares the memory's storage
      Tensor memoryCopy = sharedMemory.clone();
      l.forward(tgt, sharedMemory, intoMemory);
      assertClose(reference(l, tgt, memoryCopy), intoMemory, what + ": out inside the memory");
      assertClose(want, l.forward(tgt, memory, fresh), what + ": again");

      Tensor longer = randn(4, 6, 2, 4); // another length: the buffers follow it
      assertClose(reference(l, longer, memory), l.forward(longer, memory, Tensor.zeros(6, 2, 4)),
          what + ": another length");
      assertClose(want, l.forward(tgt, memory, Tensor.zeros(3, 2, 4)), what + ": back again");

      Tensor unbatched = randn(5, 3, 4); // (T, E) with memory (S, E)
      Tensor unbatchedMemory = randn(6, 5, 4);
      assertClose(reference(l, unbatched, unbatchedMemory),
          l.forward(unbatched, unbatchedMemory, Tensor.zeros(3, 4)), what + ": unbatched");
    }
  }

  @Test
  void outputsAndTargetsThatDoNotFitAreRefused() {
    TransformerDecoderLayer l = layer(false, 0.0).eval();
    Tensor tgt = randn(1, 3, 2, 4);
    Tensor memory = randn(2, 5, 2, 4);
    assertThrows(IllegalArgumentException.class,
        () -> l.forward(tgt, memory, Tensor.zeros(3, 2, 5)), "out of another size");
    assertThrows(IllegalArgumentException.class,
        () -> l.forward(tgt, memory, Tensor.zeros(6, 4)), "out of another rank, as many elements");
    assertThrows(IllegalArgumentException.class,
        () -> l.forward(randn(3, 3, 2, 5), randn(4, 5, 2, 5), Tensor.zeros(3, 2, 5)),
        "d_model 4, features 5");
    assertThrows(IllegalArgumentException.class,
        () -> l.forward(randn(3, 4), randn(4, 4), Tensor.zeros(4)), "a rank-1 target");
  }

  /** Every block's output dropped (p = 1): post-norm is norm3(norm2(norm1(tgt))). */
  @Test
  void dropoutInTrainingIsAppliedPostNorm() {
    TransformerDecoderLayer l = layer(false, 1.0).train();
    Tensor tgt = randn(5, 3, 2, 4);
    Tensor out = Tensor.zeros(3, 2, 4);
    assertSame(out, l.forward(tgt, randn(6, 5, 2, 4), out));
    float[] x = tgt.toFloatArray();
    float[] got = out.toFloatArray();
    for (int row = 0; row < 6; row++) {
      double[] v = new double[4];
      for (int j = 0; j < 4; j++) {
        v[j] = x[row * 4 + j];
      }
      for (int norm = 0; norm < 3; norm++) { // weights 1 and biases 0 as initialized
        v = layerNorm(v, 1e-5);
      }
      for (int j = 0; j < 4; j++) {
        assertEquals(v[j], got[row * 4 + j], 1e-5, "row " + row + " [" + j + "]");
      }
    }
  }

  /** Every block's output dropped (p = 1): norm first adds only zeros to tgt. */
  @Test
  void dropoutInTrainingIsAppliedNormFirst() {
    TransformerDecoderLayer l = layer(true, 1.0).train();
    Tensor tgt = randn(7, 3, 2, 4);
    Tensor out = Tensor.zeros(3, 2, 4);
    l.forward(tgt, randn(8, 5, 2, 4), out);
    assertArrayEquals(tgt.toFloatArray(), out.toFloatArray(), 0f);
    l.eval(); // and in eval mode dropout is off: not the identity
    l.forward(tgt, randn(8, 5, 2, 4), out);
    float[] a = tgt.toFloatArray();
    float[] b = out.toFloatArray();
    int same = 0;
    for (int i = 0; i < a.length; i++) {
      same += a[i] == b[i] ? 1 : 0;
    }
    assertEquals(0, same, "eval: every block adds to tgt");
  }

  private static double[] layerNorm(double[] v, double eps) {
    double mean = 0;
    for (double e : v) {
      mean += e / v.length;
    }
    double var = 0;
    for (double e : v) {
      var += (e - mean) * (e - mean) / v.length;
    }
    double[] y = new double[v.length];
    for (int j = 0; j < v.length; j++) {
      y[j] = (v[j] - mean) / Math.sqrt(var + eps);
    }
    return y;
  }

  @Test
  void theModesReturnTheLayer() {
    TransformerDecoderLayer l = layer(false, 0.1);
    assertSame(l, l.eval());
    assertEquals(false, l.isTraining());
    assertEquals(false, l.selfAttn.isTraining(), "the children follow");
    assertSame(l, l.train());
    assertEquals(true, l.norm3.isTraining());
    assertSame(l, l.train(false));
    assertEquals(false, l.dropout3.isTraining());
  }

  @Test
  void oneThreadAtATime() throws Exception {
    TransformerDecoderLayer l = layer(true, 0.0).eval();
    Tensor tgt = randn(1, 3, 2, 4);
    Tensor memory = randn(2, 5, 2, 4);
    ForwardGuards.assertGuarded(l, () -> l.forward(tgt, memory, Tensor.zeros(3, 2, 4)));
  }
}
