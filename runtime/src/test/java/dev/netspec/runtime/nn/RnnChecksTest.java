package dev.netspec.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * LSTM and GRU beyond the PyTorch fixtures ({@link RnnParityTest}): every shape and aliasing
 * check of the into-forms with its own message, the configuration PyTorch exposes, inputs that
 * are views, buffers reused across calls of other shapes, and the dropout masks.
 */
class RnnChecksTest {
  private static Tensor randn(long seed, int... shape) {
    return Tensor.randn(new Generator(seed), shape);
  }

  private static String message(Runnable r) {
    return assertThrows(IllegalArgumentException.class, r::run).getMessage();
  }

  @Test
  void configurationAsPyTorchNamesIt() {
    LSTM lstm = new LSTM(3, 5, 2, false, true, 0.25, true);
    assertEquals(3, lstm.inputSize());
    assertEquals(5, lstm.hiddenSize());
    assertEquals(2, lstm.numLayers());
    assertFalse(lstm.hasBias());
    assertTrue(lstm.batchFirst());
    assertEquals(0.25, lstm.dropout());
    assertTrue(lstm.bidirectional());
    assertEquals(2, lstm.directions());
    GRU gru = new GRU(4, 6);
    assertTrue(gru.hasBias());
    assertFalse(gru.batchFirst());
    assertFalse(gru.bidirectional());
    assertEquals(0.0, gru.dropout());
    assertEquals(1, gru.directions());
    // (num_layers * directions, batch, hidden): batch is dim 0 of a batch-first input
    assertArrayEquals(new int[] {4, 7, 5}, lstm.stateShape(7, 9, 3));
    assertArrayEquals(new int[] {7, 9, 10}, lstm.outputShape(7, 9, 3));
    assertArrayEquals(new int[] {1, 2, 6}, gru.stateShape(9, 2, 4));
    assertArrayEquals(new int[] {1, 6}, gru.stateShape(9, 4));
    assertSame(lstm, lstm.train(false));
    assertFalse(lstm.isTraining());
    assertSame(lstm, lstm.train());
    assertTrue(lstm.isTraining());
    assertSame(gru, gru.eval());
    assertFalse(gru.isTraining());
    assertEquals("LSTM: expected a 2-D (seq, 3) or 3-D (batch, seq, 3) input, got shape [3]",
        message(() -> lstm.outputShape(3)));
    assertEquals("LSTM: expected at least one time step, got input of shape [2, 0, 3]",
        message(() -> lstm.outputShape(2, 0, 3)));
    // a batch-first input with an empty batch but steps is fine
    assertArrayEquals(new int[] {0, 4, 10}, lstm.outputShape(0, 4, 3));
    assertEquals("input_size must be >= 0, got -1", message(() -> new GRU(-1, 2)));
  }

