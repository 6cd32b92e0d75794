package dev.netspec.compiler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Chains a layer's allocation-free form may run in one call ({@code relu(bn(conv(x)) + x)}),
 * written every way the forward language allows, and near-misses that must not run as one (a
 * broadcasting add, an activation the layer does not apply): generated, compiled and run in
 * eval mode in both forwards, against the chain computed by hand.
 */
class EpilogueTest {
  private static final String SPEC = """
      netspec: 1
      package: t.epi
      blocks:
        Both:
          input: [batch, 2, length]
          layers:
            conv: {conv1d: {in_channels: 2, out_channels: 2, kernel_size: 1}}
            bn: {batch_norm1d: 2}
          forward: relu(bn(conv(x)) + x)
        Left:
          input: [batch, 2, length]
          layers:
            conv: {conv1d: {in_channels: 2, out_channels: 2, kernel_size: 1}}
            bn: {batch_norm1d: 2}
          forward: relu(x + bn(conv(x)))
        Deferred:
          input: [batch, 2, length]
          layers:
            conv: {conv1d: {in_channels: 2, out_channels: 2, kernel_size: 1}}
            bn: {batch_norm1d: 2}
            act: relu
          forward: |
            h = bn(conv(x))
            s = h + x
            return act(s)
        AddOnly:
          input: [batch, 2, length]
          layers:
            conv: {conv1d: {in_channels: 2, out_channels: 2, kernel_size: 1}}
          forward: conv(x) + x
        NormOnly:
          input: [batch, 2, length]
          layers:
            conv: {conv1d: {in_channels: 2, out_channels: 2, kernel_size: 1}}
            bn: {batch_norm1d: 2}
          forward: bn(conv(x))
        Broadcast:
          input: [batch, 2, length]
          params:
            b: {shape: [2, 1], init: zeros}
          layers:
            conv: {conv1d: {in_channels: 2, out_channels: 2, kernel_size: 1}}
          forward: relu(conv(x) + b)
        NotFused:
          input: [batch, 2, length]
          layers:
            conv: {conv1d: {in_channels: 2, out_channels: 2, kernel_size: 1}}
            act: tanh
          forward: act(conv(x) + x)
        Dense:
          input: [batch, 2]
          layers:
            fc: {linear: 2}
            act: relu
            squash: tanh
          forward: |
            h = act(fc(x))
            return squash(fc(h)) + relu(fc(x) + h)
      """;

  private static ClassLoader loader;
  // the convolution's weight (out, in) and bias; the batch norm's weight, bias, running mean and variance
  private static final float[][] W = {{1f, -2f}, {0.5f, 3f}};
  private static final float[] B = {0.25f, -1f};
  private static final float[] G = {2f, 0.5f};
  private static final float[] BETA = {0.1f, -0.2f};
  private static final float[] MEAN = {0.5f, -1f};
  private static final float[] VAR = {4f, 0.25f};
  private static final float[][] X = {{1f, -2f, 0.5f}, {3f, 0f, -1f}};

  @BeforeAll
  static void compile() {
    loader = InMemoryJavac.compile(Specs.compileClean("epi.yaml", SPEC).files());
  }

  private static Module build(String block) throws ReflectiveOperationException {
    Module m = (Module) loader.loadClass("t.epi." + block).getConstructor().newInstance();
    Map<String, Tensor> state = new LinkedHashMap<>(m.stateDict());
    state.replaceAll((name, t) -> switch (name) {
      case "conv.weight" -> Tensor.of(W).reshape(2, 2, 1);
      case "conv.bias", "fc.bias" -> Tensor.of(B);
      case "fc.weight" -> Tensor.of(W);
      case "bn.weight" -> Tensor.of(G);
      case "bn.bias" -> Tensor.of(BETA);
      case "bn.running_mean" -> Tensor.of(MEAN);
      case "bn.running_var" -> Tensor.of(VAR);
      case "b" -> Tensor.of(new float[][] {{-0.5f}, {2f}});
      default -> t;
    });
    m.loadStateDict(state, true);
    return m.eval();
  }

