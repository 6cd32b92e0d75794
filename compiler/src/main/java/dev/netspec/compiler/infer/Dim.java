package dev.netspec.compiler.infer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One dimension of an inferred shape: a size known at compile time, a symbol, or an
 * integer expression over symbols. Symbols are the batch-like names of an {@code input:},
 * int arguments of a block and lazy dims (named {@code ?1}, {@code ?2}, ..., shown as
 * {@code ?}). Expressions come from shape rules: {@code batch*4} from a flatten, PyTorch's
 * {@code (height + 2*3 - 7) / 2 + 1} from a convolution, kept in a normal form
 * ({@code (height - 1) / 2 + 1}) so that equal rules give equal dims. Division is floor
 * division by a positive constant, as in PyTorch's size formulas, or by a block's int argument
 * ({@link Quot}: {@code (height - 1) / stride + 1} in a block with a {@code stride}). An expression with a
 * lazy operand is that lazy dim: nothing is known of it until the first forward.
 *
 * <p>Normal form: a {@link Sum} has at least two parts or a constant, no part twice and no
 * part zero; a {@link Mul} has a coefficient other than 1 or at least two factors, none
 * constant; a {@link Div} divides a non-constant expression by at least 2, with no part of
 * the numerator divisible, its constant in {@code (-divisor, 0]} (so PyTorch's formulas keep
 * their look: {@code (height - 1) / 2 + 1}) and no common factor left. Products of sums stay unexpanded, so
 * {@code 64*((h - 1) / 2 + 1)} reads as written.
 */
public sealed interface Dim {
  /** A size known at compile time. */
  record Known(int size) implements Dim {
    @Override
    public String toString() {
      return Integer.toString(size);
    }
  }

  /** A symbolic size. */
  record Sym(String name) implements Dim {
    /** A lazy dim: known at the first forward. */
    public boolean lazy() {
      return name.startsWith("?");
    }

    @Override
    public String toString() {
      return lazy() ? "?" : name;
    }
  }

  /** {@code parts[0] + parts[1] + ... + constant}; parts are symbols, products or quotients. */
  record Sum(List<Dim> parts, long constant) implements Dim {
    public Sum {
      parts = List.copyOf(parts);
    }

    @Override
    public String toString() {
      StringBuilder s = new StringBuilder();
      for (Dim p : parts) {
        String t = p.toString();
        if (s.length() == 0) {
          s.append(t);
        } else if (t.startsWith("-")) {
          s.append(" - ").append(t.substring(1));
        } else {
          s.append(" + ").append(t);
        }
      }
      if (constant != 0) {
        s.append(constant < 0 ? " - " : " + ").append(Math.abs(constant));
      }
      return s.toString();
    }
  }

  /** {@code coefficient * factors[0] * factors[1] * ...}; factors are symbols, sums or quotients. */
  record Mul(long coefficient, List<Dim> factors) implements Dim {
    public Mul {
      factors = List.copyOf(factors);
    }

    @Override
    public String toString() {
      List<String> fs = new ArrayList<>();
      for (Dim f : factors) {
        boolean alone = factors.size() == 1 && coefficient == 1;
        fs.add(f instanceof Sym || alone ? f.toString() : "(" + f + ")");
      }
      String body = String.join("*", fs);
      return coefficient == 1 ? body : coefficient == -1 ? "-" + body : coefficient + "*" + body;
    }
  }

  /** {@code floor(numerator / divisor)}, the divisor at least 2. */
  record Div(Dim numerator, long divisor) implements Dim {
    @Override
    public String toString() {
      String n = numerator.toString();
      return (numerator instanceof Sum || n.startsWith("-") ? "(" + n + ")" : n) + " / " + divisor;
    }
  }

  /**
   * {@code floor(numerator / divisor)} where the divisor is a symbol (a block's int argument,
   * such as a convolution's {@code stride}), positive by the layer's own checks. Normal form:
   * an atom of sums and products, the numerator in normal form.
   */
  record Quot(Dim numerator, Dim divisor) implements Dim {
    @Override
    public String toString() {
      String n = numerator.toString();
      return (numerator instanceof Sum || n.startsWith("-") ? "(" + n + ")" : n) + " / " + divisor;
    }
  }

  /** A known size. */
  static Dim of(int size) {
    return new Known(size);
  }

  /** True when this is a lazy symbol. */
  default boolean isLazy() {
    return this instanceof Sym s && s.lazy();
  }

  /** The size if known, else -1. */
  default int size() {
    return this instanceof Known k ? k.size() : -1;
  }

  /**
   * Whether the two dims can be the same size: equal sizes, the same expression, or a lazy
   * dim on either side (checked by the runtime at the first forward).
   */
  static boolean compatible(Dim a, Dim b) {
    return a.equals(b) || a.isLazy() || b.isLazy();
  }

