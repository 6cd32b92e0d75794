package dev.netspec.spark;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The row shape of one input (stated, or learned from the first row) and the messages that
 * refuse a row that does not fit it, naming the column, the row and the expected shape. It
 * also reads the values a SQL function receives (Scala sequences of numbers, Java arrays, ML
 * vectors); {@link InputColumn} reads Spark's own rows for {@code transform}.
 */
final class RowInput {
  private final String subject; // what messages blame: "column 'features'"
  private int[] rowShape; // null until the first row when not stated
  private final boolean stated;
  private int length; // elements per row, -1 until known

  /**
   * @param subject what messages blame, such as {@code column 'features'}
   * @param rowShape the shape of one row without the batch dimension, or {@code null} to take
   *     {@code (n)} from the first row's length
   */
  RowInput(String subject, int[] rowShape) {
    this.subject = subject;
    this.rowShape = rowShape == null ? null : rowShape.clone();
    this.stated = rowShape != null;
    this.length = rowShape == null ? -1 : numel(rowShape);
  }

  /** The row shape, known once a row was read or when stated. */
  int[] rowShape() {
    return rowShape;
  }

  /**
   * The first row of a partition, copied into a new array; without a stated shape, its length
   * becomes the row shape {@code (n)} that every later row must have.
   */
  float[] first(Object value, String where) {
    if (length < 0) {
      learnLength(naturalLength(value, where));
    }
    float[] values = new float[length];
    copy(value, values, 0, where);
    return values;
  }

  /**
   * Copies the column's {@code value} into {@code dst} from {@code offset}; {@code where} says
   * which row it is ("row 12 of partition 3") for the message when it does not fit.
   */
  void copy(Object value, float[] dst, int offset, String where) {
    if (value == null) {
      throw bad(where + " is null");
    }
    if (value instanceof scala.collection.mutable.ArraySeq.ofFloat a) {
      copy(a.array(), dst, offset, where);
    } else if (value instanceof scala.collection.immutable.ArraySeq.ofFloat a) {
      copy(a.unsafeArray(), dst, offset, where);
    } else if (value instanceof scala.collection.mutable.ArraySeq.ofDouble a) {
      copy(a.array(), dst, offset, where);
    } else if (value instanceof scala.collection.immutable.ArraySeq.ofDouble a) {
      copy(a.unsafeArray(), dst, offset, where);
    } else if (value instanceof float[] a) {
      copy(a, dst, offset, where);
    } else if (value instanceof double[] a) {
      copy(a, dst, offset, where);
    } else if (value instanceof scala.collection.Seq<?> seq) {
      copy(seq, dst, offset, where);
    } else if (MlVectors.isVector(value)) {
      copy(MlVectors.toArray(value), dst, offset, where);
    } else {
      throw bad(where + " holds a " + value.getClass().getName());
    }
  }

  private void copy(float[] values, float[] dst, int offset, String where) {
    checkLength(values.length, where);
    System.arraycopy(values, 0, dst, offset, values.length);
  }

  private void copy(double[] values, float[] dst, int offset, String where) {
    checkLength(values.length, where);
    for (int i = 0; i < values.length; i++) {
      dst[offset + i] = (float) values[i];
    }
  }

  private void copy(scala.collection.Seq<?> values, float[] dst, int offset, String where) {
    checkLength(values.length(), where);
    scala.collection.Iterator<?> it = values.iterator();
    for (int i = 0; it.hasNext(); i++) {
      Object v = it.next();
      if (!(v instanceof Number n)) {
        throw bad(where + " has " + (v == null ? "a null" : "a " + v.getClass().getName())
            + " at index " + i);
      }
      dst[offset + i] = n.floatValue();
    }
  }

  /** Fixes the row shape to {@code (n)} if none is known yet (the first row of a partition). */
  void learnLength(int n) {
    if (length < 0) {
      length = n;
      rowShape = new int[] {n};
    }
  }

  void checkLength(int n, String where) {
    if (n != length) {
      throw bad(where + " has " + n + " values");
    }
  }

  private int naturalLength(Object value, String where) {
    if (value instanceof scala.collection.Seq<?> seq) {
      return seq.length();
    } else if (value instanceof float[] a) {
      return a.length;
    } else if (value instanceof double[] a) {
      return a.length;
    } else if (value != null && MlVectors.isVector(value)) {
      return MlVectors.toArray(value).length;
    }
    copy(value, null, 0, where); // throws: null, or a value of another type
    throw new AssertionError(value);
  }

  IllegalArgumentException bad(String what) {
    return new IllegalArgumentException(subject + ": " + what + "; expected "
        + expected());
  }

  /**
   * The model's refusal of rows of this shape (its {@code IllegalArgumentException}), said
   * with the subject and the row shape.
   */
  IllegalArgumentException refused(String model, IllegalArgumentException e) {
    return new IllegalArgumentException(subject + ": rows of shape " + shape(rowShape)
        + " do not fit " + model + " (" + e.getMessage() + ")" + (stated
            ? "; check inputShape(...)" : "; state the row shape with inputShape(...)"), e);
  }

  /** What a row must be, for messages. */
  String expected() {
    if (rowShape == null) {
      return "an array of numbers or an ML vector";
    }
    return "an array of " + length + " numbers, without nulls (input shape " + shape(rowShape)
        + (stated ? ")" : ", from the first row: state it with inputShape(...))");
  }

  /** PyTorch's way of writing a shape: {@code (1, 28, 28)}, {@code (784,)}. */
  static String shape(int[] dims) {
    if (dims.length == 1) {
      return "(" + dims[0] + ",)";
    }
    return Arrays.stream(dims).mapToObj(Integer::toString)
        .collect(Collectors.joining(", ", "(", ")"));
  }

  static int numel(int[] shape) {
    long n = 1;
    for (int d : shape) {
      n *= d;
    }
    return Math.toIntExact(n);
  }

  /** ML vectors, kept apart so that jobs without spark-mllib never load its classes. */
  private static final class MlVectors {
    static boolean isVector(Object value) {
      for (Class<?> c : value.getClass().getInterfaces()) {
        if (c.getName().equals("org.apache.spark.ml.linalg.Vector")) {
          return true;
        }
      }
      return false;
    }

    static double[] toArray(Object vector) {
      return ((org.apache.spark.ml.linalg.Vector) vector).toArray();
    }
  }
}
