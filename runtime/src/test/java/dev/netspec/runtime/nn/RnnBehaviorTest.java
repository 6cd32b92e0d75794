package dev.netspec.runtime.nn;

import static dev.netspec.runtime.nn.RnnParityTest.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/** LSTM and GRU beyond the PyTorch fixtures: init, carried state, dropout, errors, threads. */
class RnnBehaviorTest {
  @Test
  void defaultInitIsUniformOnOneOverSqrtHiddenFromOneStreamPerName() {
    LSTM lstm = new LSTM(3, 16, 2, true, false, 0, true);
    double bound = 1 / Math.sqrt(16);
    Map<String, float[]> first = values(lstm);
    assertEquals(16, first.size());
    first.forEach((name, v) -> {
      double max = 0;
      for (float f : v) {
        max = Math.max(max, Math.abs(f));
      }
      assertTrue(max <= bound && max > 0.8 * bound, name + " spans (0.8, 1] of the bound: " + max);
    });
    assertFalse(java.util.Arrays.equals(first.get("bias_ih_l0"), first.get("bias_hh_l0")),
        "each parameter has its own stream");
    // A model's initialize(seed) redraws every parameter, the same way each time; seed 0 is
    // what construction gives.
    assertEquals(keys(first), keys(values(lstm.initialize(0))));
    values(lstm.initialize(0)).forEach((k, v) -> assertTrue(java.util.Arrays.equals(first.get(k), v), k));
    Map<String, float[]> seven = values(lstm.initialize(7));
    assertFalse(java.util.Arrays.equals(first.get("weight_hh_l1"), seven.get("weight_hh_l1")));
    values(init(new LSTM(3, 16, 2, true, false, 0, true), 7))
        .forEach((k, v) -> assertTrue(java.util.Arrays.equals(seven.get(k), v), k));
  }

  private static <M extends Module> M init(M m, long seed) {
    m.initialize(seed);
    return m;
  }

  private static Map<String, float[]> values(Module m) {
    Map<String, float[]> out = new LinkedHashMap<>();
    m.stateDict().forEach((k, v) -> out.put(k, v.toFloatArray()));
    return out;
  }

  private static List<String> keys(Map<String, float[]> m) {
    return new ArrayList<>(m.keySet());
  }

  /** Two halves of a sequence, the state carried in place, give the whole sequence's result. */
  @Test
  void aCarriedStateContinuesTheSequence() {
    for (boolean batchFirst : new boolean[] {false, true}) {
      LSTM lstm = init(new LSTM(4, 6, 2, true, batchFirst, 0, false), 3);
      GRU gru = init(new GRU(4, 6, 2, true, batchFirst, 0, false), 3);
      int time = batchFirst ? 1 : 0;
      Tensor x = Tensor.randn(new Generator(1), batchFirst ? 3 : 10, batchFirst ? 10 : 3, 4);
      Tensor first = x.narrow(time, 0, 6).contiguous();
      Tensor second = x.narrow(time, 6, 4).contiguous();

      LSTM.Output whole = lstm.forwardWithState(x);
      LSTM.Output part = lstm.forwardWithState(first);
      LSTM.Output rest = lstm.newOutput(second);
      rest.hN().copy_(part.hN());
      rest.cN().copy_(part.cN());
      lstm.forwardInto(second, rest.hN(), rest.cN(), rest); // h0 is hN itself
      assertClose("lstm h_n", whole.hN(), rest.hN());
      assertClose("lstm c_n", whole.cN(), rest.cN());
      assertClose("lstm output", whole.output().narrow(time, 6, 4), rest.output());

      GRU.Output g = gru.forwardWithState(x);
      GRU.Output gp = gru.forwardWithState(first);
      GRU.Output gr = gru.forwardInto(second, gp.hN(), gru.newOutput(second));
      assertClose("gru h_n", g.hN(), gr.hN());
      assertClose("gru output", g.output().narrow(time, 6, 4), gr.output());
    }
  }

  /**
   * Dropout p = 1 zeroes the first layer's output in training, so the second layer runs on
   * zeros: a one-layer LSTM with the second layer's weights, given zeros, says what to expect.
   * In eval mode dropout does nothing.
   */
  /**
   * The input projection runs in blocks of {@link RNNBase#PROJECTION_ROWS} rows: 16 steps of a
   * batch of 2 (150 steps: 9 x 16, 6), 32 of one sequence alone (4 x 32, 22). Each sequence's
   * output is the same alone as in the batch, bit for bit, since every element is one FMA chain
   * whatever the blocking.
   */
  @Test
  void theInputProjectionsBlocksChangeNoFloat() {
    for (boolean lstm : new boolean[] {true, false}) {
      RNNBase m = RnnParityTest.build(lstm ? "lstm" : "gru", 8, 16, 2, true, true, 0, false);
      Tensor x = Tensor.randn(new Generator(3), 2, 150, 8);
      assertTrue(150 > RNNBase.PROJECTION_ROWS, "a sequence alone takes more than one block");
      Tensor both = m.forward(x);
      for (int b = 0; b < 2; b++) {
        Tensor alone = m.forward(x.select(0, b).unsqueeze(0).contiguous());
        assertTrue(java.util.Arrays.equals(alone.contiguous().toFloatArray(),
            both.select(0, b).contiguous().toFloatArray()),
            (lstm ? "LSTM" : "GRU") + " sequence " + b);
      }
    }
  }

