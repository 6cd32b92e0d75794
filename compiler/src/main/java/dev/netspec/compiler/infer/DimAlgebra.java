package dev.netspec.compiler.infer;

import dev.netspec.compiler.infer.Dim.Div;
import dev.netspec.compiler.infer.Dim.Known;
import dev.netspec.compiler.infer.Dim.Mul;
import dev.netspec.compiler.infer.Dim.Sum;
import dev.netspec.compiler.infer.Dim.Sym;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The arithmetic of {@link Dim}: each operation returns its result in normal form. */
final class DimAlgebra {
  /** Symbols before compound factors, each group by name: {@code batch*(h + 1)}. */
  private static final Comparator<Dim> ORDER =
      Comparator.comparing((Dim d) -> d instanceof Sym ? 0 : 1).thenComparing(Dim::toString);

  private DimAlgebra() {}

  /** {@code a + b}. */
  static Dim plus(Dim a, Dim b) {
    if (a.isLazy() || b.isLazy()) {
      return a.isLazy() ? a : b;
    }
    Terms t = Terms.of(a);
    t.add(Terms.of(b), 1);
    return t.build();
  }

  /** {@code a - b}. */
  static Dim minus(Dim a, Dim b) {
    if (a.isLazy() || b.isLazy()) {
      return a.isLazy() ? a : b;
    }
    Terms t = Terms.of(a);
    t.add(Terms.of(b), -1);
    return t.build();
  }

  /** The product of two dims. */
  static Dim times(Dim a, Dim b) {
    if (a.isLazy() || b.isLazy()) {
      return a.isLazy() ? a : b;
    }
    if (a instanceof Known x && b instanceof Known y) {
      long p = (long) x.size() * y.size();
      return p > Integer.MAX_VALUE ? new Sym(x + "*" + y) : new Known((int) p);
    }
    if (a instanceof Known k) {
      return scale(b, k.size());
    }
    if (b instanceof Known k) {
      return scale(a, k.size());
    }
    List<Dim> factors = new ArrayList<>(factors(a));
    factors.addAll(factors(b));
    return product(coefficient(a) * coefficient(b), factors);
  }

  /** {@code floor(a / divisor)} for a positive divisor, simplified. */
  static Dim floorDiv(Dim a, long divisor) {
    if (divisor <= 0) {
      throw new IllegalArgumentException("divisor " + divisor + " is not positive");
    }
    if (a.isLazy() || divisor == 1) {
      return a;
    }
    if (a instanceof Known k) {
      return new Known((int) Math.floorDiv(k.size(), divisor));
    }
    // floor((d*q + r) / d) = q + floor(r / d) for integer q: take out what divides.
    Terms all = Terms.of(a);
    Terms quotient = new Terms();
    Terms rest = new Terms();
    for (int i = 0; i < all.parts.size(); i++) {
      long c = all.coefficients.get(i);
      Terms target = c % divisor == 0 ? quotient : rest;
      target.addPart(all.parts.get(i), c % divisor == 0 ? c / divisor : c);
    }
    if (rest.parts.isEmpty()) {
      quotient.constant = Math.floorDiv(all.constant, divisor);
      return quotient.build();
    }
    quotient.constant = -Math.floorDiv(-all.constant, divisor); // the rest's constant in (-divisor, 0]
    rest.constant = all.constant - divisor * quotient.constant;
    long g = divisor;
    for (long c : rest.coefficients) {
      g = gcd(g, c);
    }
    g = gcd(g, rest.constant);
    for (int i = 0; i < rest.coefficients.size(); i++) {
      rest.coefficients.set(i, rest.coefficients.get(i) / g);
    }
    rest.constant /= g;
    long d = divisor / g;
    Dim r = rest.build();
    Dim q;
    if (d == 1) {
      q = r;
    } else if (rest.parts.size() == 1 && rest.coefficients.get(0) == 1 && rest.parts.get(0) instanceof Div inner) {
      // floor((floor(x / a) + c) / d) = floor((x + a*c) / (a*d))
      Terms num = Terms.of(inner.numerator());
      num.constant += inner.divisor() * rest.constant;
      q = floorDiv(num.build(), inner.divisor() * d);
    } else {
      q = new Div(r, d);
    }
    return plus(quotient.build(), q);
  }

