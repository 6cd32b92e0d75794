package dev.netspec.compiler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.tensor.Tensor;
import java.lang.reflect.RecordComponent;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Unpacking a layer's tuple ({@code out, (h, c) = lstm(x)}, {@code out, w = attn(x, x, x)})
 * and returning a tuple, in the allocating forward and in the allocation-free one that writes
 * into the caller's {@code Output}: generated, compiled and run against PyTorch's equations
 * (LSTM gates i, f, g, o; attention softmax(q k^T / sqrt(E)) v) worked out by hand for a
 * one-unit LSTM and a one-head attention whose projections are the identity.
 */
class TupleUnpackTest {
  private static final String SPEC = """
      netspec: 1
      package: t.tup
      blocks:
        Cell:
          input: [seq, batch, 1]
          layers:
            lstm: {lstm: {input_size: 1, hidden_size: 1}}
          forward: |
            out, (h, c) = lstm(x)
            again, (_, c2) = lstm(x, (h, c))
            return out + 10 * h, c, again + c2
        Attend:
          input: [seq, batch, 2]
          layers:
            attn: {multihead_attention: {embed_dim: 2, num_heads: 1}}
          forward: |
            out, w = attn(x, x, x)
            plain, _ = attn(x, x, x, need_weights=False)
            return out + plain, w
      """;
  // the LSTM's weights, gates in PyTorch's order i, f, g, o
  private static final float[] WIH = {0.5f, -0.25f, 1f, 0.75f};
  private static final float[] WHH = {0.3f, 0.6f, -0.4f, 0.2f};
  private static final float[] BIH = {0.1f, 0.2f, 0f, -0.1f};
  private static final float[] BHH = {0f, 0.3f, 0.05f, 0.1f};
  private static final float[] XS = {1f, -2f, 0.5f}; // seq 3, batch 1

  private static ClassLoader loader;
  private static Map<String, String> sources = new LinkedHashMap<>();

  @BeforeAll
  static void compile() {
    Compilation c = Specs.compileClean("tup.yaml", SPEC);
    c.files().forEach(f -> sources.put(f.relativePath(), f.content()));
    loader = InMemoryJavac.compile(c.files());
  }

  private static Module build(String block, Map<String, Tensor> weights) throws ReflectiveOperationException {
    Module m = (Module) loader.loadClass("t.tup." + block).getConstructor().newInstance();
    Map<String, Tensor> state = new LinkedHashMap<>(m.stateDict());
    state.putAll(weights);
    m.loadStateDict(state, true);
    return m.eval();
  }

  /** The tuple from forwardTuple(x), checked against forwardTupleInto(x, output) into buffers of NaNs. */
  private static float[][] run(Module m, Tensor x) throws ReflectiveOperationException {
    Object tuple = m.getClass().getMethod("forwardTuple", Tensor.class).invoke(m, x);
    RecordComponent[] parts = tuple.getClass().getRecordComponents();
    float[][] values = new float[parts.length][];
    Tensor[] buffers = new Tensor[parts.length];
    Class<?>[] types = new Class<?>[parts.length];
    for (int i = 0; i < parts.length; i++) {
      Tensor t = (Tensor) parts[i].getAccessor().invoke(tuple);
      values[i] = t.contiguous().toFloatArray();
      buffers[i] = t.clone().fill_(Float.NaN);
      types[i] = Tensor.class;
    }
    Object output = tuple.getClass().getConstructor(types).newInstance((Object[]) buffers);
    m.getClass().getMethod("forwardTupleInto", Tensor.class, tuple.getClass()).invoke(m, x, output);
    for (int i = 0; i < parts.length; i++) {
      assertArrayEquals(values[i], ((Tensor) parts[i].getAccessor().invoke(output)).contiguous().toFloatArray(),
          1e-6f, "forwardTupleInto, " + parts[i].getName());
    }
    return values;
  }

  @Test
  void theAllocationFreeForwardCallsTheLayersAllocationFreeForms() {
    // LSTM.forwardInto(x, h0, c0, result) and MultiheadAttention.forwardInto(q, k, v, keyPaddingMask,
    // attnMask, [needWeights,] result): the runtime's forms that write into buffers made once
    String cell = sources.get("t/tup/Cell.java");
    assertTrue(cell.contains("lstm.forwardInto(x, null, null, lstmResult);"), cell);
    assertTrue(cell.contains("lstm.forwardInto(x, h, c, lstmResult_);"), cell);
    String attend = sources.get("t/tup/Attend.java");
    assertTrue(attend.contains("attn.forwardInto(x, x, x, null, null, true, attnResult);"), attend);
    assertTrue(attend.contains("attn.forwardInto(x, x, x, null, null, attnOutput"), attend);
  }

