package dev.netspec.runtime.tensor;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.List;

/**
 * How one tensor's elements print (PyTorch's {@code _Formatter}): the mode chosen from the
 * shown values, and the common width every element is padded to on the left.
 */
final class ValueFormat {
  private static final int PRECISION = 4;

  private final boolean intMode;
  private final boolean sciMode;
  private final int width;

  private ValueFormat(boolean intMode, boolean sciMode, int width) {
    this.intMode = intMode;
    this.sciMode = sciMode;
    this.width = width;
  }

  /** The format for an int64 tensor showing {@code values}: {@code str(v)}, padded. */
  static ValueFormat ofLongs(List<Long> values) {
    int width = 1;
    for (long v : values) {
      width = Math.max(width, Long.toString(v).length());
    }
    return new ValueFormat(true, false, width);
  }

  /** The format for a float32 tensor showing {@code values}. */
  static ValueFormat of(List<Float> values) {
    double minAbs = Double.POSITIVE_INFINITY;
    double maxAbs = 0;
    boolean integral = true;
    int count = 0;
    for (float v : values) {
      if (Float.isFinite(v) && v != 0) {
        count++;
        minAbs = Math.min(minAbs, Math.abs(v));
        maxAbs = Math.max(maxAbs, Math.abs(v));
        integral &= v == Math.ceil(v);
      }
    }
    if (count == 0) {
      return new ValueFormat(true, false, 1);
    }
    boolean wide = maxAbs / minAbs > 1000.0 || maxAbs > 1.0e8;
    boolean sci = integral ? wide : wide || minAbs < 1.0e-4;
    int width = 1;
    for (float v : values) {
      if (Float.isFinite(v) && v != 0) {
        int w;
        if (sci) {
          w = scientific(v).length();
        } else if (integral) {
          w = fixed(v, 0).length() + 1;
        } else {
          w = fixed(v, PRECISION).length();
        }
        width = Math.max(width, w);
      }
    }
    return new ValueFormat(integral, sci, width);
  }

  int width() {
    return width;
  }

  /** One element, padded on the left to the common width. */
  String format(float v) {
    String s;
    if (sciMode) {
      s = scientific(v);
    } else if (intMode) {
      s = Float.isFinite(v) ? fixed(v, 0) + "." : fixed(v, 0);
    } else {
      s = fixed(v, PRECISION);
    }
    return s.length() >= width ? s : " ".repeat(width - s.length()) + s;
  }

  /** One int64 element, padded on the left to the common width. */
  String format(long v) {
    String s = Long.toString(v);
    return s.length() >= width ? s : " ".repeat(width - s.length()) + s;
  }

  /** Python's {@code "{:.Nf}".format(v)}: exact decimal value, rounded half-even. */
  static String fixed(double v, int decimals) {
    if (!Double.isFinite(v)) {
      return nonFinite(v);
    }
    String s = new BigDecimal(v).setScale(decimals, RoundingMode.HALF_EVEN).toPlainString();
    return negative(v) && !s.startsWith("-") ? "-" + s : s;
  }

  /** Python's {@code "{:.4e}".format(v)}: {@code 3.7253e-09}, exponent of 2 digits or more. */
  static String scientific(double v) {
    if (!Double.isFinite(v)) {
      return nonFinite(v);
    }
    String sign = negative(v) ? "-" : "";
    if (v == 0) {
      return sign + "0." + "0".repeat(PRECISION) + "e+00";
    }
    BigDecimal d = new BigDecimal(Math.abs(v)).round(new MathContext(PRECISION + 1,
        RoundingMode.HALF_EVEN));
    String digits = d.unscaledValue().toString();
    int exponent = digits.length() - 1 - d.scale();
    digits = digits + "0".repeat(PRECISION + 1 - digits.length()); // 1.0 has 1 digit
    String exp = Integer.toString(Math.abs(exponent));
    return sign + digits.charAt(0) + "." + digits.substring(1) + "e" + (exponent < 0 ? "-" : "+")
        + (exp.length() < 2 ? "0" + exp : exp);
  }

  private static boolean negative(double v) {
    return Double.doubleToRawLongBits(v) < 0;
  }

  private static String nonFinite(double v) {
    return Double.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
  }
}
