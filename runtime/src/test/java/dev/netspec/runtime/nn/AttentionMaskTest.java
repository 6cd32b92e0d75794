package dev.netspec.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * {@link AttentionMask}'s reuse rule: an allocation-free forward hands back the mask it made
 * last only for the same tensor and the same kind (float or boolean); any other call makes a
 * new mask of what it was given, so a reused mask can never carry another tensor's values
 * or the other meaning.
 */
class AttentionMaskTest {
  @Test
  void theLastMaskIsReusedOnlyForTheSameTensorAndKind() {
    Tensor a = Tensor.fromArray(new float[] {0, 1}, 1, 2);
    Tensor b = Tensor.fromArray(new float[] {1, 0}, 1, 2);
    AttentionMask floatA = AttentionMask.of(a);
    AttentionMask boolA = AttentionMask.ofBool(a);

    assertSame(floatA, AttentionMask.of(a, floatA));
    assertSame(boolA, AttentionMask.ofBool(a, boolA));

    // another tensor: a new mask of it, of the asked kind
    AttentionMask floatB = AttentionMask.of(b, floatA);
    assertNotSame(floatA, floatB);
    assertSame(b, floatB.values());
    assertFalse(floatB.isBool());
    AttentionMask boolB = AttentionMask.ofBool(b, boolA);
    assertSame(b, boolB.values());
    assertTrue(boolB.isBool());

    // the same tensor, the other kind: a new mask of the asked kind
    AttentionMask asFloat = AttentionMask.of(a, boolA);
    assertSame(a, asFloat.values());
    assertFalse(asFloat.isBool());
    AttentionMask asBool = AttentionMask.ofBool(a, floatA);
    assertSame(a, asBool.values());
    assertTrue(asBool.isBool());

    // no last mask
    assertSame(a, AttentionMask.of(a, null).values());
    assertTrue(AttentionMask.ofBool(a, null).isBool());
    assertThrows(NullPointerException.class, () -> AttentionMask.of(null));
  }

  @Test
  void additiveValuesFollowTheMeaningOfTrue() {
    Tensor v = Tensor.fromArray(new float[] {0, 1, 2}, 3);
    AttentionMask floats = AttentionMask.of(v);
    assertSame(v, floats.additive(true), "a float mask is added as it is");
    float inf = Float.NEGATIVE_INFINITY;
    // SDPA: True = attend; MultiheadAttention: True = ignore (nonzero is True)
    assertArrayEquals(new float[] {inf, 0, 0},
        AttentionMask.ofBool(v).additive(true).toFloatArray());
    assertArrayEquals(new float[] {0, inf, inf},
        AttentionMask.ofBool(v).additive(false).toFloatArray());
  }

  @Test
  void toStringNamesTheKindAndTheValues() {
    Tensor v = Tensor.fromArray(new float[] {0, 1}, 2);
    assertEquals("AttentionMask.of(" + v + ")", AttentionMask.of(v).toString());
    assertEquals("AttentionMask.ofBool(" + v + ")", AttentionMask.ofBool(v).toString());
  }
}