  /** forward(x), checked against forward(x, output) into a buffer of NaNs. */
  private static float[] run(Module m, Tensor x) {
    float[] viaForward = m.forward(x).contiguous().toFloatArray();
    Tensor out = m.forward(x).clone().fill_(Float.NaN);
    assertArrayEquals(viaForward, m.forward(x, out).contiguous().toFloatArray(), 1e-6f, "forward(x, output)");
    return viaForward;
  }

  private static float[] run(String block) throws ReflectiveOperationException {
    Tensor x = Tensor.of(X).reshape(1, 2, 3);
    return run(build(block), x);
  }

  /** The 1x1 convolution of X, optionally normalized: out[c][t]. */
  private static double[][] conv(boolean norm) {
    double[][] y = new double[2][3];
    for (int c = 0; c < 2; c++) {
      for (int t = 0; t < 3; t++) {
        double v = B[c] + W[c][0] * X[0][t] + W[c][1] * X[1][t];
        y[c][t] = norm ? (v - MEAN[c]) / Math.sqrt(VAR[c] + 1e-5) * G[c] + BETA[c] : v;
      }
    }
    return y;
  }

  private static float[] flat(double[][] y, double[][] add, DoubleUnaryOperator act) {
    float[] out = new float[6];
    for (int c = 0; c < 2; c++) {
      for (int t = 0; t < 3; t++) {
        out[c * 3 + t] = (float) act.applyAsDouble(y[c][t] + (add == null ? 0 : add[c][t]));
      }
    }
    return out;
  }

  private static double[][] x() {
    double[][] x = new double[2][3];
    for (int c = 0; c < 2; c++) {
      for (int t = 0; t < 3; t++) {
        x[c][t] = X[c][t];
      }
    }
    return x;
  }

  private static final DoubleUnaryOperator RELU = v -> Math.max(v, 0);

  @Test
  void aNormAResidualAndAnActivationWrittenAnyWay() throws ReflectiveOperationException {
    float[] want = flat(conv(true), x(), RELU);
    assertArrayEquals(want, run("Both"), 1e-5f, "relu(bn(conv(x)) + x)");
    assertArrayEquals(want, run("Left"), 1e-5f, "relu(x + bn(conv(x)))");
    assertArrayEquals(want, run("Deferred"), 1e-5f, "through variables and a relu child");
    assertArrayEquals(flat(conv(false), x(), v -> v), run("AddOnly"), 1e-5f, "conv(x) + x");
    assertArrayEquals(flat(conv(true), null, v -> v), run("NormOnly"), 1e-5f, "bn(conv(x))");
  }

  @Test
  void nearMissesRunAsSeparateSteps() throws ReflectiveOperationException {
    double[][] b = {{-0.5, -0.5, -0.5}, {2, 2, 2}};
    assertArrayEquals(flat(conv(false), b, RELU), run("Broadcast"), 1e-5f, "relu(conv(x) + b), b broadcast");
    assertArrayEquals(flat(conv(false), x(), Math::tanh), run("NotFused"), 1e-5f, "tanh(conv(x) + x)");
  }

  @Test
  void aLinearLayerAppliesItsReluAndItsResidual() throws ReflectiveOperationException {
    float[][] x = {{1f, -2f}, {0.5f, 4f}};
    float[] want = new float[4];
    for (int r = 0; r < 2; r++) {
      double[] fx = new double[2];
      double[] h = new double[2];
      for (int o = 0; o < 2; o++) {
        fx[o] = B[o] + W[o][0] * x[r][0] + W[o][1] * x[r][1];
        h[o] = Math.max(fx[o], 0);
      }
      for (int o = 0; o < 2; o++) {
        double fh = B[o] + W[o][0] * h[0] + W[o][1] * h[1];
        want[r * 2 + o] = (float) (Math.tanh(fh) + Math.max(fx[o] + h[o], 0));
      }
    }
    assertArrayEquals(want, run(build("Dense"), Tensor.of(x)), 1e-5f);
  }
}
