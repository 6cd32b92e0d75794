package dev.netspec.runtime.nn;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/** Python's {@code repr} of the values that appear in layer reprs. */
final class PyFormat {
  private PyFormat() {}

  /** {@code True} or {@code False}. */
  static String bool(boolean b) {
    return b ? "True" : "False";
  }

  /**
   * Python's {@code repr(float)}: the shortest digits that read back as {@code x}, in fixed
   * notation when the decimal exponent is in [-4, 16), else as {@code 1e-05}.
   */
  static String floatRepr(double x) {
    if (Double.isNaN(x)) {
      return "nan";
    }
    if (Double.isInfinite(x)) {
      return x > 0 ? "inf" : "-inf";
    }
    if (x == 0) {
      return 1 / x < 0 ? "-0.0" : "0.0";
    }
    BigDecimal exact = new BigDecimal(x);
    BigDecimal shortest = exact;
    for (int digits = 1; digits <= 17; digits++) {
      shortest = exact.round(new MathContext(digits, RoundingMode.HALF_EVEN));
      if (shortest.doubleValue() == x) {
        break;
      }
    }
    shortest = shortest.stripTrailingZeros();
    String digits = shortest.unscaledValue().abs().toString();
    // x = 0.DIGITS * 10^point
    int point = digits.length() - shortest.scale();
    String sign = x < 0 ? "-" : "";
    if (point > -4 && point <= 16) {
      return sign + fixed(digits, point);
    }
    int exp = point - 1;
    String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
    return sign + mantissa + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "")
        + Math.abs(exp);
  }

  private static String fixed(String digits, int point) {
    if (point <= 0) {
      return "0." + "0".repeat(-point) + digits;
    }
    if (point < digits.length()) {
      return digits.substring(0, point) + "." + digits.substring(point);
    }
    return digits + "0".repeat(point - digits.length()) + ".0";
  }

  /** Python's repr of a tuple of ints: {@code (256,)} or {@code (2, 3)}. */
  static String tuple(int[] values) {
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < values.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(values[i]);
    }
    return sb.append(values.length == 1 ? ",)" : ")").toString();
  }
}
