package dev.netspec.runtime.tensor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Reads the PyTorch fixtures made by {@code tools/fixtures/tensor_fixtures.py}. */
final class Fixtures {
  private Fixtures() {}

  static JsonNode load(String name) {
    String path = "/fixtures/tensor/" + name;
    try (InputStream in = Fixtures.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing fixture " + path
            + "; run /usr/bin/python3 tools/fixtures/tensor_fixtures.py");
      }
      return JsonMapper.builder().build().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A tensor from {@code {"shape": [...], "values": [...]}}. */
  static Tensor tensor(JsonNode node) {
    JsonNode shapeNode = node.get("shape");
    int[] shape = new int[shapeNode.size()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = shapeNode.get(i).asInt();
    }
    JsonNode valueNode = node.get("values");
    float[] values = new float[valueNode.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = value(valueNode.get(i));
    }
    return Tensor.fromArray(values, shape);
  }

  /**
   * A tensor from {@code {"dtype": "int64" | "float32", "shape": [...], "values": [...]}}, as
   * {@code tools/fixtures/token_fixtures.py} writes them; with {@code "transpose": [a, b]} the
   * values are the contiguous base of a transposed view, which is returned.
   */
  static Tensor typed(JsonNode node) {
    Tensor t;
    if (node.get("dtype").asString().equals("int64")) {
      JsonNode valueNode = node.get("values");
      long[] values = new long[valueNode.size()];
      for (int i = 0; i < values.length; i++) {
        values[i] = valueNode.get(i).asLong();
      }
      t = Tensor.ofLongs(values, tensor(node).shape());
    } else {
      t = tensor(node);
    }
    JsonNode tr = node.get("transpose");
    return tr == null ? t : t.transpose(tr.get(0).asInt(), tr.get(1).asInt());
  }

  static float value(JsonNode v) {
    if (v.isNumber()) {
      return (float) v.asDouble();
    }
    switch (v.asString()) {
      case "nan":
        return Float.NaN;
      case "inf":
        return Float.POSITIVE_INFINITY;
      case "-inf":
        return Float.NEGATIVE_INFINITY;
      default:
        throw new IllegalArgumentException("bad fixture value " + v);
    }
  }
}
