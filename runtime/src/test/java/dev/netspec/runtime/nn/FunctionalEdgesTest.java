package dev.netspec.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.kernels.Activation;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * {@link Functional}'s argument checks and edges that the layer tests do not reach: each
 * check of linear, embedding, batch and group norm by its message, dropout's probability at
 * both ends, the into forms' versions, and the convolutions' string paddings (values by hand).
 */
class FunctionalEdgesTest {
  private static final String BIAS = "linear: bias of shape [3] does not match 2 output features";

  @Test
  void linearRefusesABiasOfAnotherWidthOnEveryPath() {
    Tensor x = Tensor.ones(4, 5);
    Tensor w = Tensor.ones(2, 5);
    Tensor b = Tensor.ones(3);
    assertEquals(BIAS, assertThrows(IllegalArgumentException.class,
        () -> Functional.linear(x, w, b)).getMessage());
    assertEquals(BIAS, assertThrows(IllegalArgumentException.class,
        () -> Functional.linear(x, w, b, new PackedWeight())).getMessage());
    assertEquals(BIAS, assertThrows(IllegalArgumentException.class,
        () -> Functional.linearInto(x, w, b, Activation.NONE, new PackedWeight(),
            Tensor.zeros(4, 2))).getMessage());
    assertEquals("linear: input of shape [4, 5] cannot be multiplied by weight of shape [2, 4]"
        + " (expected 4 input features)", assertThrows(IllegalArgumentException.class,
            () -> Functional.linearInto(x, Tensor.ones(2, 4), null, Activation.NONE,
                new PackedWeight(), Tensor.zeros(4, 2))).getMessage());
    Tensor out = Tensor.zeros(4, 2);
    long version = out.version();
    assertSame(out, Functional.linearInto(x, w, Tensor.ones(2), Activation.NONE,
        new PackedWeight(), out));
    assertTrue(out.version() > version, "out's version grows");
    assertTrue(Tensor.full(6f, 4, 2).allclose(out, 0, 0), "5 ones times ones plus 1");
  }