  private static double sigmoid(double v) {
    return 1 / (1 + Math.exp(-v));
  }

  /** One LSTM step from (h, c) = state on input x: the new {h, c}. */
  private static double[] step(double x, double[] state) {
    double[] gate = new double[4];
    for (int k = 0; k < 4; k++) {
      gate[k] = WIH[k] * x + BIH[k] + WHH[k] * state[0] + BHH[k];
    }
    double c = sigmoid(gate[1]) * state[1] + sigmoid(gate[0]) * Math.tanh(gate[2]);
    return new double[] {sigmoid(gate[3]) * Math.tanh(c), c};
  }

  @Test
  void anLstmsOutputAndStateUnpackedAndPassedOn() throws ReflectiveOperationException {
    Module m = build("Cell", Map.of("lstm.weight_ih_l0", Tensor.of(WIH).reshape(4, 1),
        "lstm.weight_hh_l0", Tensor.of(WHH).reshape(4, 1), "lstm.bias_ih_l0", Tensor.of(BIH),
        "lstm.bias_hh_l0", Tensor.of(BHH)));
    double[] state = {0, 0};
    double[] out = new double[3];
    for (int t = 0; t < 3; t++) {
      state = step(XS[t], state);
      out[t] = state[0];
    }
    double[] first = state.clone();
    double[] again = new double[3];
    for (int t = 0; t < 3; t++) { // the second run starts from the first's final state
      state = step(XS[t], state);
      again[t] = state[0];
    }
    float[][] got = run(m, Tensor.of(XS).reshape(3, 1, 1));
    float[] want0 = new float[3];
    float[] want2 = new float[3];
    for (int t = 0; t < 3; t++) {
      want0[t] = (float) (out[t] + 10 * first[0]);
      want2[t] = (float) (again[t] + state[1]);
    }
    assertArrayEquals(want0, got[0], 1e-5f, "out + 10 * h");
    assertArrayEquals(new float[] {(float) first[1]}, got[1], 1e-5f, "c");
    assertArrayEquals(want2, got[2], 1e-5f, "again + c2");
  }

  @Test
  void attentionsOutputAndWeightsUnpackedWithAndWithoutWeights() throws ReflectiveOperationException {
    float[][] eye3 = {{1, 0}, {0, 1}, {1, 0}, {0, 1}, {1, 0}, {0, 1}};
    Module m = build("Attend", Map.of("attn.in_proj_weight", Tensor.of(eye3),
        "attn.in_proj_bias", Tensor.zeros(6), "attn.out_proj.weight", Tensor.of(new float[][] {{1, 0}, {0, 1}}),
        "attn.out_proj.bias", Tensor.zeros(2)));
    float[][] x = {{1f, 0f}, {0f, 2f}, {-1f, 1f}}; // seq 3, batch 1, embed 2
    double[][] w = new double[3][3];
    double[][] out = new double[3][2];
    for (int i = 0; i < 3; i++) {
      double total = 0;
      for (int j = 0; j < 3; j++) {
        w[i][j] = Math.exp((x[i][0] * x[j][0] + x[i][1] * x[j][1]) / Math.sqrt(2));
        total += w[i][j];
      }
      for (int j = 0; j < 3; j++) {
        w[i][j] /= total;
        out[i][0] += w[i][j] * x[j][0];
        out[i][1] += w[i][j] * x[j][1];
      }
    }
    float[][] got = run(m, Tensor.of(x).reshape(3, 1, 2));
    float[] wantOut = new float[6];
    float[] wantW = new float[9];
    for (int i = 0; i < 3; i++) {
      wantOut[2 * i] = (float) (2 * out[i][0]);
      wantOut[2 * i + 1] = (float) (2 * out[i][1]);
      for (int j = 0; j < 3; j++) {
        wantW[3 * i + j] = (float) w[i][j];
      }
    }
    assertArrayEquals(wantOut, got[0], 1e-5f, "out + plain");
    assertArrayEquals(wantW, got[1], 1e-5f, "the weights, (batch, L, S)");
  }
}
