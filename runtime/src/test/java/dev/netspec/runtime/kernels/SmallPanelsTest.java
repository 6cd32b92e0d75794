package dev.netspec.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The last panel of a small product runs in plain Java ({@link SmallPanels#plain}), of a large
 * one in a Vector API tile: both must give every output the same bits, so a row's result does
 * not depend on the batch it came in. Each case computes the same rows in a small batch (plain)
 * and in a large one (vector tile) and compares them bit for bit; with {@code
 * -Dnetspec.vector.bits=256} the same cases run AVX2's panel shapes.
 */
class SmallPanelsTest {
  private static final int L = VectorBackend.SPECIES.length();
  private static final int NR = VectorGemm.NR;
  private static final int SMALL = 3;
  private static final int LARGE = 64;

  private final Backend vector = new VectorBackend();

  private static float[] random(Random rnd, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) rnd.nextGaussian();
    }
    return v;
  }

  @Test
  void aDotPanelGivesTheVectorTilesBitsInPlainJava() {
    int n = 3 * NR + 4; // a last panel of 4 columns, packed for dot products
    for (int k : new int[] {301, 320}) { // with and without rows past the last whole block
      PackedMatrix packed = check(n, k, Activation.RELU);
      assertTrue(packed.isDotPanel(3), "k=" + k);
      assertTrue(SmallPanels.plain(SMALL, n, k, L, 4));
      assertFalse(SmallPanels.plain(LARGE, n, k, L, 4));
    }
  }

  @Test
  void aHalfWidePanelGivesTheVectorTilesBitsInPlainJava() {
    int n = 3 * NR + L - 2; // a last panel of L - 2 columns, one vector wide
    int k = 300; // two reduction blocks with 256-bit vectors: the second continues from C
    PackedMatrix packed = check(n, k, Activation.NONE);
    assertFalse(packed.isDotPanel(3));
    assertEquals(L, packed.panelStride(3));
    assertTrue(SmallPanels.plain(SMALL, n, k, L, L));
    assertFalse(SmallPanels.plain(LARGE, n, k, L, L));
  }

  @Test
  void aProductThatIsOnlyItsLastPanelKeepsTheVectorTile() {
    // A 10-class head is all last panel: the vector tile then does all of the work.
    assertFalse(SmallPanels.plain(SMALL, 10, 300, L, 10));
    assertFalse(SmallPanels.plain(SMALL, L, 300, L, L));
  }

  /**
   * The first {@link #SMALL} rows of an {@code n x k} product with bias and {@code act},
   * computed as a batch of {@link #SMALL} and as part of a batch of {@link #LARGE}: the same
   * bits. Returns the packed weight.
   */
  private PackedMatrix check(int n, int k, Activation act) {
    Random rnd = new Random(31L * n + k);
    float[] w = random(rnd, n * k);
    float[] bias = random(rnd, n);
    float[] a = random(rnd, LARGE * k);
    PackedMatrix packed = PackedMatrix.pack(k, n, w, 0, k, true);
    float[] large = new float[LARGE * n];
    vector.gemm(LARGE, a, 0, k, packed, large, 0, n, bias, 0, act);
    float[] small = new float[SMALL * n];
    vector.gemm(SMALL, a, 0, k, packed, small, 0, n, bias, 0, act);
    assertArrayEquals(Arrays.copyOf(large, SMALL * n), small, "n=" + n + " k=" + k);
    // And against the scalar backend (sums in double), as every vector kernel.
    float[] want = new float[SMALL * n];
    new ScalarBackend().gemm(SMALL, a, 0, k, packed, want, 0, n, bias, 0, act);
    for (int i = 0; i < want.length; i++) {
      assertEquals(want[i], small[i], 1e-4 * (1 + Math.abs(want[i])), "element " + i);
    }
    return packed;
  }
}
