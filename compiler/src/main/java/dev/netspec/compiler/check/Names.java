package dev.netspec.compiler.check;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** Name rules and "did you mean" suggestions. */
public final class Names {
  /** Java's reserved words and literals: never a package segment, mangled as a field. */
  public static final Set<String> JAVA_KEYWORDS = Set.of(
      "abstract", "assert", "boolean", "break", "byte", "case", "catch", "char", "class", "const",
      "continue", "default", "do", "double", "else", "enum", "extends", "final", "finally",
      "float", "for", "goto", "if", "implements", "import", "instanceof", "int", "interface",
      "long", "native", "new", "package", "private", "protected", "public", "return", "short",
      "static", "strictfp", "super", "switch", "synchronized", "this", "throw", "throws",
      "transient", "try", "void", "volatile", "while", "true", "false", "null", "var", "yield",
      "record", "sealed", "permits", "non-sealed", "_");

  private static final Pattern PACKAGE = Pattern.compile("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*");
  private static final Pattern BLOCK = Pattern.compile("[A-Z][A-Za-z0-9]*");
  private static final Pattern IDENT = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern CHILD = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*|[0-9]+");
  private static final Pattern JAVA_CLASS =
      Pattern.compile("([a-z][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_]*(\\.[A-Z][A-Za-z0-9_]*)*");
  private static final int MAX_LENGTH = 64;

  private Names() {}

  /** A lowercase dotted Java package with no keyword segment. */
  public static boolean isValidPackage(String s) {
    if (s.length() > 200 || !PACKAGE.matcher(s).matches()) {
      return false;
    }
    for (String part : s.split("\\.")) {
      if (JAVA_KEYWORDS.contains(part)) {
        return false;
      }
    }
    return true;
  }

  /** An UpperCamel block (class) name. */
  public static boolean isBlockName(String s) {
    return s.length() <= MAX_LENGTH && BLOCK.matcher(s).matches();
  }

  /** A name usable in the forward language and as a Java identifier once mangled. */
  public static boolean isIdentifier(String s) {
    return s.length() <= MAX_LENGTH && IDENT.matcher(s).matches();
  }

  /** A child name: an identifier or a sequential index. */
  public static boolean isChildName(String s) {
    return s.length() <= MAX_LENGTH && CHILD.matcher(s).matches();
  }

  /** A qualified class name such as {@code com.acme.Inits}. */
  public static boolean isQualifiedClass(String s) {
    return s.length() <= 200 && JAVA_CLASS.matcher(s).matches() && !hasKeywordSegment(s);
  }

  private static boolean hasKeywordSegment(String s) {
    for (String part : s.split("\\.")) {
      if (JAVA_KEYWORDS.contains(part)) {
        return true;
      }
    }
    return false;
  }

  /** {@code "; did you mean 'x'?"} for the closest candidate, or {@code ""} if none is close. */
  public static String suggest(String wrong, Collection<String> candidates) {
    return suggest(wrong, candidates, Set.of());
  }

  /**
   * {@link #suggest(String, Collection)} for an argument's name, knowing other libraries' names
   * of PyTorch's arguments: {@code axis} is {@code dim}, {@code keepdims} is {@code keepdim}
   * (NumPy), {@code learning_rate} is {@code lr} (Keras).
   */
  public static String suggestArgument(String wrong, Collection<String> candidates) {
    String pytorch = pytorchArgument(wrong, candidates);
    if (pytorch != null) {
      return "; write '" + pytorch + "' (PyTorch's name for " + (pytorch.equals("lr") ? "Keras's" : "NumPy's")
          + " '" + wrong + "')";
    }
    return suggest(wrong, candidates);
  }

  /** The argument {@link #suggestArgument} suggests, or null when it suggests none. */
  public static String closestArgument(String wrong, Collection<String> candidates) {
    String pytorch = pytorchArgument(wrong, candidates);
    return pytorch != null ? pytorch : closest(wrong, candidates);
  }

  /** PyTorch's name of another library's argument {@code wrong}, if it is a candidate; else null. */
  private static String pytorchArgument(String wrong, Collection<String> candidates) {
    String pytorch = wrong.equals("axis") ? "dim" : wrong.equals("keepdims") ? "keepdim"
        : wrong.equals("learning_rate") ? "lr" : null;
    return pytorch != null && candidates.contains(pytorch) ? pytorch : null;
  }

  /** {@link #suggest(String, Collection)}, a tie going to a candidate in {@code preferred}. */
  public static String suggest(String wrong, Collection<String> candidates,
      Collection<String> preferred) {
    String best = closest(wrong, candidates, preferred);
    return best != null ? "; did you mean '" + best + "'?" : "";
  }

  /** The candidate {@code wrong} is most likely a misspelling of, or null if none is close. */
  public static String closest(String wrong, Collection<String> candidates) {
    return closest(wrong, candidates, Set.of());
  }

  /**
   * The candidate {@code wrong} is most likely a misspelling of, or null if none is close. Of
   * candidates equally close, one in {@code preferred} (such as a layer the forward never
   * calls) wins, then the one whose trailing number is nearest to {@code wrong}'s ({@code fc2}
   * for {@code fc3}), then the alphabetically first: the same answer whatever the order.
   */
  public static String closest(String wrong, Collection<String> candidates,
      Collection<String> preferred) {
    String lower = wrong.toLowerCase(Locale.ROOT);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String c : candidates) {
      int d = distance(lower, c.toLowerCase(Locale.ROOT));
      if (d < bestDistance || d == bestDistance && better(wrong, c, best, preferred)) {
        best = c;
        bestDistance = d;
      }
    }
    int allowed = Math.max(1, Math.min(3, wrong.length() / 3));
    return best != null && bestDistance <= allowed ? best : null;
  }

  /** Whether {@code c} beats {@code best}, as close to {@code wrong} as it. */
  private static boolean better(String wrong, String c, String best, Collection<String> preferred) {
    boolean p = preferred.contains(c);
    if (p != preferred.contains(best)) {
      return p;
    }
    long gap = numberGap(wrong, c);
    long bestGap = numberGap(wrong, best);
    return gap != bestGap ? gap < bestGap : c.compareTo(best) < 0;
  }

  /** How far apart the trailing numbers of {@code a} and {@code b} are; max if either has none. */
  private static long numberGap(String a, String b) {
    long x = trailingNumber(a);
    long y = trailingNumber(b);
    return x < 0 || y < 0 ? Long.MAX_VALUE : Math.abs(x - y);
  }

  /** The number {@code s} ends in (up to 9 digits), or -1. */
  private static long trailingNumber(String s) {
    int i = s.length();
    while (i > 0 && s.length() - i < 9 && s.charAt(i - 1) >= '0' && s.charAt(i - 1) <= '9') {
      i--;
    }
    return i == s.length() ? -1 : Long.parseLong(s.substring(i));
  }

  /**
   * {@link #closest}, or else the one candidate that has {@code wrong} as one of its words
   * ({@code kernel} for {@code kernel_size}, {@code heads} for {@code num_heads}), or null.
   */
  public static String meant(String wrong, Collection<String> candidates) {
    if (wrong.equals("axis") && candidates.contains("dim")) {
      return "dim"; // NumPy's name
    }
    String best = closest(wrong, candidates);
    if (best != null) {
      return best;
    }
    List<String> holding = new ArrayList<>();
    for (String c : candidates) {
      if (List.of(c.split("_")).contains(wrong)) {
        holding.add(c);
      }
    }
    return holding.size() == 1 ? holding.get(0) : null;
  }

  /** Optimal string alignment distance (an adjacent swap costs one). */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
