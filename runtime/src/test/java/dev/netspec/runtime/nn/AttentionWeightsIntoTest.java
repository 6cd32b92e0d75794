package dev.netspec.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * {@link MultiheadAttention#forwardInto(Tensor, Tensor, Tensor, AttentionMask, AttentionMask,
 * boolean, MultiheadAttention.Output)} (the weights wanted) on the records its in-place path
 * cannot take: weights strided, of another rank with as many elements, of another size, an
 * output that is strided or is the query, and masks that are strided or per head (3-d). Each
 * gives the allocating forward's values (checked against PyTorch by {@code
 * AttentionParityTest}) or that forward's refusal; the record itself is returned.
 */
class AttentionWeightsIntoTest {
  private static Tensor randn(long seed, int... shape) {
    return Tensor.randn(new Generator(seed), shape);
  }

  private static void assertMatches(MultiheadAttention mha, Tensor q, AttentionMask pad,
      AttentionMask attn, boolean average, MultiheadAttention.Output out, String what) {
    MultiheadAttention.Output want = mha.forward(q, q, q, pad, true, attn, average);
    out.output().fill_(Float.NaN);
    out.weights().fill_(Float.NaN);
    assertSame(out, mha.forwardInto(q, q, q, pad, attn, average, out), what);
    assertArrayEquals(want.output().toFloatArray(), out.output().contiguous().toFloatArray(),
        1e-6f, what + ": output");
    assertArrayEquals(want.weights().toFloatArray(), out.weights().contiguous().toFloatArray(),
        1e-6f, what + ": weights");
  }

  @Test
  void recordsTheInPlacePathCannotTakeGetTheAllocatingForwardsValues() {
    MultiheadAttention mha = new MultiheadAttention(8, 2, 0.0, true, true).eval();
    Tensor x = randn(1, 2, 5, 8); // (batch, seq, embed)
    for (boolean average : new boolean[] {true, false}) {
      int[] shape = average ? new int[] {2, 5, 5} : new int[] {2, 2, 5, 5};
      String how = average ? "averaged" : "per head";
      assertMatches(mha, x, null, null, average,
          new MultiheadAttention.Output(Tensor.zeros(2, 5, 8), Tensor.zeros(shape)), how);
      Tensor weightsT = Tensor.zeros(average ? new int[] {2, 5, 5} : new int[] {2, 2, 5, 5})
          .transpose(-2, -1);
      assertMatches(mha, x, null, null, average,
          new MultiheadAttention.Output(Tensor.zeros(2, 5, 8), weightsT), how + ", strided weights");
      assertMatches(mha, x, null, null, average,
          new MultiheadAttention.Output(Tensor.zeros(2, 8, 5).transpose(1, 2), Tensor.zeros(shape)),
          how + ", strided output");
      // masks: a strided (l, s) one, and one per batch and head (n * heads, l, s)
      Tensor causal = Tensor.zeros(5, 5);
      for (int i = 0; i < 5; i++) {
        for (int j = i + 1; j < 5; j++) {
          causal.array()[i * 5 + j] = Float.NEGATIVE_INFINITY;
        }
      }
      assertMatches(mha, x, null, AttentionMask.of(causal.t().contiguous().t()), average,
          new MultiheadAttention.Output(Tensor.zeros(2, 5, 8), Tensor.zeros(shape)),
          how + ", strided mask");
      Tensor perHead = randn(2, 4, 5, 5);
      assertMatches(mha, x, null, AttentionMask.of(perHead), average,
          new MultiheadAttention.Output(Tensor.zeros(2, 5, 8), Tensor.zeros(shape)),
          how + ", a mask per head");
      Tensor pad = Tensor.zeros(5, 2).t(); // (2, 5), strided: the last key of sequence 1 padded
      pad.set(1f, 1, 4);
      assertMatches(mha, x, AttentionMask.ofBool(pad), null, average,
          new MultiheadAttention.Output(Tensor.zeros(2, 5, 8), Tensor.zeros(shape)),
          how + ", a strided padding mask");
    }
  }

  @Test
  void weightsOfAnotherShapeAndBadInputsAreRefused() {
    MultiheadAttention mha = new MultiheadAttention(8, 2, 0.0, true, true).eval();
    Tensor x = randn(3, 2, 5, 8);
    // as many elements as the averaged weights (2, 5, 5), another rank or order of sizes
    for (Tensor w : new Tensor[] {Tensor.zeros(10, 5), Tensor.zeros(5, 2, 5), Tensor.zeros(2, 5, 6)}) {
      MultiheadAttention.Output out = new MultiheadAttention.Output(Tensor.zeros(2, 5, 8), w);
      assertThrows(IllegalArgumentException.class,
          () -> mha.forwardInto(x, x, x, null, null, true, out), java.util.Arrays.toString(w.shape()));
    }
    MultiheadAttention.Output out = new MultiheadAttention.Output(Tensor.zeros(2, 5, 8),
        Tensor.zeros(2, 5, 5));
    Tensor wide = randn(4, 2, 5, 6);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> mha.forwardInto(wide, wide, wide, null, null, true, out));
    assertEquals(assertThrows(IllegalArgumentException.class,
        () -> mha.forward(wide, wide, wide, null, true, null, true)).getMessage(), e.getMessage());
    // the output being the query: read before it is written
    Tensor q = randn(5, 2, 5, 8);
    MultiheadAttention.Output want = mha.forward(q, q, q, null, true, null, true);
    MultiheadAttention.Output self = new MultiheadAttention.Output(q, Tensor.zeros(2, 5, 5));
    assertSame(self, mha.forwardInto(q, q, q, null, null, true, self));
    assertArrayEquals(want.output().toFloatArray(), q.toFloatArray(), 1e-6f, "out is the query");
    assertArrayEquals(want.weights().toFloatArray(), self.weights().toFloatArray(), 1e-6f);
  }

  @Test
  void anOutputWithoutOneOfItsTensorsIsOneClearError() {
    MultiheadAttention mha = new MultiheadAttention(8, 2, 0.0, true, true).eval();
    Tensor x = randn(3, 2, 5, 8);
    IllegalArgumentException noWeights = assertThrows(IllegalArgumentException.class,
        () -> mha.forwardInto(x, x, x, null, null, true,
            new MultiheadAttention.Output(Tensor.zeros(2, 5, 8), null)));
    assertTrue(noWeights.getMessage().contains("has no weights tensor"), noWeights.getMessage());
    IllegalArgumentException noOutput = assertThrows(IllegalArgumentException.class,
        () -> mha.forwardInto(x, x, x, null, null, true,
            new MultiheadAttention.Output(null, Tensor.zeros(2, 5, 5))));
    assertTrue(noOutput.getMessage().contains("has no output tensor"), noOutput.getMessage());
  }
}
