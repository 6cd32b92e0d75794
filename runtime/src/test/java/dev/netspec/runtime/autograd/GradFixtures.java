package dev.netspec.runtime.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.nn.Fixtures;
import dev.netspec.runtime.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * Reads the JSON fixtures that {@code tools/fixtures/grad_fixtures.py} writes with PyTorch,
 * from {@code fixtures/grad/} on the test class path, and compares tensors against them.
 */
public final class GradFixtures {
  private GradFixtures() {}

  /** The parsed fixture {@code fixtures/grad/<name>}. */
  public static Map<String, Object> load(String name) {
    return Fixtures.load("grad", name, "grad_fixtures.py");
  }

  /** The cases named {@code name} of fixture {@code file} (at least one). */
  public static List<Map<String, Object>> cases(String file, String name) {
    List<Map<String, Object>> out = new java.util.ArrayList<>();
    for (Object c : list(load(file).get("cases"))) {
      if (name.equals(map(c).get("name"))) {
        out.add(map(c));
      }
    }
    if (out.isEmpty()) {
      throw new IllegalStateException("no fixture case " + name + " in " + file);
    }
    return out;
  }

  /** Input {@code i} of a case ({@code "inputs"}). */
  public static Tensor in(Map<String, Object> c, int i) {
    return tensor(list(c.get("inputs")).get(i));
  }

  /** PyTorch's gradient of input {@code i} of a case ({@code "grads"}). */
  public static Tensor grad(Map<String, Object> c, int i) {
    return tensor(list(c.get("grads")).get(i));
  }

  /** The upstream gradient {@code g} of a case: L = sum(y * g). */
  public static Tensor g(Map<String, Object> c) {
    return tensor(c.get("g"));
  }

  /** A JSON object of a fixture. */
  public static Map<String, Object> map(Object o) {
    return Fixtures.map(o);
  }

  /** A JSON array of a fixture. */
  public static List<Object> list(Object o) {
    return Fixtures.list(o);
  }

  /** A tensor written as {@code {"shape", "data": [float.hex()]}} or {@code "long": [...]}. */
  public static Tensor tensor(Object o) {
    Map<String, Object> m = map(o);
    int[] shape = list(m.get("shape")).stream().mapToInt(v -> ((Number) v).intValue()).toArray();
    if (m.containsKey("long")) {
      long[] values = list(m.get("long")).stream().mapToLong(v -> ((Number) v).longValue())
          .toArray();
      return Tensor.ofLongs(values, shape);
    }
    List<Object> data = list(m.get("data"));
    float[] values = new float[data.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = parse((String) data.get(i));
    }
    return Tensor.fromArray(values, shape);
  }

  /** A float written by {@code float.hex()} (also {@code nan}, {@code inf}). */
  public static float parse(String v) {
    switch (v) {
      case "nan":
        return Float.NaN;
      case "inf":
        return Float.POSITIVE_INFINITY;
      case "-inf":
        return Float.NEGATIVE_INFINITY;
      default:
        return (float) Double.parseDouble(v);
    }
  }

  /** A double written by {@code float.hex()}. */
  public static double parseDouble(Object v) {
    return Double.parseDouble((String) v);
  }

  /**
   * Asserts same shape and {@code |a - e| <= atol + rtol * |e|} everywhere, NaN exactly where
   * expected; the message names {@code what} and the first bad index.
   */
  public static void assertClose(Tensor expected, Tensor actual, double rtol, double atol,
      String what) {
    assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
    float[] e = expected.toFloatArray();
    float[] a = actual.toFloatArray();
    for (int i = 0; i < e.length; i++) {
      if (Float.isNaN(e[i])) {
        assertTrue(Float.isNaN(a[i]), what + ": [" + i + "] expected NaN, got " + a[i]);
        continue;
      }
      double tol = atol + rtol * Math.abs(e[i]);
      assertEquals(e[i], a[i], tol, what + ": [" + i + "] (tolerance " + tol + ")");
    }
  }
}