  /** Each state has its own message; states that are written must be contiguous. */
  @Test
  void everyStateIsChecked() {
    LSTM lstm = new LSTM(3, 5, 2);
    Tensor x = randn(1, 4, 2, 3);
    Tensor h = Tensor.zeros(2, 2, 5);
    Tensor bad = Tensor.zeros(2, 3, 5);
    assertEquals("LSTM: expected c0 of shape [2, 2, 5], got [2, 3, 5]",
        message(() -> lstm.forwardWithState(x, h, bad)));
    LSTM.Output good = lstm.newOutput(x);
    assertEquals("LSTM: expected h_n of shape [2, 2, 5], got [2, 3, 5]",
        message(() -> lstm.forwardInto(x, null, null,
            new LSTM.Output(good.output(), bad, good.cN()))));
    assertEquals("LSTM: expected c_n of shape [2, 2, 5], got [2, 3, 5]",
        message(() -> lstm.forwardInto(x, null, null,
            new LSTM.Output(good.output(), good.hN(), bad))));
    Tensor strided = Tensor.zeros(2, 5, 2).transpose(1, 2); // [2, 2, 5], not contiguous
    assertEquals("LSTM: h_n must be contiguous", message(() -> lstm.forwardInto(x, null, null,
        new LSTM.Output(good.output(), strided, good.cN()))));
    assertEquals("LSTM: c_n must be contiguous", message(() -> lstm.forwardInto(x, null, null,
        new LSTM.Output(good.output(), good.hN(), strided))));
    Tensor stridedOut = Tensor.zeros(2, 4, 5).transpose(0, 1);
    assertEquals("LSTM: output must be contiguous",
        message(() -> lstm.forward(x, stridedOut)));
    // an initial state may be a view: it is only read
    lstm.forwardWithState(x, strided, strided);
    // unbatched: (layers, hidden) states
    Tensor x2 = randn(2, 4, 3);
    assertEquals("LSTM: expected h0 of shape [2, 5], got [2, 1, 5]",
        message(() -> lstm.forwardWithState(x2, Tensor.zeros(2, 1, 5), Tensor.zeros(2, 5))));
    assertEquals("LSTM: expected h0 of shape [2, 5], got [1, 5]",
        message(() -> lstm.forwardWithState(x2, Tensor.zeros(1, 5), Tensor.zeros(2, 5))));
    assertEquals("LSTM: expected h0 of shape [2, 5], got [2, 4]",
        message(() -> lstm.forwardWithState(x2, Tensor.zeros(2, 4), Tensor.zeros(2, 5))));
    assertEquals("LSTM: expected h0 of shape [2, 2, 5], got [1, 2, 5]",
        message(() -> lstm.forwardWithState(x, Tensor.zeros(1, 2, 5), h)));
    assertEquals("LSTM: expected h0 of shape [2, 2, 5], got [2, 2, 4]",
        message(() -> lstm.forwardWithState(x, Tensor.zeros(2, 2, 4), h)));
    assertEquals("LSTM: expected h0 of shape [2, 2, 5], got [2, 5]",
        message(() -> lstm.forwardWithState(x, Tensor.zeros(2, 5), h)));
    assertEquals("GRU: expected output of shape [4, 2, 6], got [4, 3, 6]",
        message(() -> new GRU(3, 6).forward(x, Tensor.zeros(4, 3, 6))));
    assertEquals("GRU: expected output of shape [4, 2, 6], got [4, 2, 5]",
        message(() -> new GRU(3, 6).forward(x, Tensor.zeros(4, 2, 5))));
    assertEquals("GRU: expected output of shape [4, 2, 6], got [4, 6]",
        message(() -> new GRU(3, 6).forward(x, Tensor.zeros(4, 6))));
  }

