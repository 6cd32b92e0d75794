package dev.netspec.compiler.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link DimAlgebra} at the edges the random DimTest rarely builds: products at the int limit,
 * coefficients multiplied, exact quotients by known and negative divisors (and the inexact ones
 * that must give null), and the order of a sum's parts. Every expected value is worked out by hand.
 */
class DimAlgebraTest {
  private static final Dim H = new Dim.Sym("height");
  private static final Dim W = new Dim.Sym("width");
  private static final Map<String, Long> AT = Map.of("height", 5L, "width", 7L);

  private static Dim times(long k, Dim d) {
    return Dim.times(Dim.of((int) k), d);
  }

  @Test
  void knownProductsStayKnownUpToTheIntLimit() {
    // 2^31 - 1 is prime: 1 * (2^31 - 1) is the largest product that is still a size
    assertEquals(Dim.of(Integer.MAX_VALUE), Dim.times(Dim.of(1), Dim.of(Integer.MAX_VALUE)));
    assertEquals(Dim.of(2147418112), Dim.times(Dim.of(65536), Dim.of(32767)));
    // 46341^2 = 2,147,488,281 does not fit: kept as a symbol naming the product
    assertEquals(new Dim.Sym("46341*46341"), Dim.times(Dim.of(46341), Dim.of(46341)));
  }

  @Test
  void aLazyOperandMakesTheResultLazy() {
    Dim lazy = new Dim.Sym("?1");
    for (Dim other : new Dim[] {H, Dim.of(3)}) {
      assertEquals(lazy, Dim.minus(lazy, other));
      assertEquals(lazy, Dim.minus(other, lazy));
      assertEquals(lazy, Dim.times(lazy, other));
      assertEquals(lazy, Dim.times(other, lazy));
      assertEquals(lazy, Dim.quotient(lazy, other));
      assertEquals(lazy, Dim.quotient(other, lazy));
    }
  }

  @Test
  void coefficientsMultiply() {
    Dim p = Dim.times(times(3, H), times(2, W));
    assertEquals(6 * 5 * 7, p.eval(AT));
    assertEquals(6, DimAlgebra.coefficient(p));
    assertEquals(-12 * 5 * 5, Dim.times(times(-4, H), times(3, H)).eval(AT));
  }

  @Test
  void divisionByZeroOrLessIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Dim.floorDiv(H, 0));
    assertEquals("divisor 0 is not positive", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Dim.floorDiv(Dim.of(6), -2));
  }

  @Test
  void knownQuotientsAreExactOrNull() {
    assertEquals(Dim.of(3), Dim.quotient(Dim.of(12), Dim.of(4)));
    assertNull(Dim.quotient(Dim.of(12), Dim.of(5)));
    assertNull(Dim.quotient(H, Dim.of(0)));
    // (6h + 4w) / 2 = 3h + 2w; (6h + 3w) / 2 is not exact for odd w
    Dim q = Dim.quotient(Dim.plus(times(6, H), times(4, W)), Dim.of(2));
    assertEquals(3 * 5 + 2 * 7, q.eval(AT));
    assertNull(Dim.quotient(Dim.plus(times(6, H), times(3, W)), Dim.of(2)));
    // (4h + 2) / 2 = 2h + 1; (4h + 1) / 2 is not exact
    assertEquals(2 * 5 + 1, Dim.quotient(Dim.plus(times(4, H), Dim.of(2)), Dim.of(2)).eval(AT));
    assertNull(Dim.quotient(Dim.plus(times(4, H), Dim.of(1)), Dim.of(2)));
  }

  @Test
  void negativeDivisorsFlipTheSign() {
    // 4h / -2 = -2h
    assertEquals(-2 * 5, Dim.quotient(times(4, H), Dim.of(-2)).eval(AT));
    assertEquals(Dim.of(-3), Dim.quotient(Dim.of(12), Dim.of(-4)));
  }

  @Test
  void symbolicQuotientsNeedEveryFactorAndTheCoefficient() {
    assertNull(Dim.quotient(Dim.of(6), H), "a size over a symbol");
    assertEquals(Dim.of(1), Dim.quotient(Dim.plus(H, Dim.of(1)), Dim.plus(H, Dim.of(1))));
    assertNull(Dim.quotient(Dim.plus(H, Dim.of(1)), W), "a sum is divided only by itself");
    assertEquals(Dim.of(3), Dim.quotient(times(6, H), times(2, H)));
    assertNull(Dim.quotient(times(6, H), times(4, H)), "6 / 4 is not exact");
    assertEquals(3 * 7, Dim.quotient(Dim.times(times(6, H), W), times(2, H)).eval(AT));
    assertNull(Dim.quotient(times(6, H), times(2, W)), "width is not a factor");
  }

  @Test
  void sumsListProductsOfSymbolsBeforeQuotients() {
    // the normal form's order: parts made only of symbols first, then by their text
    assertEquals("width + height / 2", Dim.plus(Dim.floorDiv(H, 2), W).toString());
    assertEquals("width + height / 2", Dim.plus(W, Dim.floorDiv(H, 2)).toString());
    assertEquals("height + width", Dim.plus(W, H).toString());
  }

  @Test
  void productsListSymbolsBeforeCompoundFactors() {
    // symbols first, then by text: (height + 1) sorts after width although its text sorts first
    assertEquals("width*(height + 1)", Dim.times(Dim.plus(H, Dim.of(1)), W).toString());
    assertEquals("height*width", Dim.times(W, H).toString());
    assertEquals(Dim.times(H, W), Dim.times(W, H), "one normal form whatever the order");
  }
}
