package dev.netspec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.nn.Linear;
import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.nn.ReLU;
import dev.netspec.runtime.nn.Sequential;
import dev.netspec.runtime.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A {@code repeat} is built and run in loops over its copies: a repeat at the documented
 * limit (4096 copies of a two-layer block) compiles with javac and runs (unrolled, its
 * constructor and forwards were past the JVM's 64 KB method limit: "code too large"), and
 * the copies keep the names, state dict and repr of children added one by one. Every output
 * is checked against the chain computed by hand from the state dict.
 */
class RepeatLoopTest {
  private static final String SPEC = """
      netspec: 1
      package: com.example.deep
      blocks:
        Layer:
          sequential: [{linear: 8}, relu]
        Deep:
          input: [batch, 8]
          init:
            linear.weight: {normal: {mean: 0, std: 0.01}}
            linear.bias: {constant: 0.5}
          sequential:
            - {repeat: 4096, name: "layer{i}", layer: Layer}
        Odd:
          input: [batch, 4]
          sequential:
            - {linear: 8}
            - {repeat: 3, layer: {linear: 8, init: {bias: zeros}}}
            - relu
            - {repeat: 5, layer: Layer}
            - {linear: 2}
        FirstDiffers:
          input: [batch, 4]
          sequential:
            - {repeat: 3, layer: {linear: 8}}
        Inline:
          input: [batch, 4]
          layers:
            blocks: {sequential: [{linear: 8}, {repeat: 4096, layer: Layer}, {linear: 4}]}
            list: {module_list: {repeat: 4096, layer: {linear: 4}}}
          forward: |
            x = blocks(x)
            for layer in list:
              x = layer(x)
            return x
      """;

  private static ClassLoader loader;

  @BeforeAll
  static void compile() {
    Compilation c = Specs.compileClean("deep.yaml", SPEC);
    loader = InMemoryJavac.compile(c.files()); // fails on any javac diagnostic
  }

  private static Module build(String block) throws ReflectiveOperationException {
    return (Module) loader.loadClass("com.example.deep." + block).getConstructor().newInstance();
  }

  @Test
  void theDocumentedLimitCompilesAndRuns() throws Exception {
    Module deep = build("Deep").eval();
    Map<String, Tensor> state = deep.stateDict();
    assertEquals(4096 * 2, state.size()); // each copy: 0.weight, 0.bias
    assertEquals(List.of("layer0.0.weight", "layer0.0.bias"), new ArrayList<>(state.keySet()).subList(0, 2));
    assertTrue(state.containsKey("layer4095.0.bias"));
    // The rules reach all 8192 parameters (past one method's 64 KB of initializers).
    assertEquals(0.5f, state.get("layer4095.0.bias").get(7));
    assertEquals(0.5f, state.get("layer0.0.bias").get(0));
    double squares = 0;
    for (int i = 0; i < 4096; i++) {
      squares += state.get("layer" + i + ".0.weight").mul(state.get("layer" + i + ".0.weight")).sum().item();
    }
    assertEquals(0.01, Math.sqrt(squares / (4096 * 64)), 0.0005); // 262,144 draws of std 0.01

    // Permutations and small biases keep the values alive through 4096 layers, exactly.
    SplittableRandom random = new SplittableRandom(7);
    Map<String, Tensor> weights = new LinkedHashMap<>();
    List<float[][]> w = new ArrayList<>();
    List<float[]> b = new ArrayList<>();
    for (int i = 0; i < 4096; i++) {
      float[][] wi = permutation(8, random);
      float[] bi = new float[8];
      for (int j = 0; j < 8; j++) {
        bi[j] = (float) (random.nextDouble() * 0.02 - 0.01);
      }
      w.add(wi);
      b.add(bi);
      weights.put("layer" + i + ".0.weight", matrix(wi));
      weights.put("layer" + i + ".0.bias", Tensor.fromArray(bi, 8));
    }
    deep.loadStateDict(weights, true);
    Tensor x = Tensor.fromArray(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 8, 7, 6, 5, 4, 3, 2, 1}, 2, 8);
    float[][] expected = rows(x);
    for (int i = 0; i < 4096; i++) {
      expected = linear(expected, w.get(i), b.get(i), true);
    }
    assertClose(expected, deep.forward(x));
    assertClose(expected, deep.forward(x, Tensor.zeros(2, 8)));
    assertClose(expected, deep.forward(x)); // the buffers again, warm
  }

  @Test
  void runsOfAnyLengthAroundOtherLayersMatchTheChainByHand() throws Exception {
    Module odd = build("Odd").eval();
    loadSmallWeights(odd);
    Map<String, Tensor> s = odd.stateDict();
    Tensor x = Tensor.fromArray(new float[] {0.5f, -1, 2, 0.25f, 1, 1, -2, 3}, 2, 4);
    float[][] h = rows(x);
    h = linear(h, s, "0", false);
    for (String k : List.of("1", "2", "3")) {
      h = linear(h, s, k, false);
    }
    h = relu(h);
    for (int k = 5; k <= 9; k++) {
      h = linear(h, s, k + ".0", true);
    }
    h = linear(h, s, "10", false);
    assertClose(h, odd.forward(x));
    assertClose(h, odd.forward(x, Tensor.zeros(2, 2)));
  }

  @Test
  void copiesKeepTheNamesAndReprOfChildrenAddedOneByOne() throws Exception {
    Module odd = build("Odd");
    Sequential layer = new Sequential(new Linear(8, 8), new ReLU());
    Sequential byHand = new Sequential(new Linear(4, 8), new Linear(8, 8), new Linear(8, 8), new Linear(8, 8),
        new ReLU());
    for (int i = 0; i < 5; i++) {
      byHand.append(new Sequential(new Linear(8, 8), new ReLU()));
    }
    byHand.append(new Linear(8, 2));
    assertEquals(byHand.toString(), odd.toString());
    assertEquals(byHand.stateDict().keySet(), odd.stateDict().keySet());
    assertTrue(layer.toString().startsWith("Sequential("));

    // The init rule of the repeated layer reaches every copy.
    for (String k : List.of("1", "2", "3")) {
      assertEquals(0f, odd.stateDict().get(k + ".bias").abs().sum().item(), k);
    }
  }

  @Test
  void aFirstCopyThatTakesTheInputsFeaturesIsBuiltApart() throws Exception {
    Module m = build("FirstDiffers").eval();
    Map<String, Tensor> s = m.stateDict();
    assertEquals(List.of(8, 4), List.of(s.get("0.weight").shape()[0], s.get("0.weight").shape()[1]));
    assertEquals(List.of(8, 8), List.of(s.get("2.weight").shape()[0], s.get("2.weight").shape()[1]));
    loadSmallWeights(m);
    s = m.stateDict();
    Tensor x = Tensor.fromArray(new float[] {1, -2, 3, -4}, 1, 4);
    float[][] h = rows(x);
    for (String k : List.of("0", "1", "2")) {
      h = linear(h, s, k, false);
    }
    assertClose(h, m.forward(x));
    assertClose(h, m.forward(x, Tensor.zeros(1, 8)));
  }

  @Test
  void inlineSequentialsAndModuleListsAtTheLimitAreBuiltInLoops() throws Exception {
    Module m = build("Inline").eval();
    Map<String, Tensor> s = m.stateDict();
    assertEquals(2 * (1 + 4096 + 1 + 4096), s.size());
    assertEquals(List.of(4, 4), List.of(s.get("list.0.weight").shape()[0], s.get("list.0.weight").shape()[1]));
    assertEquals(List.of(4, 4), List.of(s.get("list.4095.weight").shape()[0], s.get("list.4095.weight").shape()[1]));
    assertEquals(List.of(4, 8), List.of(s.get("blocks.4097.weight").shape()[0], s.get("blocks.4097.weight").shape()[1]));
    assertTrue(m.toString().contains("(4096): Sequential(\n      (0): Linear(in_features=8, out_features=8, bias=True)"),
        m.toString().substring(0, 300));
    Tensor x = Tensor.fromArray(new float[] {1, -2, 3, -4}, 1, 4);
    assertEquals(List.of(1, 4), List.of(m.forward(x).shape()[0], m.forward(x).shape()[1]));
  }

  // ---------------------------------------------------------------- by hand

  private static void loadSmallWeights(Module m) {
    Map<String, Tensor> state = new LinkedHashMap<>();
    m.stateDict().forEach((name, t) -> {
      float[] v = new float[(int) t.numel()];
      for (int k = 0; k < v.length; k++) {
        v[k] = (float) (Math.sin(0.7 * k + name.hashCode() % 13) * 0.4);
      }
      state.put(name, Tensor.fromArray(v, t.shape()));
    });
    m.loadStateDict(state, true);
  }

  private static float[][] permutation(int n, SplittableRandom random) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    float[][] w = new float[n][n];
    for (int i = 0; i < n; i++) {
      w[i][p[i]] = 1;
    }
    return w;
  }

  private static Tensor matrix(float[][] w) {
    float[] flat = new float[w.length * w[0].length];
    for (int i = 0; i < w.length; i++) {
      System.arraycopy(w[i], 0, flat, i * w[0].length, w[0].length);
    }
    return Tensor.fromArray(flat, w.length, w[0].length);
  }

  private static float[][] rows(Tensor t) {
    float[][] out = new float[t.size(0)][t.size(1)];
    for (int i = 0; i < out.length; i++) {
      for (int j = 0; j < out[0].length; j++) {
        out[i][j] = t.get(i, j);
      }
    }
    return out;
  }

  private static float[][] linear(float[][] x, Map<String, Tensor> s, String prefix, boolean relu) {
    return linear(x, rows(s.get(prefix + ".weight")), s.get(prefix + ".bias").toFloatArray(), relu);
  }

  /** {@code x @ w.T + b} in double, then relu if asked. */
  private static float[][] linear(float[][] x, float[][] w, float[] b, boolean relu) {
    float[][] y = new float[x.length][w.length];
    for (int r = 0; r < x.length; r++) {
      for (int o = 0; o < w.length; o++) {
        double acc = b[o];
        for (int i = 0; i < w[o].length; i++) {
          acc += (double) w[o][i] * x[r][i];
        }
        y[r][o] = (float) (relu ? Math.max(0, acc) : acc);
      }
    }
    return y;
  }

  private static float[][] relu(float[][] x) {
    float[][] y = new float[x.length][];
    for (int r = 0; r < x.length; r++) {
      y[r] = x[r].clone();
      for (int j = 0; j < y[r].length; j++) {
        y[r][j] = Math.max(0, y[r][j]);
      }
    }
    return y;
  }

  private static void assertClose(float[][] expected, Tensor actual) {
    assertEquals(expected.length, actual.size(0));
    assertEquals(expected[0].length, actual.size(1));
    boolean alive = false;
    for (int r = 0; r < expected.length; r++) {
      for (int j = 0; j < expected[0].length; j++) {
        float e = expected[r][j];
        alive |= e != 0;
        assertEquals(e, actual.get(r, j), 1e-4 * Math.max(1, Math.abs(e)), "row " + r + ", column " + j);
      }
    }
    assertTrue(alive, "the expected values are not all zero");
  }
}