  @Test
  void dropoutActsBetweenLayersInTrainingOnly() {
    LSTM two = init(new LSTM(3, 5, 2, true, false, 1.0, true), 4);
    LSTM top = new LSTM(10, 5, 1, true, false, 0, true);
    Map<String, Tensor> state = new LinkedHashMap<>();
    two.stateDict().forEach((k, v) -> {
      if (k.contains("_l1")) {
        state.put(k.replace("_l1", "_l0"), v);
      }
    });
    top.loadStateDict(state, true);
    Tensor x = Tensor.randn(new Generator(2), 7, 2, 3);
    assertClose("p=1 in training", top.forward(Tensor.zeros(7, 2, 10)), two.train().forward(x));
    LSTM same = new LSTM(3, 5, 2, true, false, 0, true);
    same.loadStateDict(two.stateDict(), true);
    assertClose("eval", same.forward(x), two.eval().forward(x));
  }

  @Test
  void badInputsGetOneClearError() {
    LSTM lstm = new LSTM(3, 5, 2);
    assertEquals("LSTM: input.size(-1) must be equal to input_size. Expected 3, got 4",
        message(() -> lstm.forward(Tensor.zeros(7, 2, 4))));
    assertEquals("LSTM: expected a 2-D (seq, 3) or 3-D (seq, batch, 3) input, got shape [3]",
        message(() -> lstm.forward(Tensor.zeros(3))));
    assertEquals("LSTM: expected at least one time step, got input of shape [0, 2, 3]",
        message(() -> lstm.forward(Tensor.zeros(0, 2, 3))));
    assertEquals("LSTM: expected h0 of shape [2, 2, 5], got [2, 3, 5]",
        message(() -> lstm.forwardWithState(Tensor.zeros(7, 2, 3), Tensor.zeros(2, 3, 5),
            Tensor.zeros(2, 2, 5))));
    assertEquals("LSTM: give both initial states h0 and c0, or neither (zeros)",
        message(() -> lstm.forwardWithState(Tensor.zeros(7, 2, 3), Tensor.zeros(2, 2, 5), null)));
    GRU gru = new GRU(3, 5, 1, true, true, 0, false);
    Tensor x = Tensor.zeros(2, 7, 3);
    GRU.Output out = gru.newOutput(x);
    assertEquals("GRU: expected output of shape [2, 7, 5], got [7, 2, 5]",
        message(() -> gru.forward(x, Tensor.zeros(7, 2, 5))));
    Tensor shared = Tensor.zeros(2, 7, 5);
    assertEquals("GRU: output must not share storage with the input",
        message(() -> gru.forward(shared.narrow(2, 0, 3), shared)));
    assertEquals("GRU: h_n must not share storage with h0",
        message(() -> gru.forwardInto(x, out.hN().narrow(0, 0, 1), out)));
    assertEquals("hidden_size must be greater than zero, got 0", message(() -> new GRU(3, 0)));
    assertEquals("num_layers must be greater than zero, got 0", message(() -> new LSTM(3, 4, 0)));
    assertEquals("dropout should be a number in range [0, 1] representing the probability of an"
        + " element being zeroed, got 1.5",
        message(() -> new LSTM(3, 4, 2, true, false, 1.5, false)));
  }

  private static String message(Runnable r) {
    return assertThrows(IllegalArgumentException.class, r::run).getMessage();
  }

  /**
   * The forward buffers belong to the instance: two threads running one LSTM get each call's
   * right output or the "two threads at once" error, never a mix of both calls.
   */
  @Test
  void twoThreadsOnOneInstanceNeverGetWrongNumbers() throws Exception {
    LSTM lstm = init(new LSTM(8, 32, 2), 1);
    Tensor x = Tensor.randn(new Generator(9), 60, 4, 8);
    float[] expected = lstm.forward(x).toFloatArray();
    List<String> wrong = new ArrayList<>();
    int[] refused = new int[1];
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      Thread thread = new Thread(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < 40; i++) {
          try {
            if (!java.util.Arrays.equals(expected, lstm.forward(x).toFloatArray())) {
              synchronized (wrong) {
                wrong.add("call " + i);
              }
            }
          } catch (IllegalStateException e) {
            assertTrue(e.getMessage().startsWith("LSTM: forward called from two threads"));
            synchronized (wrong) {
              refused[0]++;
            }
          }
        }
      });
      threads.add(thread);
      thread.start();
    }
    start.countDown();
    for (Thread thread : threads) {
      thread.join();
    }
    assertEquals(List.of(), wrong);
    assertTrue(java.util.Arrays.equals(expected, lstm.forward(x).toFloatArray()), "free again");
  }

  /** LSTM 2 x 64, seq 20, batch 4, in eval mode: no byte per forwardInto once warm. */
  @EnabledIfSystemProperty(named = "netspec.allocationTests", matches = "true",
      disabledReason = "JIT-dependent; run with -Dnetspec.allocationTests=true")
  @Test
  void forwardIntoAllocatesNothingOnceWarm() {
    LSTM lstm = init(new LSTM(32, 64, 2, true, true, 0, true), 1).eval();
    GRU gru = init(new GRU(32, 64, 2, true, false, 0, false), 1).eval();
    Tensor xb = Tensor.randn(new Generator(1), 4, 20, 32);
    Tensor xt = Tensor.randn(new Generator(1), 20, 4, 32);
    LSTM.Output lo = lstm.newOutput(xb);
    GRU.Output go = gru.newOutput(xt);
    Tensor h0 = Tensor.randn(new Generator(2), 2, 4, 64);
    long bytes = -1;
    for (int round = 0; round < 3_000 && bytes != 0; round++) {
      long before = THREADS.getCurrentThreadAllocatedBytes();
      for (int i = 0; i < 10; i++) {
        lstm.forwardInto(xb, null, null, lo);
        gru.forwardInto(xt, h0, go);
      }
      bytes = THREADS.getCurrentThreadAllocatedBytes() - before;
    }
    assertEquals(0, bytes);
  }

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
}
