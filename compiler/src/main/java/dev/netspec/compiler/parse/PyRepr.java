package dev.netspec.compiler.parse;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.List;

/**
 * Python's repr of the values a layer prints and a forward's text shows: {@code 0.5}, {@code
 * 1e-05}, {@code True}, {@code (4,)}. It lives in {@code parse}, the first phase, so that
 * {@link ExprText} (here) and the layer kinds (later phases) share it without {@code parse}
 * depending on a later phase.
 */
public final class PyRepr {
  private PyRepr() {}

  /**
   * Python's {@code repr(float)}, what PyTorch prints ({@code 0.5}, {@code 1e-05}, {@code 2e+23},
   * {@code 1000000000000000.0}); a non-number as text. The shortest digits that read back as
   * the value (JDK 17's {@code Double.toString} is not always shortest), fixed notation when
   * the decimal exponent is in [-4, 16). The runtime's layers print with their own twin
   * ({@code dev.netspec.runtime.nn.PyFormat}: the compiler does not depend on the runtime);
   * both are held to Python's output (FloatReprTest, PyFormatTest).
   */
  public static String floatRepr(Object v) {
    if (!(v instanceof Number n)) {
      return String.valueOf(v);
    }
    double d = n.doubleValue();
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      return Double.isNaN(d) ? "nan" : d > 0 ? "inf" : "-inf";
    }
    if (d == 0) {
      return 1 / d < 0 ? "-0.0" : "0.0";
    }
    BigDecimal shortest = shortest(d);
    String digits = shortest.unscaledValue().abs().toString();
    int exp = digits.length() - shortest.scale() - 1; // d = D.DDD * 10^exp
    String sign = d < 0 ? "-" : "";
    if (exp >= -4 && exp < 16) {
      String plain = shortest.abs().toPlainString();
      return sign + (plain.contains(".") ? plain : plain + ".0");
    }
    String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
    return sign + mantissa + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
  }

  /** The fewest significant digits that read back as {@code d}, trailing zeros stripped. */
  private static BigDecimal shortest(double d) {
    BigDecimal exact = new BigDecimal(d);
    for (int digits = 1; digits < 17; digits++) {
      BigDecimal r = exact.round(new MathContext(digits, RoundingMode.HALF_EVEN));
      if (r.doubleValue() == d) {
        return r.stripTrailingZeros();
      }
    }
    return exact.round(new MathContext(17, RoundingMode.HALF_EVEN)).stripTrailingZeros();
  }

  /** {@code True} or {@code False}. */
  public static String bool(boolean b) {
    return b ? "True" : "False";
  }

  /** A Python tuple of ints: {@code (4,)}, {@code (3, 3)}. */
  public static String tuple(int[] items) {
    return tuple(java.util.Arrays.stream(items).boxed().toList());
  }

  /** A Python tuple: {@code (4,)}, {@code (3, 3)}. */
  public static String tuple(List<?> items) {
    List<String> parts = items.stream().map(String::valueOf).toList();
    return "(" + String.join(", ", parts) + (parts.size() == 1 ? ",)" : ")");
  }
}
