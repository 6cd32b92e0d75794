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
