package dev.netspec.compiler.infer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The type of a forward expression: a tensor of a shape, a number, or a condition. */
public sealed interface Type {
  /** A tensor of a shape and an element type. */
  record TensorT(Shape shape, DType dtype) implements Type {
    /** A float32 tensor, the forward language's default. */
    public TensorT(Shape shape) {
      this(shape, DType.FLOAT32);
    }

    @Override
    public String toString() {
      return dtype == DType.FLOAT32
          ? "a tensor of shape " + shape
          : (dtype == DType.INT64 ? "an " : "a ") + dtype + " tensor of shape " + shape;
    }
  }

  /** A number (literals and numeric arguments); {@code integral} for ints. */
  record NumT(boolean integral) implements Type {
    @Override
    public String toString() {
      return integral ? "an int" : "a number";
    }
  }

  /** A truth value ({@code True}, {@code and}, a comparison of numbers). */
  record BoolT() implements Type {
    @Override
    public String toString() {
      return "a boolean";
    }
  }

  /**
   * A tuple: of sizes ({@code (2, -1)}) as a function argument, or of tensors and tuples as a
   * result ({@code return out, (h, c)}, {@code lstm(x)}, {@code chunk(x, 2)}), which a forward
   * unpacks ({@code out, (h, c) = lstm(x)}) or returns.
   */
  record TupleT(List<Type> items) implements Type {
    public TupleT {
      items = List.copyOf(items);
    }

    /** A tuple of {@code size} numbers (a shape argument). */
    public TupleT(int size) {
      this(Collections.nCopies(size, new NumT(true)));
    }

    public int size() {
      return items.size();
    }

    /** Whether every item is a tensor or such a tuple: a value a forward may return. */
    public boolean ofTensors() {
      return items.stream().allMatch(t -> t instanceof TensorT || t instanceof TupleT u && u.ofTensors());
    }

    /** The tensors of this tuple in order, nested tuples flattened. */
    public List<TensorT> leaves() {
      List<TensorT> out = new ArrayList<>();
      for (Type t : items) {
        if (t instanceof TupleT u) {
          out.addAll(u.leaves());
        } else if (t instanceof TensorT x) {
          out.add(x);
        }
      }
      return out;
    }

    @Override
    public String toString() {
      return ofTensors() ? "a tuple " + structure(this) : "a tuple";
    }
  }

  /** {@code t} in short: {@code [batch, 8]}, {@code int64 [batch, seq]}, {@code ([b, 8], [1, b, 8])}. */
  static String structure(Type t) {
    if (t instanceof TensorT x) {
      return (x.dtype() == DType.FLOAT32 ? "" : x.dtype() + " ") + x.shape();
    }
    if (t instanceof TupleT u) {
      List<String> parts = new ArrayList<>();
      u.items().forEach(i -> parts.add(structure(i)));
      return "(" + String.join(", ", parts) + (parts.size() == 1 ? ",)" : ")");
    }
    return t.toString();
  }

  /** The tensor's shape, or null for other types. */
  default Shape shapeOrNull() {
    return this instanceof TensorT t ? t.shape() : null;
  }

  /** A tensor of unknown shape, the type after a reported error. */
  static Type unknownTensor() {
    return new TensorT(Shape.ANY);
  }
}
