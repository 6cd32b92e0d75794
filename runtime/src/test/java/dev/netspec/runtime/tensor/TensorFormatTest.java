package dev.netspec.runtime.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import tools.jackson.databind.JsonNode;

/** {@code toString()} against {@code repr(t)} from PyTorch 1.13, one test per fixture case. */
class TensorFormatTest {
  @TestFactory
  List<DynamicTest> printsExactlyAsPyTorch() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : Fixtures.load("repr.json").get("cases")) {
      tests.add(DynamicTest.dynamicTest(c.get("name").asString(), () -> {
        Tensor t = Fixtures.tensor(c);
        String suffix = c.has("suffix") ? ", " + c.get("suffix").asString() : "";
        assertEquals(c.get("repr").asString(), TensorFormat.format(t, suffix));
        if (suffix.isEmpty()) {
          assertEquals(c.get("repr").asString(), t.toString());
        }
      }));
    }
    return tests;
  }

  @Test
  void printsViewsByTheirValues() {
    // weight[:2] of a 3x2 weight, and a transposed view: values, not storage, are printed.
    Tensor w = Tensor.of(new float[][] {{1.5f, -2f}, {0.25f, 4f}, {9f, 9f}});
    assertEquals("tensor([[ 1.5000, -2.0000],\n        [ 0.2500,  4.0000]])",
        w.slice(0, 0, 2).toString());
    assertEquals("tensor([[ 1.5000,  0.2500,  9.0000],\n        [-2.0000,  4.0000,  9.0000]])",
        w.t().toString());
  }

  @Test
  void rejectsASuffixWithoutItsSeparator() {
    assertThrows(IllegalArgumentException.class,
        () -> TensorFormat.format(Tensor.of(1f), "requires_grad=True"));
  }

  @Test
  void formatsSuffixListsLikePyTorch() {
    assertEquals("tensor([1., 2.], requires_grad=True)",
        TensorFormat.format(Tensor.of(1f, 2f), List.of("requires_grad=True")));
  }
}
