package dev.netspec.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * A new {@code MultiheadAttention} is initialized as PyTorch's {@code _reset_parameters}
 * does: each projection weight {@code xavier_uniform_} (bound {@code sqrt(6 / (fan_in +
 * fan_out))}, so values in the bound with the variance {@code bound^2 / 3} of a uniform
 * draw), the packed {@code in_proj_bias} and {@code out_proj.bias} zero (a plain Linear's bias
 * would be drawn); and sizes of 0 are refused.
 */
class AttentionConstructionTest {
  @Test
  void projectionsAreXavierUniformAndBiasesZero() {
    MultiheadAttention packed = new MultiheadAttention(8, 2, 0.0, true, false);
    checkXavier(packed.namedParameters().get("in_proj_weight").data().toFloatArray(), 8, 24, "in_proj_weight");
    assertNull(packed.namedParameters().get("q_proj_weight"));
    checkZeros(packed.namedParameters().get("in_proj_bias").data().toFloatArray(), 24, "in_proj_bias");
    checkZeros(packed.outProj.bias.data().toFloatArray(), 8, "out_proj.bias");

    MultiheadAttention apart = new MultiheadAttention(8, 2, 0.0, true, false, false, 5, 7, false);
    checkXavier(apart.namedParameters().get("q_proj_weight").data().toFloatArray(), 8, 8, "q_proj_weight");
    checkXavier(apart.namedParameters().get("k_proj_weight").data().toFloatArray(), 5, 8, "k_proj_weight");
    checkXavier(apart.namedParameters().get("v_proj_weight").data().toFloatArray(), 7, 8, "v_proj_weight");
    assertNull(apart.namedParameters().get("in_proj_weight"));
    checkZeros(apart.outProj.bias.data().toFloatArray(), 8, "out_proj.bias, separate projections");
  }

  private static void checkXavier(float[] w, int fanIn, int fanOut, String what) {
    assertEquals(fanIn * fanOut, w.length, what);
    double bound = Math.sqrt(6.0 / (fanIn + fanOut));
    double squares = 0;
    for (float v : w) {
      assertTrue(Math.abs(v) <= bound, what + ": " + v + " outside +-" + bound);
      squares += (double) v * v;
    }
    double variance = squares / w.length;
    double expected = bound * bound / 3;
    // the mean of n squares of U(-a, a) is a^2 / 3 with a relative sd of 0.89 / sqrt(n):
    // 0.6 is 4 sd or more for the 40 to 192 values here (and the draws are seeded)
    assertTrue(Math.abs(variance - expected) < 0.6 * expected, what + ": variance " + variance
        + ", a uniform draw has " + expected);
  }

  private static void checkZeros(float[] b, int n, String what) {
    assertEquals(n, b.length, what);
    for (float v : b) {
      assertEquals(0f, v, what);
    }
  }

  @Test
  void sizesOfZeroAreRefused() {
    assertEquals("MultiheadAttention: embed_dim and num_heads must be greater than 0, got"
        + " embed_dim=0 and num_heads=1", assertThrows(IllegalArgumentException.class,
            () -> new MultiheadAttention(0, 1)).getMessage());
    assertEquals("MultiheadAttention: embed_dim and num_heads must be greater than 0, got"
        + " embed_dim=4 and num_heads=0", assertThrows(IllegalArgumentException.class,
            () -> new MultiheadAttention(4, 0)).getMessage());
    assertEquals("MultiheadAttention: vdim must be greater than 0, got 0",
        assertThrows(IllegalArgumentException.class,
            () -> new MultiheadAttention(8, 2, 0.0, true, false, false, null, 0, false)).getMessage());
  }
}