  /** Every pair of tensors a forward writes and reads is refused when they overlap. */
  @Test
  void outputsMayNotOverlapInputsOrEachOther() {
    LSTM lstm = new LSTM(3, 5, 1);
    Tensor x = randn(1, 4, 2, 3);
    Tensor h0 = randn(2, 1, 2, 5);
    Tensor c0 = randn(3, 1, 2, 5);
    Tensor big = Tensor.zeros(200);
    Tensor out = big.narrow(0, 0, 40).view(4, 2, 5);
    Tensor hN = big.narrow(0, 40, 10).view(1, 2, 5);
    Tensor cN = big.narrow(0, 50, 10).view(1, 2, 5);
    // sharing one storage at disjoint places still counts as sharing
    assertEquals("LSTM: output must not share storage with h_n",
        message(() -> lstm.forwardInto(x, h0, c0, new LSTM.Output(out, hN, cN))));
    LSTM.Output fresh = lstm.newOutput(x);
    Tensor o = fresh.output();
    Tensor h = fresh.hN();
    Tensor c = fresh.cN();
    assertEquals("LSTM: output must not share storage with h0",
        message(() -> lstm.forwardInto(x, o.view(-1).narrow(0, 0, 10).view(1, 2, 5), c0,
            new LSTM.Output(o, h, c))));
    assertEquals("LSTM: output must not share storage with c0",
        message(() -> lstm.forwardInto(x, h0, o.view(-1).narrow(0, 0, 10).view(1, 2, 5),
            new LSTM.Output(o, h, c))));
    Tensor xs = Tensor.zeros(2, 4, 2, 3);
    Tensor xv = xs.select(0, 0);
    assertEquals("LSTM: h_n must not share storage with the input",
        message(() -> lstm.forwardInto(xv, h0, c0,
            new LSTM.Output(o, xs.view(-1).narrow(0, 30, 10).view(1, 2, 5), c))));
    assertEquals("LSTM: c_n must not share storage with the input",
        message(() -> lstm.forwardInto(xv, h0, c0,
            new LSTM.Output(o, h, xs.view(-1).narrow(0, 30, 10).view(1, 2, 5)))));
    Tensor pair = Tensor.zeros(2, 1, 2, 5);
    assertEquals("LSTM: h_n must not share storage with c0",
        message(() -> lstm.forwardInto(x, h0, pair.select(0, 0),
            new LSTM.Output(o, pair.select(0, 1), c))));
    assertEquals("LSTM: c_n must not share storage with h0",
        message(() -> lstm.forwardInto(x, pair.select(0, 0), c0,
            new LSTM.Output(o, h, pair.select(0, 1)))));
    assertEquals("LSTM: h_n must not share storage with h0",
        message(() -> lstm.forwardInto(x, pair.select(0, 0), c0,
            new LSTM.Output(o, pair.select(0, 1), c))));
    assertEquals("LSTM: c_n must not share storage with c0",
        message(() -> lstm.forwardInto(x, h0, pair.select(0, 0),
            new LSTM.Output(o, h, pair.select(0, 1)))));
    assertEquals("LSTM: output must not share storage with c_n",
        message(() -> lstm.forwardInto(x, h0, c0,
            new LSTM.Output(out, fresh.hN(), big.narrow(0, 100, 10).view(1, 2, 5)))));
    assertEquals("LSTM: h_n must not share storage with c_n",
        message(() -> lstm.forwardInto(x, h0, c0, new LSTM.Output(o, hN, cN))));
    // carrying the state over (h0 is h_n, c0 is c_n) is allowed; every output's version grows
    long[] versions = {o.version(), h.version(), c.version()};
    lstm.forwardInto(x, h, c, fresh);
    assertTrue(o.version() > versions[0] && h.version() > versions[1]
        && c.version() > versions[2], "versions of output, h_n and c_n");
  }

  /** The into-forms check the input themselves (the allocating forms check it via its shape). */
  @Test
  void theIntoFormsCheckTheInput() {
    LSTM lstm = new LSTM(3, 5, 1, true, true, 0, false);
    Tensor out = Tensor.zeros(2, 7, 5);
    assertEquals("LSTM: input.size(-1) must be equal to input_size. Expected 3, got 4",
        message(() -> lstm.forward(Tensor.zeros(2, 7, 4), out)));
    assertEquals("LSTM: expected a 2-D (seq, 3) or 3-D (batch, seq, 3) input, got shape [7]",
        message(() -> lstm.forward(Tensor.zeros(7), out)));
    assertEquals("LSTM: expected a 2-D (seq, 3) or 3-D (batch, seq, 3) input, got shape"
        + " [1, 2, 7, 3]", message(() -> lstm.forward(Tensor.zeros(1, 2, 7, 3), out)));
    assertEquals("LSTM: expected at least one time step, got input of shape [2, 0, 3]",
        message(() -> lstm.forward(Tensor.zeros(2, 0, 3), out)));
    assertEquals("LSTM: expected at least one time step, got input of shape [0, 3]",
        message(() -> lstm.forward(Tensor.zeros(0, 3), Tensor.zeros(0, 5))));
  }

