package dev.netspec.compiler.layers;

import java.math.BigDecimal;
import java.util.List;

/** Python's repr of the values a layer prints: {@code 0.5}, {@code 1e-05}, {@code True}, {@code (4,)}. */
public final class PyRepr {
  private PyRepr() {}

  /** Python's float repr. */
  public static String floatRepr(Object v) {
    if (!(v instanceof Number n)) {
      return String.valueOf(v);
    }
    double d = n.doubleValue();
    if (d == Math.rint(d) && Math.abs(d) < 1e16) {
      return (long) d + ".0";
    }
    String s = Double.toString(d);
    if (s.contains("E") && Math.abs(d) >= 1e-4) {
      return new BigDecimal(s).stripTrailingZeros().toPlainString(); // Python: 0.0001, Java: 1.0E-4
    }
    if (Math.abs(d) < 1e-4 && d != 0) {
      BigDecimal bd = new BigDecimal(s);
      int exp = bd.precision() - bd.scale() - 1;
      String mant = bd.movePointRight(-exp).stripTrailingZeros().toPlainString();
      return mant + "e-" + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
    }
    return s;
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
