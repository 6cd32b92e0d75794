package dev.netspec.compiler.infer;

/**
 * One dimension of an inferred shape: a known size or a symbol. Symbols are the batch-like
 * names of an {@code input:}, int arguments of a block, lazy dims (named {@code ?1},
 * {@code ?2}, ..., shown as {@code ?}) and products of these ({@code batch*4}).
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
   * Whether the two dims can be the same size: equal sizes, the same symbol, or a lazy dim
   * on either side (checked by the runtime at the first forward).
   */
  static boolean compatible(Dim a, Dim b) {
    return a.equals(b) || a.isLazy() || b.isLazy();
  }

  /** The product of two dims. */
  static Dim times(Dim a, Dim b) {
    if (a instanceof Known x && b instanceof Known y) {
      long p = (long) x.size() * y.size();
      return p > Integer.MAX_VALUE ? new Sym(x + "*" + y) : new Known((int) p);
    }
    if (a.isLazy() || b.isLazy()) {
      return a.isLazy() ? a : b;
    }
    if (a.size() == 1) {
      return b;
    }
    if (b.size() == 1) {
      return a;
    }
    return new Sym(a + "*" + b);
  }
}
