package dev.netspec.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.netspec.runtime.tensor.DType;
import dev.netspec.runtime.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The typed API of the generated sequence models: named inputs checked for dtype and shape
 * (one message naming what was expected and what came), a tuple result as a record, and
 * {@code forward(x)}, the {@code Module} contract, refused with the method to call.
 */
class SequenceModelsTest {
  private static Tensor ids(int... shape) {
    int n = 1;
    for (int d : shape) {
      n *= d;
    }
    long[] v = new long[n];
    for (int i = 0; i < n; i++) {
      v[i] = (i * 7L) % 9;
    }
    return Tensor.ofLongs(v, shape);
  }

  @Test
  void aTupleResultIsARecordOfItsTensorsInOrder() {
    BiLstmTagger net = new BiLstmTagger(3).eval();
    Tensor h0 = Tensor.zeros(4, 2, 8);
    BiLstmTagger.Output out = net.forwardTuple(ids(2, 5), h0, Tensor.zeros(4, 2, 8));
    assertEquals(java.util.List.of(2, 5, 5), java.util.Arrays.stream(out.item0().shape()).boxed().toList());
    assertEquals(java.util.List.of(4, 2, 8), java.util.Arrays.stream(out.h().shape()).boxed().toList());
    assertEquals(java.util.List.of(4, 2, 8), java.util.Arrays.stream(out.c().shape()).boxed().toList());
  }

  @Test
  void wrongDtypeOrSizesGiveOneMessage() {
    BiLstmTagger net = new BiLstmTagger(3).eval();
    IllegalArgumentException floats = assertThrows(IllegalArgumentException.class,
        () -> net.forwardTuple(Tensor.zeros(2, 5), Tensor.zeros(4, 2, 8), Tensor.zeros(4, 2, 8)));
    assertEquals("BiLstmTagger: expected tokens int64 (batch, seq), h0 float32 (4, batch, 8),"
        + " c0 float32 (4, batch, 8), got tokens float32 [2, 5], h0 float32 [4, 2, 8],"
        + " c0 float32 [4, 2, 8]", floats.getMessage());
    // the batch of h0 must be the batch of tokens
    IllegalArgumentException batch = assertThrows(IllegalArgumentException.class,
        () -> net.forwardTuple(ids(2, 5), Tensor.zeros(4, 3, 8), Tensor.zeros(4, 2, 8)));
    assertEquals("BiLstmTagger: expected tokens int64 (batch, seq), h0 float32 (4, batch, 8),"
        + " c0 float32 (4, batch, 8), got tokens int64 [2, 5], h0 float32 [4, 3, 8],"
        + " c0 float32 [4, 2, 8]", batch.getMessage());
  }

  @Test
  void theOneTensorForwardNamesTheTypedOne() {
    UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
        () -> new GruStep().forward(Tensor.zeros(6, 2, 10)));
    assertEquals("GruStep takes x float32 (seq, batch, 10), h0 float32 (1, batch, 16) and returns a tuple;"
        + " call forwardTuple(x, h0)", e.getMessage());
  }

  @Test
  void aSingleInt64InputIsTheModuleForward() {
    GruClassifier net = new GruClassifier().eval();
    Tensor ids = ids(2, 9);
    Tensor y = net.forward(ids);
    assertEquals(java.util.List.of(2, 3), java.util.Arrays.stream(y.shape()).boxed().toList());
    assertSame(DType.INT64, ids.dtype());
    assertThrows(IllegalArgumentException.class, () -> net.forward(Tensor.zeros(2, 9)));
  }
}
