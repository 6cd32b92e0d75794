package dev.netspec.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.netspec.runtime.tensor.DType;
import dev.netspec.runtime.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * {@code nn.Embedding}'s init, state dict, argument checks and errors (its forward against
 * PyTorch is in {@code TokenOpsTest}, which reads the fixtures).
 */
class EmbeddingTest {
  @Test
  void initIsStandardNormalWithThePaddingRowZeroed() {
    Embedding e = new Embedding(1000, 64, -1);
    assertEquals(999, e.paddingIdx());
    float[] w = e.weight.data().toFloatArray();
    double sum = 0;
    double squares = 0;
    for (int i = 0; i < 999 * 64; i++) {
      sum += w[i];
      squares += (double) w[i] * w[i];
    }
    int n = 999 * 64;
    double mean = sum / n;
    double std = Math.sqrt(squares / n - mean * mean);
    // N(0, 1) over 63,936 draws: the mean is within 5 standard errors of 0, the std near 1.
    assertEquals(0, mean, 5 / Math.sqrt(n));
    assertEquals(1, std, 0.02);
    assertArrayEquals(new float[64], e.weight.data().select(0, 999).toFloatArray());
    e.initialize(7);
    assertArrayEquals(new float[64], e.weight.data().select(0, -1).toFloatArray(),
        "initialize keeps the padding row zero");
  }

  @Test
  void stateDictHoldsTheWeight() {
    Embedding e = new Embedding(10, 3);
    Map<String, Tensor> state = e.stateDict();
    assertEquals(List.of("weight"), List.copyOf(state.keySet()));
    assertArrayEquals(new int[] {10, 3}, state.get("weight").shape());
    assertNull(e.paddingIdx());
    assertEquals("Embedding(10, 3)", e.toString());
  }

  @Test
  void anOutOfRangeIdNamesTheIdItsPositionAndTheRange() {
    Embedding e = new Embedding(10, 3);
    Tensor ids = Tensor.ofLongs(new long[] {1, 2, 3, 4, 12, 5}, 2, 3);
    IndexOutOfBoundsException high =
        assertThrows(IndexOutOfBoundsException.class, () -> e.forward(ids));
    assertEquals("embedding: id 12 at position [1, 1] of the ids is out of range [0, 10)",
        high.getMessage());
    IndexOutOfBoundsException negative = assertThrows(IndexOutOfBoundsException.class,
        () -> e.forward(Tensor.ofLongs(0, -1)));
    assertEquals("embedding: id -1 at position [1] of the ids is out of range [0, 10)",
        negative.getMessage());
    Tensor out = Tensor.zeros(2, 3, 3);
    assertThrows(IndexOutOfBoundsException.class, () -> e.forward(ids, out));
    assertArrayEquals(new float[18], out.toFloatArray(), "nothing half-written");
    assertNull(e.lastIds(), "a failed forward keeps no ids");
  }

  @Test
  void badArgumentsAreRefusedClearly() {
    IllegalArgumentException maxNorm = assertThrows(IllegalArgumentException.class,
        () -> new Embedding(10, 3, null, 1.0));
    assertEquals("Embedding: max_norm is not supported (it renormalizes the weight during"
        + " forward); leave it None", maxNorm.getMessage());
    IllegalArgumentException padding = assertThrows(IllegalArgumentException.class,
        () -> new Embedding(10, 3, 10));
    assertEquals("Embedding: padding_idx must be within num_embeddings (in [-10, 10)), got 10",
        padding.getMessage());
    Embedding e = new Embedding(10, 3);
    IllegalArgumentException floats = assertThrows(IllegalArgumentException.class,
        () -> e.forward(Tensor.of(1f, 2f)));
    assertEquals("embedding: ids must be int64 (torch.long), got torch.float32; convert with"
        + " to(DType.INT64)", floats.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> e.forward(Tensor.ofLongs(1, 2), Tensor.zeros(2, 4)));
  }