  /** {@code a + b}. */
  static Dim plus(Dim a, Dim b) {
    return DimAlgebra.plus(a, b);
  }

  /** {@code a - b}. */
  static Dim minus(Dim a, Dim b) {
    return DimAlgebra.minus(a, b);
  }

  /** {@code a * b}. */
  static Dim times(Dim a, Dim b) {
    return DimAlgebra.times(a, b);
  }

  /** {@code floor(a / divisor)} for a positive divisor, simplified. */
  static Dim floorDiv(Dim a, long divisor) {
    return DimAlgebra.floorDiv(a, divisor);
  }

  /**
   * {@code a / b} when it divides exactly for every size of the symbols ({@code 64*batch*seq
   * / (4*batch)} is {@code 16*seq}), else null: what a reshape's {@code -1} is.
   */
  static Dim quotient(Dim a, Dim b) {
    return DimAlgebra.quotient(a, b);
  }

  /**
   * {@code floor(a / divisor)} for a divisor that is a block argument's symbol (or known),
   * simplified: the quotient of a known divisor is {@link #floorDiv(Dim, long)}'s.
   */
  static Dim floorDiv(Dim a, Dim divisor) {
    if (divisor instanceof Known k) {
      return floorDiv(a, k.size());
    }
    if (a.isLazy() || divisor.isLazy()) {
      return a.isLazy() ? a : divisor;
    }
    return new Quot(a, divisor);
  }

  /** The value for the symbols' sizes in {@code env}; throws if a symbol is missing. */
  default long eval(Map<String, Long> env) {
    if (this instanceof Known k) {
      return k.size();
    }
    if (this instanceof Sym s) {
      Long v = env.get(s.name());
      if (v == null) {
        throw new IllegalArgumentException("no size for " + s.name());
      }
      return v;
    }
    if (this instanceof Sum s) {
      long v = s.constant();
      for (Dim p : s.parts()) {
        v += p.eval(env);
      }
      return v;
    }
    if (this instanceof Mul m) {
      long v = m.coefficient();
      for (Dim f : m.factors()) {
        v *= f.eval(env);
      }
      return v;
    }
    if (this instanceof Quot q) {
      return Math.floorDiv(q.numerator().eval(env), q.divisor().eval(env));
    }
    Div d = (Div) this;
    return Math.floorDiv(d.numerator().eval(env), d.divisor());
  }

  /** This dim with each symbol replaced by {@code env}'s dim for it (null: kept), simplified. */
  default Dim substitute(Function<String, Dim> env) {
    if (this instanceof Known) {
      return this;
    }
    if (this instanceof Sym s) {
      Dim v = env.apply(s.name());
      return v == null ? this : v;
    }
    if (this instanceof Sum s) {
      Dim v = of((int) s.constant());
      for (Dim p : s.parts()) {
        v = plus(v, p.substitute(env));
      }
      return v;
    }
    if (this instanceof Mul m) {
      Dim v = of((int) m.coefficient());
      for (Dim f : m.factors()) {
        v = times(v, f.substitute(env));
      }
      return v;
    }
    if (this instanceof Quot q) {
      return floorDiv(q.numerator().substitute(env), q.divisor().substitute(env));
    }
    Div d = (Div) this;
    return floorDiv(d.numerator().substitute(env), d.divisor());
  }

  /**
   * This dim as a Java {@code int} expression; {@code symbol} gives the Java expression of
   * each symbol, or null when it has none (then the result is null).
   */
  default String toJava(Function<String, String> symbol) {
    if (this instanceof Known k) {
      return Integer.toString(k.size());
    }
    if (this instanceof Sym s) {
      return symbol.apply(s.name());
    }
    List<String> parts = new ArrayList<>();
    if (this instanceof Sum s) {
      for (Dim p : s.parts()) {
        parts.add(p.toJava(symbol));
      }
      String out = String.join(" + ", parts) + (s.constant() == 0 ? "" : " + " + s.constant());
      return parts.contains(null) ? null : out.replace("+ -", "- ");
    }
    if (this instanceof Mul m) {
      if (m.coefficient() != 1 && m.coefficient() != -1) {
        parts.add(Long.toString(m.coefficient()));
      }
      for (Dim f : m.factors()) {
        String j = f.toJava(symbol);
        parts.add(j == null ? null : f instanceof Sum ? "(" + j + ")" : j);
      }
      return parts.contains(null) ? null : (m.coefficient() == -1 ? "-" : "") + String.join(" * ", parts);
    }
    if (this instanceof Quot q) {
      String num = q.numerator().toJava(symbol);
      String div = q.divisor().toJava(symbol);
      return num == null || div == null ? null : "Math.floorDiv(" + num + ", " + div + ")";
    }
    Div d = (Div) this;
    String num = d.numerator().toJava(symbol);
    return num == null ? null : "Math.floorDiv(" + num + ", " + d.divisor() + ")";
  }
}
