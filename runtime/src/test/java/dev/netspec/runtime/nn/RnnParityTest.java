package dev.netspec.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * LSTM and GRU against PyTorch 1.13 ({@code tools/fixtures/rnn_fixtures.py}, {@code
 * fixtures/nn/rnn.json}): for each case the repr, the state dict's keys and shapes, and, with
 * PyTorch's weights loaded strictly, the output and final states within 1e-5 through every
 * entry point ({@code forwardWithState}, {@code forward(x)}, {@code forward(x, out)} and
 * {@code forwardInto} twice into the same tensors).
 */
class RnnParityTest {
  private static final double TOL = 1e-5;
  private static final Map<String, Object> FIXTURE = Fixtures.load("rnn.json");

  @TestFactory
  Stream<DynamicTest> runsLikePyTorch() {
    return Fixtures.list(FIXTURE.get("cases")).stream().map(Fixtures::map)
        .map(c -> DynamicTest.dynamicTest(c.get("kind") + " " + c.get("name"), () -> check(c)));
  }

  @TestFactory
  Stream<DynamicTest> reprsAndStateDictsMatch() {
    return Fixtures.list(FIXTURE.get("reprs")).stream().map(Fixtures::map).map(r ->
        DynamicTest.dynamicTest((String) r.get("repr"), () -> {
          Map<String, Object> kw = Fixtures.map(r.get("kwargs"));
          int[] args = Fixtures.shape(r.get("args"));
          RNNBase m = build((String) r.get("kind"), args[0], args[1],
              ((Number) kw.getOrDefault("num_layers", 1)).intValue(),
              (Boolean) kw.getOrDefault("bias", true),
              (Boolean) kw.getOrDefault("batch_first", false),
              ((Number) kw.getOrDefault("dropout", 0)).doubleValue(),
              (Boolean) kw.getOrDefault("bidirectional", false));
          assertEquals(r.get("repr"), m.toString());
          assertEquals(Fixtures.shapes(r.get("state_dict")), shapes(m.stateDict()));
        }));
  }

  static RNNBase build(String kind, int in, int hidden, int layers, boolean bias,
      boolean batchFirst, double dropout, boolean bidirectional) {
    return kind.equals("lstm")
        ? new LSTM(in, hidden, layers, bias, batchFirst, dropout, bidirectional)
        : new GRU(in, hidden, layers, bias, batchFirst, dropout, bidirectional);
  }

  private static void check(Map<String, Object> c) {
    Map<String, Object> a = Fixtures.map(c.get("args"));
    RNNBase m = build((String) c.get("kind"), (Integer) a.get("input_size"),
        (Integer) a.get("hidden_size"), (Integer) a.get("num_layers"), (Boolean) a.get("bias"),
        (Boolean) a.get("batch_first"), ((Number) a.get("dropout")).doubleValue(),
        (Boolean) a.get("bidirectional")).eval();
    assertEquals(c.get("repr"), m.toString());
    assertEquals(Fixtures.shapes(c.get("state_dict")), shapes(m.stateDict()));
    Map<String, Tensor> weights = new LinkedHashMap<>();
    Fixtures.map(c.get("weights")).forEach((k, v) -> weights.put(k, Fixtures.tensor(v)));
    m.loadStateDict(weights, true);

    Tensor x = Fixtures.tensor(c.get("x"));
    Tensor h0 = c.containsKey("h0") ? Fixtures.tensor(c.get("h0")) : null;
    Tensor c0 = c.containsKey("c0") ? Fixtures.tensor(c.get("c0")) : null;
    Tensor output = Fixtures.tensor(c.get("output"));
    Tensor hN = Fixtures.tensor(c.get("h_n"));
    if (m instanceof LSTM lstm) {
      Tensor cN = Fixtures.tensor(c.get("c_n"));
      LSTM.Output got = lstm.forwardWithState(x, h0, c0);
      assertOutputs(output, hN, cN, got.output(), got.hN(), got.cN());
      LSTM.Output into = lstm.newOutput(x);
      for (int round = 0; round < 2; round++) {
        assertSame(into, lstm.forwardInto(x, h0, c0, into));
        assertOutputs(output, hN, cN, into.output(), into.hN(), into.cN());
      }
    } else {
      GRU gru = (GRU) m;
      GRU.Output got = gru.forwardWithState(x, h0);
      assertOutputs(output, hN, null, got.output(), got.hN(), null);
      GRU.Output into = gru.newOutput(x);
      for (int round = 0; round < 2; round++) {
        assertSame(into, gru.forwardInto(x, h0, into));
        assertOutputs(output, hN, null, into.output(), into.hN(), null);
      }
    }
    if (h0 == null) {
      assertClose("forward(x)", output, m.forward(x));
      Tensor out = Tensor.full(Float.NaN, output.shape());
      assertSame(out, m.forward(x, out));
      assertClose("forward(x, out)", output, out);
    }
  }

  private static void assertOutputs(Tensor output, Tensor hN, Tensor cN, Tensor gotOutput,
      Tensor gotHN, Tensor gotCN) {
    assertClose("output", output, gotOutput);
    assertClose("h_n", hN, gotHN);
    if (cN != null) {
      assertClose("c_n", cN, gotCN);
    }
  }

  static void assertClose(String what, Tensor want, Tensor got) {
    assertEquals(List.of(box(want.shape())), List.of(box(got.shape())), what + " shape");
    float[] w = want.toFloatArray();
    float[] g = got.toFloatArray();
    double worst = 0;
    int at = -1;
    for (int i = 0; i < w.length; i++) {
      double d = Math.abs((double) w[i] - g[i]);
      if (!(d <= worst)) {
        worst = d;
        at = i;
      }
    }
    double max = worst;
    int where = at;
    assertTrue(max <= TOL, () -> what + ": max |diff| " + max + " > " + TOL + " at " + where
        + " (PyTorch " + w[where] + ", got " + g[where] + ")");
  }

  private static List<Integer> box(int[] shape) {
    List<Integer> out = new ArrayList<>();
    for (int d : shape) {
      out.add(d);
    }
    return out;
  }

  private static Map<String, List<Integer>> shapes(Map<String, Tensor> state) {
    Map<String, List<Integer>> out = new LinkedHashMap<>();
    state.forEach((k, v) -> out.put(k, box(v.shape())));
    return out;
  }
}
