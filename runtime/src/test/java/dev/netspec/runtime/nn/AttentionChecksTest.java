package dev.netspec.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * {@code MultiheadAttention}'s input checks one size at a time (each refused alone, with the
 * layout named), the {@code grad_fn} of its output as PyTorch 1.13 records it ({@code
 * TransposeBackward0} batch first, {@code SqueezeBackward1} unbatched, {@code ViewBackward0}
 * sequence first: printed by torch 1.13's {@code nn.MultiheadAttention}), and the version of
 * an averaged weights record written in place.
 */
class AttentionChecksTest {
  private static Tensor randn(long seed, int... shape) {
    return Tensor.randn(new Generator(seed), shape);
  }

  @Test
  void eachSizeIsCheckedOnItsOwn() {
    MultiheadAttention first = new MultiheadAttention(4, 2, 0.0, true, true);
    String lengths = "MultiheadAttention: key and value must have the same sequence length and the"
        + " query's batch size, got shapes ";
    assertEquals(lengths + "[2, 3, 4], [2, 5, 4], [2, 6, 4] (batch_first)", refused(
        () -> first.forward(randn(1, 2, 3, 4), randn(2, 2, 5, 4), randn(3, 2, 6, 4))));
    assertEquals(lengths + "[2, 3, 4], [1, 5, 4], [2, 5, 4] (batch_first)", refused(
        () -> first.forward(randn(1, 2, 3, 4), randn(2, 1, 5, 4), randn(3, 2, 5, 4))));
    assertEquals(lengths + "[2, 3, 4], [2, 5, 4], [1, 5, 4] (batch_first)", refused(
        () -> first.forward(randn(1, 2, 3, 4), randn(2, 2, 5, 4), randn(3, 1, 5, 4))));
    MultiheadAttention seq = new MultiheadAttention(4, 2, 0.0, true, false);
    assertEquals(lengths + "[3, 2, 4], [5, 1, 4], [5, 2, 4] (L, N, E)", refused(
        () -> seq.forward(randn(1, 3, 2, 4), randn(2, 5, 1, 4), randn(3, 5, 2, 4))));
    assertEquals(lengths + "[3, 2, 4], [5, 2, 4], [6, 2, 4] (L, N, E)", refused(
        () -> seq.forward(randn(1, 3, 2, 4), randn(2, 5, 2, 4), randn(3, 6, 2, 4))));
    for (MultiheadAttention m : new MultiheadAttention[] {first, seq}) {
      assertEquals(lengths + "[3, 4], [5, 4], [6, 4]" + (m == first ? " (batch_first)" : " (L, N, E)"),
          refused(() -> m.forward(randn(1, 3, 4), randn(2, 5, 4), randn(3, 6, 4))), "unbatched");
    }

    MultiheadAttention apart = new MultiheadAttention(4, 2, 0.0, true, false, false, 5, 6, true);
    String features = "MultiheadAttention: expected query, key and value features 4, 5, 6, got shapes ";
    assertEquals(features + "[2, 3, 4], [2, 5, 4], [2, 5, 6]", refused(
        () -> apart.forward(randn(1, 2, 3, 4), randn(2, 2, 5, 4), randn(3, 2, 5, 6))));
    assertEquals(features + "[2, 3, 4], [2, 5, 5], [2, 5, 5]", refused(
        () -> apart.forward(randn(1, 2, 3, 4), randn(2, 2, 5, 5), randn(3, 2, 5, 5))));
    assertEquals(features + "[2, 3, 5], [2, 5, 5], [2, 5, 6]", refused(
        () -> apart.forward(randn(1, 2, 3, 5), randn(2, 2, 5, 5), randn(3, 2, 5, 6))));
    assertEquals(3, apart.forward(randn(1, 2, 3, 4), randn(2, 2, 5, 5), randn(3, 2, 5, 6))
        .output().dim());
  }

  private static String refused(Runnable call) {
    return assertThrows(IllegalArgumentException.class, call::run).getMessage();
  }

  @Test
  void theOutputsGradFnIsPyTorchs() {
    for (int layout = 0; layout < 3; layout++) {
      boolean batchFirst = layout == 0;
      MultiheadAttention m = new MultiheadAttention(4, 2, 0.0, true, batchFirst);
      Tensor q = layout == 2 ? randn(1, 3, 4) : batchFirst ? randn(1, 2, 3, 4) : randn(1, 3, 2, 4);
      Tensor kv = layout == 2 ? randn(2, 5, 4) : batchFirst ? randn(2, 2, 5, 4) : randn(2, 5, 2, 4);
      Tensor out = m.forward(q, kv, kv).output();
      String want = new String[] {"TransposeBackward0", "ViewBackward0", "SqueezeBackward1"}[layout];
      assertEquals(want, out.gradFn().name(), "layout " + layout);
    }
  }

  @Test
  void averagedWeightsWrittenInPlaceBumpTheirVersion() {
    MultiheadAttention m = new MultiheadAttention(4, 2, 0.0, true, true).eval();
    Tensor q = randn(1, 2, 3, 4);
    Tensor kv = randn(2, 2, 5, 4);
    MultiheadAttention.Output record = new MultiheadAttention.Output(Tensor.zeros(2, 3, 4), Tensor.zeros(2, 3, 5));
    long output = record.output().version();
    long weights = record.weights().version();
    m.forwardInto(q, kv, kv, null, null, true, record);
    assertTrue(record.output().version() > output, "output");
    assertTrue(record.weights().version() > weights, "weights");
    float[] w = record.weights().toFloatArray();
    for (int row = 0; row < 6; row++) {
      double sum = 0;
      for (int j = 0; j < 5; j++) {
        sum += w[row * 5 + j];
      }
      assertEquals(1.0, sum, 1e-5, "a row of averaged probabilities sums to 1");
    }
  }
}
