package dev.netspec.runtime.nn;

import dev.netspec.runtime.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the JSON fixtures that {@code tools/fixtures/nn_fixtures.py} writes with PyTorch,
 * from {@code fixtures/nn/} on the test class path, as plain maps (in key order), lists,
 * strings, numbers, booleans and nulls.
 */
public final class Fixtures {
  private Fixtures() {}

  /** The parsed fixture {@code fixtures/nn/<name>}. */
  public static Map<String, Object> load(String name) {
    return load("nn", name, "nn_fixtures.py");
  }

  /**
   * The parsed fixture {@code fixtures/<folder>/<name>}, written by {@code
   * tools/fixtures/<script>}.
   */
  public static Map<String, Object> load(String folder, String name, String script) {
    String path = "/fixtures/" + folder + "/" + name;
    try (InputStream in = Fixtures.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing fixture " + path
            + ": run /usr/bin/python3 tools/fixtures/" + script);
      }
      return map(JsonMapper.builder().build().readValue(in, LinkedHashMap.class));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A JSON object of the fixture. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> map(Object o) {
    return (Map<String, Object>) o;
  }

  /** A JSON array of the fixture. */
  @SuppressWarnings("unchecked")
  public static List<Object> list(Object o) {
    return (List<Object>) o;
  }

  /** A shape written as a JSON list of ints. */
  public static int[] shape(Object o) {
    return list(o).stream().mapToInt(v -> ((Number) v).intValue()).toArray();
  }

  /** A tensor written as {@code {"shape": [...], "data": [float.hex(), ...]}}. */
  public static Tensor tensor(Object o) {
    Map<String, Object> m = map(o);
    List<Object> data = list(m.get("data"));
    float[] values = new float[data.size()];
    for (int i = 0; i < values.length; i++) {
      String v = (String) data.get(i);
      values[i] = v.equals("nan") ? Float.NaN : (float) Double.parseDouble(v); // float.hex()
    }
    return Tensor.fromArray(values, shape(m.get("shape")));
  }

  /** {@code [[name, shape], ...]} as an ordered map of name to shape. */
  public static Map<String, List<Integer>> shapes(Object o) {
    Map<String, List<Integer>> out = new LinkedHashMap<>();
    for (Object entry : list(o)) {
      List<Object> pair = list(entry);
      List<Integer> dims = new ArrayList<>();
      for (int d : shape(pair.get(1))) {
        dims.add(d);
      }
      out.put((String) pair.get(0), dims);
    }
    return out;
  }
}
