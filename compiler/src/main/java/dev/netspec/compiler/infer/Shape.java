package dev.netspec.compiler.infer;

import java.util.ArrayList;
import java.util.List;

/**
 * An inferred tensor shape; {@code dims} is null when even the rank is unknown (a block used
 * nowhere and declaring no {@code input:}).
 */
public record Shape(List<Dim> dims) {
  /** A shape of unknown rank. */
  public static final Shape ANY = new Shape(null);
  /** The shape of a scalar, {@code []}. */
  public static final Shape SCALAR = new Shape(List.of());

  public Shape {
    dims = dims == null ? null : List.copyOf(dims);
  }

  public boolean knownRank() {
    return dims != null;
  }

  public int rank() {
    return dims.size();
  }

  public Dim dim(int i) {
    return dims.get(i < 0 ? dims.size() + i : i);
  }

  /** Every dim known, so sizes and costs can be computed. */
  public boolean concrete() {
    if (dims == null) {
      return false;
    }
    for (Dim d : dims) {
      if (!(d instanceof Dim.Known)) {
        return false;
      }
    }
    return true;
  }

  /** The number of elements, or -1 if not concrete. */
  public long numel() {
    if (!concrete()) {
      return -1;
    }
    long n = 1;
    for (Dim d : dims) {
      n *= d.size();
    }
    return n;
  }

  /** A copy with the last dim replaced. */
  /**
   * Whether {@code a} and {@code b} may be the same shape: one of unknown rank, or the same
   * rank with each pair of dims {@link Dim#compatible}.
   */
  public static boolean compatible(Shape a, Shape b) {
    if (!a.knownRank() || !b.knownRank()) {
      return true;
    }
    if (a.rank() != b.rank()) {
      return false;
    }
    for (int i = 0; i < a.rank(); i++) {
      if (!Dim.compatible(a.dim(i), b.dim(i))) {
        return false;
      }
    }
    return true;
  }

  public Shape withLast(Dim d) {
    List<Dim> out = new ArrayList<>(dims);
    out.set(out.size() - 1, d);
    return new Shape(out);
  }

  /** The dims as JSON-friendly values: Integer or String. */
  public List<Object> toValues() {
    List<Object> out = new ArrayList<>();
    if (dims != null) {
      for (Dim d : dims) {
        out.add(d instanceof Dim.Known k ? (Object) k.size() : d.toString());
      }
    }
    return out;
  }

  @Override
  public String toString() {
    if (dims == null) {
      return "[...]";
    }
    List<String> parts = new ArrayList<>();
    for (Dim d : dims) {
      parts.add(d.toString());
    }
    return "[" + String.join(", ", parts) + "]";
  }
}
