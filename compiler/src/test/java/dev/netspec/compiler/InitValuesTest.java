package dev.netspec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.tensor.Tensor;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Initializers written in a spec give the values torch.nn.init gives: the degenerate ranges
 * PyTorch accepts ({@code normal_(std=0)} is the mean, {@code uniform_(a, a)} is a) are
 * accepted and exact, and omitted arguments take PyTorch's defaults (mean 0, std 1; low 0,
 * high 1).
 */
class InitValuesTest {
  private static final String SPEC = """
      netspec: 1
      package: com.example.initvalues
      blocks:
        Net:
          input: [batch, 64]
          init:
            d.bias: {uniform: {low: -3}}
          layers:
            a: {linear: 64, init: {weight: {normal: {mean: 0.5, std: 0}}, bias: {uniform: {low: 2, high: 2}}}}
            b: {linear: 64, init: {weight: {constant: -2.5}, bias: ones}}
            c: {linear: 64, init: {weight: normal, bias: {uniform: {high: 0}}}}
            d: {linear: 64, init: {weight: uniform}}
          forward: d(c(b(a(x))))
      """;

  private static Map<String, Tensor> state;

  @BeforeAll
  static void build() throws ReflectiveOperationException {
    ClassLoader loader = InMemoryJavac.compile(Specs.compileClean("initvalues.yaml", SPEC).files());
    Module net = (Module) loader.loadClass("com.example.initvalues.Net")
        .getConstructor(long.class).newInstance(7L);
    state = net.stateDict();
  }

  private static float[] values(String name) {
    return state.get(name).toFloatArray();
  }

  private static void assertAll(float expected, String name) {
    for (float v : values(name)) {
      assertEquals(expected, v, 0f, name);
    }
  }

  @Test
  void degenerateRangesAreExact() {
    assertAll(0.5f, "a.weight");
    assertAll(2f, "a.bias");
    assertAll(-2.5f, "b.weight");
    assertAll(1f, "b.bias");
  }

  @Test
  void omittedArgumentsTakePyTorchsDefaults() {
    float[] w = values("c.weight");
    double mean = 0;
    double sq = 0;
    for (float v : w) {
      mean += v;
      sq += (double) v * v;
    }
    mean /= w.length;
    double std = Math.sqrt(sq / w.length - mean * mean);
    // 4,096 draws of N(0, 1): the sample mean's standard error is 1/64, the std's ~0.011.
    assertEquals(0, mean, 0.07, "normal's default mean");
    assertEquals(1, std, 0.06, "normal's default std");
    assertRange(values("c.bias"), 0, 0, "uniform with only high: 0 is U(0, 0)");
    assertRange(values("d.weight"), 0, 1, "uniform's default range");
    assertRange(values("d.bias"), -3, 1, "a rule's uniform with only low");
  }

  private static void assertRange(float[] values, double low, double high, String what) {
    float min = Float.MAX_VALUE;
    float max = -Float.MAX_VALUE;
    for (float v : values) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    assertTrue(min >= low && max <= high, what + ": [" + min + ", " + max + "]");
    // 64 or 4,096 uniform draws spread over more than half of a non-empty range.
    assertTrue(high == low || max - min > (high - low) / 2, what + ": [" + min + ", " + max + "]");
  }
}
