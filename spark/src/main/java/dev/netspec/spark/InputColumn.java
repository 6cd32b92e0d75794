package dev.netspec.spark;

import java.io.Serializable;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.UserDefinedType;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.unsafe.Platform;

/**
 * The input column as Spark stores it in its rows ({@code InternalRow}): read element by
 * element into the batch's float array, with no objects per row or per value. An ML vector
 * is stored as the struct {@code (type, size, indices, values)} of Spark's {@code VectorUDT}
 * (type 0 sparse, 1 dense), read here without spark-mllib.
 *
 * @param index the column's position in the rows
 * @param containsNull whether the array type allows null elements (each is checked then)
 */
record InputColumn(int index, Kind kind, boolean containsNull) implements Serializable {
  /** The element types a column may hold. */
  enum Kind { FLOAT, DOUBLE, INT, LONG, SHORT, BYTE, VECTOR }

  /** The column for {@code type}, or {@code null} if it cannot be scored. */
  static InputColumn of(int index, DataType type) {
    if (type instanceof UserDefinedType<?> udt
        && udt.userClass().getName().equals("org.apache.spark.ml.linalg.Vector")) {
      return new InputColumn(index, Kind.VECTOR, false);
    }
    if (!(type instanceof ArrayType array)) {
      return null;
    }
    DataType e = array.elementType();
    Kind kind = e instanceof FloatType ? Kind.FLOAT
        : e instanceof DoubleType ? Kind.DOUBLE
        : e instanceof IntegerType ? Kind.INT
        : e instanceof LongType ? Kind.LONG
        : e instanceof ShortType ? Kind.SHORT
        : e instanceof ByteType ? Kind.BYTE
        : null;
    return kind == null ? null : new InputColumn(index, kind, array.containsNull());
  }

  /** How many values the row holds (the row shape, when none was stated). */
  int length(InternalRow row, RowInput input, String where) {
    if (row.isNullAt(index)) {
      throw input.bad(where + " is null");
    }
    if (kind == Kind.VECTOR) {
      InternalRow v = row.getStruct(index, 4);
      return v.getByte(0) == 1 ? v.getArray(3).numElements() : v.getInt(1);
    }
    return row.getArray(index).numElements();
  }

  /** Copies the row's values into {@code dst} from {@code offset}, checking them first. */
  void copy(InternalRow row, float[] dst, int offset, RowInput input, String where) {
    if (row.isNullAt(index)) {
      throw input.bad(where + " is null");
    }
    if (kind == Kind.VECTOR) {
      copyVector(row.getStruct(index, 4), dst, offset, input, where);
      return;
    }
    copy(row.getArray(index), dst, offset, input, where);
  }

  private void copy(ArrayData a, float[] dst, int offset, RowInput input, String where) {
    int n = a.numElements();
    input.checkLength(n, where);
    if (containsNull) {
      for (int i = 0; i < n; i++) {
        if (a.isNullAt(i)) {
          throw input.bad(where + " has a null at index " + i);
        }
      }
    }
    switch (kind) {
      case FLOAT -> {
        if (a instanceof UnsafeArrayData u) { // Spark's own rows: the floats as stored, at once
          Platform.copyMemory(u.getBaseObject(), u.getBaseOffset()
              + UnsafeArrayData.calculateHeaderPortionInBytes(n), dst,
              Platform.FLOAT_ARRAY_OFFSET + 4L * offset, 4L * n);
        } else {
          for (int i = 0; i < n; i++) {
            dst[offset + i] = a.getFloat(i);
          }
        }
      }
      case DOUBLE -> {
        for (int i = 0; i < n; i++) {
          dst[offset + i] = (float) a.getDouble(i);
        }
      }
      case INT -> {
        for (int i = 0; i < n; i++) {
          dst[offset + i] = a.getInt(i);
        }
      }
      case LONG -> {
        for (int i = 0; i < n; i++) {
          dst[offset + i] = a.getLong(i);
        }
      }
      case SHORT -> {
        for (int i = 0; i < n; i++) {
          dst[offset + i] = a.getShort(i);
        }
      }
      case BYTE -> {
        for (int i = 0; i < n; i++) {
          dst[offset + i] = a.getByte(i);
        }
      }
      default -> throw new AssertionError(kind);
    }
  }

  /** Whether Spark's column batches can be read directly (arrays; ML vectors go by rows). */
  boolean readsColumns() {
    return kind != Kind.VECTOR;
  }

  /** How many values row {@code rowId} of a column batch's vector holds. */
  int length(ColumnVector column, int rowId, RowInput input, String where) {
    if (column.isNullAt(rowId)) {
      throw input.bad(where + " is null");
    }
    return column instanceof WritableColumnVector w ? w.getArrayLength(rowId)
        : column.getArray(rowId).numElements();
  }

  /**
   * Copies row {@code rowId} of a column batch's array vector into {@code dst} from {@code
   * offset}, checking it first: the values straight from the vector of all the batch's
   * elements (dictionary-decoded by it when the file stored them so), no objects per row.
   */
  void copy(ColumnVector column, int rowId, float[] dst, int offset, RowInput input,
      String where) {
    if (column.isNullAt(rowId)) {
      throw input.bad(where + " is null");
    }
    int start;
    int n;
    ColumnVector values;
    if (column instanceof WritableColumnVector w) { // Spark's own vectors (its Parquet reader's)
      start = w.getArrayOffset(rowId);
      n = w.getArrayLength(rowId);
      values = w.arrayData();
    } else {
      copy(column.getArray(rowId), dst, offset, input, where); // any other ColumnVector
      return;
    }
    input.checkLength(n, where);
    if (values.hasNull()) {
      for (int i = 0; i < n; i++) {
        if (values.isNullAt(start + i)) {
          throw input.bad(where + " has a null at index " + i);
        }
      }
    }
    switch (kind) {
      case FLOAT -> {
        for (int i = 0; i < n; i++) {
          dst[offset + i] = values.getFloat(start + i);
        }
      }
      case DOUBLE -> {
        for (int i = 0; i < n; i++) {
          dst[offset + i] = (float) values.getDouble(start + i);
        }
      }
      case INT -> {
        for (int i = 0; i < n; i++) {
          dst[offset + i] = values.getInt(start + i);
        }
      }
      case LONG -> {
        for (int i = 0; i < n; i++) {
          dst[offset + i] = values.getLong(start + i);
        }
      }
      case SHORT -> {
        for (int i = 0; i < n; i++) {
          dst[offset + i] = values.getShort(start + i);
        }
      }
      case BYTE -> {
        for (int i = 0; i < n; i++) {
          dst[offset + i] = values.getByte(start + i);
        }
      }
      default -> throw new AssertionError(kind);
    }
  }

  private static void copyVector(InternalRow v, float[] dst, int offset, RowInput input,
      String where) {
    ArrayData values = v.getArray(3);
    if (v.getByte(0) == 1) { // dense: values only
      int n = values.numElements();
      input.checkLength(n, where);
      for (int i = 0; i < n; i++) {
        dst[offset + i] = (float) values.getDouble(i);
      }
      return;
    }
    int n = v.getInt(1); // sparse: size, indices, values
    input.checkLength(n, where);
    java.util.Arrays.fill(dst, offset, offset + n, 0f);
    ArrayData indices = v.getArray(2);
    for (int k = 0; k < indices.numElements(); k++) {
      dst[offset + indices.getInt(k)] = (float) values.getDouble(k);
    }
  }
}
