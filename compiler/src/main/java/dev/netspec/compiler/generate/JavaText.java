package dev.netspec.compiler.generate;

import dev.netspec.compiler.infer.Dim;
import dev.netspec.compiler.infer.Shape;
import java.util.ArrayList;
import java.util.List;

/** Text helpers of the generator: Java names, literals, safe comments. */
final class JavaText {
  private JavaText() {}

  /** {@code rand_weight} to {@code randWeight}; {@code Block1} to {@code block1}. */
  static String lowerCamel(String name) {
    StringBuilder sb = new StringBuilder();
    boolean upper = false;
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '_' && sb.length() > 0) {
        upper = true;
      } else if (c != '_') {
        sb.append(upper ? Character.toUpperCase(c) : sb.length() == 0 ? Character.toLowerCase(c) : c);
        upper = false;
      }
    }
    return sb.length() == 0 ? "field" : sb.toString();
  }

  /** A float literal for Java source ({@code 2.0f}, {@code 1.0E-5f}). */
  static String floatLiteral(double v) {
    return Float.toString((float) v) + "f";
  }

  /** A double literal for Java source. */
  static String doubleLiteral(double v) {
    return Double.toString(v);
  }

  /** A spec's name as shown in headers: '/'-separated, safe in a comment and a string. */
  static String specLabel(String specName) {
    String s = specName.replace('\\', '/');
    StringBuilder sb = new StringBuilder();
    for (char c : s.toCharArray()) {
      sb.append(Character.isLetterOrDigit(c) && c < 128 || c == '.' || c == '/' || c == '-' || c == '_' ? c : '_');
    }
    return sb.toString();
  }

  /**
   * Free text (a spec's {@code doc}) made safe as a JavaPoet format string inside Javadoc:
   * HTML-escaped, no comment end, no unicode escape, {@code $} doubled.
   */
  static String javadocFormat(String text) {
    String s = text.strip()
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\\", "&#92;")
        .replace("*/", "*&#47;")
        .replace("@", "&#64;")
        .replace("$", "$$");
    StringBuilder sb = new StringBuilder();
    for (char c : s.toCharArray()) {
      sb.append(c == '\n' || c >= ' ' && c != 0x7f ? c : ' ');
    }
    return sb.toString() + "\n";
  }

  /**
   * Text the generator composed itself (from validated names, shapes and numbers) as a
   * JavaPoet format string inside Javadoc.
   */
  static String javadocOwn(String text) {
    return text.replace("$", "$$") + "\n";
  }

  /** {@code [batch, 256]} as a comment: {@code (batch, 256)}. */
  static String shapeComment(Shape s) {
    if (!s.knownRank()) {
      return "(...)";
    }
    List<String> parts = new ArrayList<>();
    for (Dim d : s.dims()) {
      parts.add(d.toString());
    }
    return "(" + String.join(", ", parts) + (parts.size() == 1 ? ",)" : ")");
  }
}
