package dev.netspec.runtime.nn;

import static dev.netspec.runtime.nn.Fixtures.list;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Python's repr of floats and tuples, against strings Python printed. */
class PyFormatTest {
  @Test
  void floatReprIsPythons() {
    List<Object> cases = list(Fixtures.load("modules.json").get("float_reprs"));
    assertEquals(28, cases.size());
    for (Object c : cases) {
      List<Object> pair = list(c);
      String hex = (String) pair.get(0);
      double x = hex.equals("inf") ? Double.POSITIVE_INFINITY
          : hex.equals("-inf") ? Double.NEGATIVE_INFINITY
          : hex.equals("nan") ? Double.NaN : Double.parseDouble(hex);
      assertEquals(pair.get(1), PyFormat.floatRepr(x), "repr of " + hex);
    }
  }

  @Test
  void tupleReprIsPythons() {
    assertEquals("(256,)", PyFormat.tuple(new int[] {256}));
    assertEquals("(2, 3)", PyFormat.tuple(new int[] {2, 3}));
    assertEquals("()", PyFormat.tuple(new int[0]));
  }
}