  /**
   * Views as input and initial states give the values of their contiguous copies; a state
   * in a separate tensor is copied into c_n before the first step.
   */
  @Test
  void viewsReadAsTheirValues() {
    LSTM lstm = new LSTM(3, 5, 2, true, false, 0, true);
    lstm.initialize(4);
    Tensor x = randn(1, 2, 6, 3).transpose(0, 1); // (seq 6, batch 2, 3), strided
    Tensor h0 = randn(2, 4, 5, 2).transpose(1, 2); // (4, 2, 5), strided
    Tensor c0 = randn(3, 4, 5, 2).transpose(1, 2);
    LSTM.Output want = lstm.forwardWithState(x.contiguous(), h0.contiguous(), c0.contiguous());
    LSTM.Output got = lstm.forwardWithState(x, h0, c0);
    assertArrayEquals(want.output().toFloatArray(), got.output().toFloatArray(), "output");
    assertArrayEquals(want.hN().toFloatArray(), got.hN().toFloatArray(), "h_n");
    assertArrayEquals(want.cN().toFloatArray(), got.cN().toFloatArray(), "c_n");
    // c0 matters: zeros give another c_n
    LSTM.Output zero = lstm.forwardWithState(x.contiguous(), h0.contiguous(),
        Tensor.zeros(4, 2, 5));
    assertFalse(java.util.Arrays.equals(want.cN().toFloatArray(), zero.cN().toFloatArray()));
    // into: c_n starts from c0, whatever it held before
    LSTM.Output into = lstm.newOutput(x);
    into.cN().fill_(7f);
    into.hN().fill_(7f);
    lstm.forwardInto(x, h0, c0, into);
    assertArrayEquals(want.cN().toFloatArray(), into.cN().toFloatArray(), "c_n into");
    assertArrayEquals(want.hN().toFloatArray(), into.hN().toFloatArray(), "h_n into");
  }

  /**
   * The buffers of the last call are reused only for the same steps, batch and layout: calls
   * of other shapes in between give the values of a layer that never saw them.
   */
  @Test
  void callsOfOtherShapesInBetweenChangeNothing() {
    for (boolean batchFirst : new boolean[] {false, true}) {
      GRU used = new GRU(3, 4, 2, true, batchFirst, 0, false);
      used.initialize(8);
      GRU fresh = new GRU(3, 4, 2, true, batchFirst, 0, false);
      fresh.initialize(8);
      Tensor[] inputs = {randn(1, 5, 2, 3), randn(2, 3, 2, 3), randn(3, 5, 4, 3),
          randn(4, 5, 3), randn(5, 2, 5, 3), randn(6, 5, 2, 3)};
      for (Tensor x : inputs) {
        GRU reference = new GRU(3, 4, 2, true, batchFirst, 0, false);
        reference.loadStateDict(fresh.stateDict(), true);
        assertArrayEquals(reference.forward(x).toFloatArray(), used.forward(x).toFloatArray(),
            "batchFirst=" + batchFirst + " " + java.util.Arrays.toString(x.shape()));
      }
    }
  }

  /** Masks between layers in training with 0 < p < 1: none at layer 0, none with p = 0. */
  @Test
  void dropoutMasksBetweenLayersOnly() {
    LSTM lstm = new LSTM(3, 4, 3, true, false, 0.5, false);
    lstm.initialize(1).train();
    Tensor x = randn(7, 6, 2, 3);
    lstm.forward(x);
    Tensor[] masks = lstm.dropoutMasks();
    assertNotNull(masks);
    assertEquals(3, masks.length);
    assertNull(masks[0], "the input is not dropped");
    for (int layer = 1; layer < 3; layer++) {
      assertArrayEquals(new int[] {6, 2, 4}, masks[layer].shape(), "layer " + layer);
      int zeros = 0;
      for (float v : masks[layer].toFloatArray()) {
        assertTrue(v == 0f || v == 2f, "kept values are scaled by 1 / (1 - p): " + v);
        zeros += v == 0f ? 1 : 0;
      }
      assertTrue(zeros > 0 && zeros < 48, "some dropped, some kept: " + zeros);
    }
    masks[1] = null;
    assertNotNull(lstm.dropoutMasks()[1], "a copy of the array");
    lstm.eval().forward(x);
    assertNull(lstm.dropoutMasks(), "eval: no dropout");
    LSTM none = new LSTM(3, 4, 3, true, false, 0, false).train();
    none.forward(x);
    assertNull(none.dropoutMasks(), "p = 0: no dropout");
  }
}