  @Test
  void embeddingChecksItsIdsAndItsOut() {
    Tensor w = Tensor.fromArray(new float[] {0, 1, 10, 11, 20, 21}, 3, 2);
    Tensor ids = Tensor.ofLongs(new long[] {2, 0, 1}, 3);
    Tensor out = Tensor.zeros(3, 2);
    long version = out.version();
    assertSame(out, Functional.embeddingInto(ids, w, out));
    assertTrue(out.version() > version, "out's version grows");
    assertArrayEquals(new float[] {20, 21, 0, 1, 10, 11}, out.toFloatArray());
    assertEquals("embedding: id 3 at position [1] of the ids is out of range [0, 3)",
        assertThrows(IndexOutOfBoundsException.class, () -> Functional.embeddingInto(
            Tensor.ofLongs(new long[] {0, 3}, 2), w, Tensor.zeros(2, 2))).getMessage());
    assertEquals("embedding: id -1 at position [0] of the ids is out of range [0, 3)",
        assertThrows(IndexOutOfBoundsException.class, () -> Functional.embedding(
            Tensor.ofLongs(new long[] {-1}, 1), w)).getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Functional.embeddingInto(
        Tensor.zeros(3), w, out)).getMessage().startsWith("embedding: ids must be int64"));
    assertEquals("embedding: out has shape [3, 3], ids of shape [3] and embedding_dim 2 give"
        + " (..., 2)", assertThrows(IllegalArgumentException.class,
            () -> Functional.embeddingInto(ids, w, Tensor.zeros(3, 3))).getMessage());
    assertEquals("embedding: out has shape [2, 2], ids of shape [3] and embedding_dim 2 give"
        + " (..., 2)", assertThrows(IllegalArgumentException.class,
            () -> Functional.embeddingInto(ids, w, Tensor.zeros(2, 2))).getMessage());
  }

  @Test
  void dropoutAtBothEndsOfItsRange() {
    Tensor x = Tensor.randn(new Generator(1), 3, 4);
    Generator g = new Generator(2);
    assertSame(x, Functional.dropout(x, 0f, true, g), "p = 0: the input itself");
    assertSame(x, Functional.dropout(x, 0.5f, false, g), "not training: the input itself");
    assertTrue(Tensor.zeros(3, 4).allclose(Functional.dropout(x, 1f, true, g), 0, 0), "p = 1");
    for (float p : new float[] {Math.nextUp(1f), -Float.MIN_VALUE, Float.NaN}) {
      assertTrue(assertThrows(IllegalArgumentException.class,
          () -> Functional.dropout(x, p, true, g)).getMessage()
          .startsWith("dropout probability has to be between 0 and 1, but got "), "p " + p);
    }
    Tensor mask = Tensor.full(7f, 2, 3);
    long version = mask.version();
    assertSame(mask, Functional.dropoutMaskInto(1f, g, mask));
    assertTrue(Tensor.zeros(2, 3).allclose(mask, 0, 0), "p = 1 overwrites every element");
    assertTrue(mask.version() > version, "the mask's version grows");
  }

  @Test
  void normsNameTheArgumentOfTheWrongWidth() {
    Tensor x = Tensor.randn(new Generator(3), 2, 4, 3);
    Tensor four = Tensor.ones(4);
    Tensor three = Tensor.ones(3);
    String[] names = {"running_mean", "running_var", "weight", "bias"};
    for (int i = 0; i < 4; i++) {
      Tensor[] args = {four, Tensor.ones(4), four, four};
      args[i] = three;
      Tensor[] a = args;
      assertEquals("batch_norm: " + names[i] + " of shape [3] does not match the 4 channels of"
          + " input [2, 4, 3]", assertThrows(IllegalArgumentException.class,
              () -> Functional.batchNorm(x, a[0], a[1], a[2], a[3], false, 0.1, 1e-5))
              .getMessage());
    }
    assertEquals("group_norm: weight of shape [3] does not match the 4 channels of input"
        + " [2, 4, 3]", assertThrows(IllegalArgumentException.class,
            () -> Functional.groupNorm(x, 2, three, four, 1e-5)).getMessage());
    assertEquals("group_norm: bias of shape [3] does not match the 4 channels of input"
        + " [2, 4, 3]", assertThrows(IllegalArgumentException.class,
            () -> Functional.groupNorm(x, 2, four, three, 1e-5)).getMessage());
    assertEquals("group_norm: expected number of channels in input to be divisible by"
        + " num_groups, but got input of shape [2, 4, 3] and num_groups=0",
        assertThrows(IllegalArgumentException.class,
            () -> Functional.groupNorm(x, 0, null, null, 1e-5)).getMessage());
    Tensor row = Tensor.fromArray(new float[] {1, 3}, 2); // exactly the normalized shape
    assertTrue(Tensor.fromArray(new float[] {-1, 1}, 2).allclose(
        Functional.layerNorm(row, new int[] {2}, null, null, 0f), 1e-6, 1e-6),
        "(x - 2) / 1");
  }

  @Test
  void stringPaddingsOfTheConvolutions() {
    Tensor x1 = Tensor.fromArray(new float[] {1, 2, 3, 4, 5}, 1, 1, 5);
    Tensor w1 = Tensor.ones(1, 1, 3);
    float[] same = {3, 6, 9, 12, 9};
    assertArrayEquals(same, Functional.conv1d(x1, w1, null, 1, "same", 1, 1).toFloatArray());
    assertArrayEquals(same, Functional.conv1d(x1, w1, null, 1, 1, 1, 1).toFloatArray());
    assertArrayEquals(new float[] {6, 9, 12},
        Functional.conv1d(x1, w1, null, 1, "valid", 1, 1).toFloatArray());
    Tensor x2 = Tensor.ones(1, 1, 3, 3);
    Tensor w2 = Tensor.ones(1, 1, 2, 2);
    assertArrayEquals(new float[] {4, 4, 4, 4}, Functional.conv2d(x2, w2, null,
        new int[] {1}, "valid", new int[] {1}, 1).toFloatArray());
  }
}
