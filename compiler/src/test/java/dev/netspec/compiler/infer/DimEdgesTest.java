package dev.netspec.compiler.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The edges of {@link Dim} that the brute-force DimTest does not build: lazy dims, symbols
 * with no size or no Java expression, substitution into every kind of expression, and the
 * printed forms of negative products, each worked out by hand.
 */
class DimEdgesTest {
  private static final Dim H = new Dim.Sym("height");
  private static final Dim W = new Dim.Sym("width");
  private static final Dim STRIDE = new Dim.Sym("stride");
  private static final Dim LAZY = new Dim.Sym("?1");

  @Test
  void lazyDimsAreCompatibleWithAnythingAndAbsorbDivision() {
    assertTrue(LAZY.isLazy());
    assertFalse(H.isLazy());
    assertFalse(Dim.of(3).isLazy());
    assertEquals("?", LAZY.toString());
    assertEquals(-1, H.size());
    assertEquals(3, Dim.of(3).size());
    assertTrue(Dim.compatible(LAZY, Dim.of(3)));
    assertTrue(Dim.compatible(Dim.of(3), LAZY));
    assertTrue(Dim.compatible(H, H));
    assertFalse(Dim.compatible(H, Dim.of(3)));
    assertEquals(LAZY, Dim.floorDiv(LAZY, STRIDE));
    assertEquals(LAZY, Dim.floorDiv(H, LAZY));
    assertEquals(Dim.floorDiv(H, 2), Dim.floorDiv(H, Dim.of(2)));
  }

  @Test
  void evaluationNeedsEverySymbol() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Dim.plus(H, Dim.of(1)).eval(Map.of("width", 3L)));
    assertEquals("no size for height", e.getMessage());
    // floor division rounds down for negative numerators: floor(-7 / 2) = -4
    Dim q = Dim.floorDiv(Dim.minus(Dim.of(1), H), STRIDE);
    assertEquals(-4, q.eval(Map.of("height", 8L, "stride", 2L)));
    assertEquals(-3 * 5 * 2, Dim.times(Dim.times(Dim.of(-3), H), W).eval(Map.of("height", 5L, "width", 2L)));
  }

  @Test
  void substitutionReachesEveryKindOfExpression() {
    Function<String, Dim> sizes = n -> switch (n) {
      case "height" -> Dim.of(9);
      case "stride" -> Dim.of(4);
      default -> null;
    };
    assertEquals(Dim.of(9), H.substitute(sizes));
    assertEquals(W, W.substitute(sizes), "a symbol with no value is kept");
    assertEquals(Dim.of(11), Dim.plus(H, Dim.of(2)).substitute(sizes));
    assertEquals(Dim.of(27), Dim.times(Dim.of(3), H).substitute(sizes));
    assertEquals(Dim.of(4), Dim.floorDiv(H, 2).substitute(sizes)); // floor(9 / 2)
    assertEquals(Dim.of(2), Dim.floorDiv(Dim.minus(H, Dim.of(1)), STRIDE).substitute(sizes)); // 8 / 4
    assertEquals(Dim.plus(W, Dim.of(9)), Dim.plus(W, H).substitute(sizes));
    assertEquals(Dim.times(Dim.of(9), W), Dim.times(W, H).substitute(sizes));
  }

  @Test
  void javaFormIsNullWhenASymbolHasNoExpression() {
    Function<String, String> onlyHeight = n -> n.equals("height") ? "h" : null;
    assertNull(W.toJava(onlyHeight));
    assertNull(Dim.plus(H, W).toJava(onlyHeight));
    assertNull(Dim.times(H, W).toJava(onlyHeight));
    assertNull(Dim.floorDiv(W, 2).toJava(onlyHeight));
    assertNull(Dim.floorDiv(H, STRIDE).toJava(onlyHeight), "divisor without an expression");
    assertNull(Dim.floorDiv(W, H).toJava(onlyHeight), "numerator without an expression");
    assertEquals("Math.floorDiv(h, 2)", Dim.floorDiv(H, 2).toJava(onlyHeight));
  }

  @Test
  void negativeProductsPrintAsSubtraction() {
    Function<String, String> java = n -> n.substring(0, 1);
    Dim negH = Dim.minus(Dim.of(0), H);
    assertEquals("-height", negH.toString());
    assertEquals("-h", negH.toJava(java));
    assertEquals("-3*height", Dim.times(Dim.of(-3), H).toString());
    assertEquals("-3 * h", Dim.times(Dim.of(-3), H).toJava(java));
    assertEquals("h - 2", Dim.minus(H, Dim.of(2)).toJava(java));
    Dim diff = Dim.minus(W, H);
    assertEquals(2, diff.eval(Map.of("height", 3L, "width", 5L)));
    assertTrue(diff.toString().equals("width - height") || diff.toString().equals("-height + width"),
        diff.toString());
    assertEquals("(-height) / 2", Dim.floorDiv(negH, 2).toString());
    assertEquals(-2, Dim.floorDiv(negH, 2).eval(Map.of("height", 3L))); // floor(-1.5)
  }
}