  @Test
  void idsOfAnyShapeAndAStridedOut() {
    Embedding e = new Embedding(4, 2);
    Tensor w = e.weight.data();
    Tensor ids = Tensor.ofLongs(3, 0, 2, 1, 1, 3).view(2, 3).t(); // (3, 2), strided
    Tensor out = Tensor.zeros(2, 3, 2).transpose(0, 1); // (3, 2, 2), strided
    e.forward(ids, out);
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 2; j++) {
        int id = (int) ids.getLong(i, j);
        assertArrayEquals(w.select(0, id).toFloatArray(), out.select(0, i).select(0, j)
            .toFloatArray());
      }
    }
    assertEquals(DType.INT64, e.lastIds().dtype());
  }

  @Test
  void sizesAndPaddingIndicesAtTheirLimits() {
    // nn.Embedding(0, 3) and nn.Embedding(3, 0) are valid (empty tables or rows); -1 is not
    assertArrayEquals(new int[] {0, 3}, new Embedding(0, 3).weight.shape());
    Embedding noDim = new Embedding(3, 0);
    assertEquals(3, noDim.numEmbeddings());
    assertEquals(0, noDim.embeddingDim());
    assertArrayEquals(new int[] {2, 0}, noDim.forward(Tensor.ofLongs(2, 0)).shape());
    assertEquals("Embedding: num_embeddings and embedding_dim must be >= 0, got -1 and 3",
        assertThrows(IllegalArgumentException.class, () -> new Embedding(-1, 3)).getMessage());
    assertEquals("Embedding: num_embeddings and embedding_dim must be >= 0, got 3 and -1",
        assertThrows(IllegalArgumentException.class, () -> new Embedding(3, -1)).getMessage());

    Embedding e = new Embedding(10, 3);
    assertEquals(10, e.numEmbeddings());
    assertEquals(3, e.embeddingDim());
    // padding_idx in [-10, 10): both ends accepted, one past either refused
    assertEquals(9, new Embedding(10, 3, 9).paddingIdx());
    assertEquals(0, new Embedding(10, 3, -10).paddingIdx());
    assertEquals("Embedding: padding_idx must be within num_embeddings (in [-10, 10)), got -11",
        assertThrows(IllegalArgumentException.class, () -> new Embedding(10, 3, -11))
            .getMessage());
    Embedding zero = new Embedding(10, 3, 0);
    assertEquals(0, zero.paddingIdx(), "row 0 is a padding row, not none");
    assertArrayEquals(new float[3], zero.weight.data().select(0, 0).toFloatArray(),
        "the padding row 0 is zeroed");
    assertEquals("Embedding(10, 3, padding_idx=0)", zero.toString());
  }

  @Test
  void bothForwardsReturnTheRowsAndKeepTheIds() throws Exception {
    Embedding e = new Embedding(4, 2);
    float[] w = e.weight.data().toFloatArray();
    Tensor ids = Tensor.ofLongs(3, 1);
    Tensor y = e.forward(ids);
    assertArrayEquals(new float[] {w[6], w[7], w[2], w[3]}, y.toFloatArray());
    assertSame(ids, e.lastIds());
    Tensor out = Tensor.zeros(2, 2);
    Tensor ids2 = Tensor.ofLongs(0, 2);
    assertSame(out, e.forward(ids2, out));
    assertArrayEquals(new float[] {w[0], w[1], w[4], w[5]}, out.toFloatArray());
    assertSame(ids2, e.lastIds());
    ForwardGuards.assertGuarded(e, () -> e.forward(ids));
    ForwardGuards.assertGuarded(e, () -> e.forward(ids, out));
  }

  @EnabledIfSystemProperty(named = "netspec.allocationTests", matches = "true",
      disabledReason = "JIT-dependent; run with -Dnetspec.allocationTests=true")
  @Test
  void aWarmForwardIntoABufferAllocatesNothing() {
    Embedding e = new Embedding(100, 16, 0);
    Tensor ids = Tensor.ofLongs(new long[] {5, 0, 99, 7, 7, 1}, 2, 3);
    Tensor out = Tensor.zeros(2, 3, 16);
    assertEquals(0, Allocations.steadyStateBytes(() -> e.forward(ids, out), 5_000, 100));
  }
}