  /**
   * {@code a / b} when it is exact for every size of the symbols: {@code b}'s factors all among
   * {@code a}'s and its coefficient dividing {@code a}'s ({@code 64*batch*seq / (4*batch)} is
   * {@code 16*seq}); null otherwise. Lazy dims give the lazy dim.
   */
  static Dim quotient(Dim a, Dim b) {
    if (a.isLazy() || b.isLazy()) {
      return a.isLazy() ? a : b;
    }
    if (b instanceof Known k) {
      if (k.size() == 0) {
        return null;
      }
      if (k.size() < 0) {
        return quotient(scale(a, -1), new Known(-k.size()));
      }
      if (a instanceof Known x) {
        return x.size() % k.size() == 0 ? new Known(x.size() / k.size()) : null;
      }
      Terms t = Terms.of(a);
      for (long c : t.coefficients) {
        if (c % k.size() != 0) {
          return null;
        }
      }
      return t.constant % k.size() == 0 ? floorDiv(a, k.size()) : null;
    }
    if (a instanceof Known || a instanceof Sum && !a.equals(b)) {
      return null;
    }
    List<Dim> rest = new ArrayList<>(factors(a));
    for (Dim f : factors(b)) {
      if (!rest.remove(f)) {
        return null;
      }
    }
    long ca = coefficient(a);
    long cb = coefficient(b);
    if (ca % cb != 0) {
      return null;
    }
    return rest.isEmpty() ? new Known((int) (ca / cb)) : product(ca / cb, rest);
  }

  static Dim scale(Dim a, long k) {
    Terms t = new Terms();
    t.add(Terms.of(a), k);
    return t.build();
  }

  static long coefficient(Dim a) {
    return a instanceof Mul m ? m.coefficient() : 1;
  }

  static List<Dim> factors(Dim a) {
    return a instanceof Mul m ? m.factors() : List.of(a);
  }

  /** A normal-form product: constant coefficients folded, factors in a fixed order. */
  static Dim product(long coefficient, List<Dim> factors) {
    if (coefficient == 0) {
      return new Known(0);
    }
    List<Dim> sorted = new ArrayList<>(factors);
    sorted.sort(ORDER);
    return coefficient == 1 && sorted.size() == 1 ? sorted.get(0) : new Mul(coefficient, sorted);
  }

  private static long gcd(long a, long b) {
    a = Math.abs(a);
    b = Math.abs(b);
    while (b != 0) {
      long t = a % b;
      a = b;
      b = t;
    }
    return a;
  }

  /** A sum being built: each part (without its coefficient) with its coefficient, and a constant. */
  static final class Terms {
    final List<Dim> parts = new ArrayList<>();
    final List<Long> coefficients = new ArrayList<>();
    long constant;

    static Terms of(Dim d) {
      Terms t = new Terms();
      if (d instanceof Known k) {
        t.constant = k.size();
      } else if (d instanceof Sum s) {
        s.parts().forEach(p -> t.addPart(p, 1));
        t.constant = s.constant();
      } else {
        t.addPart(d, 1);
      }
      return t;
    }

    void add(Terms other, long k) {
      for (int i = 0; i < other.parts.size(); i++) {
        addPart(other.parts.get(i), other.coefficients.get(i) * k);
      }
      constant += other.constant * k;
    }

    /** Adds {@code k * part}, where a product's own coefficient multiplies {@code k}. */
    void addPart(Dim part, long k) {
      Dim bare = part instanceof Mul m ? product(1, m.factors()) : part;
      long c = k * coefficient(part);
      int i = parts.indexOf(bare);
      if (i >= 0) {
        coefficients.set(i, coefficients.get(i) + c);
      } else {
        parts.add(bare);
        coefficients.add(c);
      }
    }

    Dim build() {
      List<Dim> out = new ArrayList<>();
      for (int i = 0; i < parts.size(); i++) {
        long c = coefficients.get(i);
        if (c != 0) {
          out.add(c == 1 ? parts.get(i) : new Mul(c * coefficient(parts.get(i)), factors(parts.get(i))));
        }
      }
      out.sort(Comparator.comparing((Dim p) -> factors(p).stream().allMatch(f -> f instanceof Sym) ? 0 : 1)
          .thenComparing(p -> factors(p).toString()));
      if (out.isEmpty()) {
        return constant == (int) constant ? new Known((int) constant) : new Sym(Long.toString(constant));
      }
      return out.size() == 1 && constant == 0 ? out.get(0) : new Sum(out, constant);
    }
  }
}
