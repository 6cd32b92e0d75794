package dev.netspec.spark;

import java.lang.management.ManagementFactory;
import java.util.Random;
import org.apache.spark.sql.execution.vectorized.OnHeapColumnVector;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.vectorized.ColumnarArray;

/**
 * What copying one row's floats out of a Spark column vector costs, per way of asking for
 * them: element by element ({@code getFloat}, what {@link InputColumn} does), Spark's bulk
 * getter ({@code getFloats(rowId, count)}, which returns a new array, then one array copy),
 * and {@code ColumnarArray.toFloatArray()}. An on-heap array vector as Spark's Parquet reader
 * fills it: {@code ROWS} rows of {@code LENGTH} floats. Prints nanoseconds of thread CPU time
 * and bytes allocated per row, medians of rounds (run: {@code benchmarks/spark.sh
 * copy [LENGTH] [ROUNDS]}).
 */
final class ColumnCopyCost {
  private static final int ROWS = 4096;

  public static void main(String[] args) {
    int length = args.length > 0 ? Integer.parseInt(args[0]) : 784;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
    WritableColumnVector column = new OnHeapColumnVector(ROWS,
        DataTypes.createArrayType(DataTypes.FloatType, false));
    WritableColumnVector values = column.arrayData();
    values.reserve(ROWS * length);
    Random random = new Random(1);
    for (int i = 0; i < ROWS * length; i++) {
      values.putFloat(i, random.nextFloat());
    }
    for (int r = 0; r < ROWS; r++) {
      column.putArray(r, r * length, length);
    }
    float[] dst = new float[256 * length];
    String[] names = {"getFloat loop", "getFloats + arraycopy", "ColumnarArray.toFloatArray"};
    double[][] ns = new double[names.length][rounds];
    double[][] bytes = new double[names.length][rounds];
    float check = 0;
    for (int round = 0; round < rounds; round++) {
      for (int way = 0; way < names.length; way++) {
        long cpu0 = cpu();
        long alloc0 = allocated();
        for (int r = 0; r < ROWS; r++) {
          copy(way, column, values, r, dst, (r % 256) * length);
        }
        ns[way][round] = (double) (cpu() - cpu0) / ROWS;
        bytes[way][round] = (double) (allocated() - alloc0) / ROWS;
        check += dst[length];
      }
    }
    System.out.printf("%d rows of %d floats, %d rounds (medians, thread CPU time)%n", ROWS,
        length, rounds);
    for (int way = 0; way < names.length; way++) {
      System.out.printf("%-28s %8.1f ns/row %10.1f B/row%n", names[way], median(ns[way]),
          median(bytes[way]));
    }
    System.out.println("(check " + check + ")");
  }

  private static void copy(int way, WritableColumnVector column, WritableColumnVector values,
      int row, float[] dst, int offset) {
    int start = column.getArrayOffset(row);
    int n = column.getArrayLength(row);
    switch (way) {
      case 0 -> {
        for (int i = 0; i < n; i++) {
          dst[offset + i] = values.getFloat(start + i);
        }
      }
      case 1 -> System.arraycopy(values.getFloats(start, n), 0, dst, offset, n);
      default -> {
        ColumnarArray a = column.getArray(row);
        System.arraycopy(a.toFloatArray(), 0, dst, offset, n);
      }
    }
  }

  private static long cpu() {
    return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
  }

  private static long allocated() {
    return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
        .getThreadAllocatedBytes(Thread.currentThread().getId());
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    java.util.Arrays.sort(s);
    return s[s.length / 2];
  }
}
