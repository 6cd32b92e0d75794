package dev.netspec.spark;

import dev.netspec.examples.MnistMlp;
import dev.netspec.runtime.io.SafeTensors;
import dev.netspec.runtime.kernels.Kernels;
import dev.netspec.runtime.nn.Module;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.expressions.UnsafeProjection;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.execution.vectorized.OnHeapColumnVector;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * The scorer's own cost, without Spark's scan: {@link PartitionScorer} over rows already in
 * Spark's format ({@code UnsafeRow}s of an id and 784 floats, read by a reused iterator row as
 * Spark's scans hand them out), and {@link ColumnarScorer} over the same rows in column
 * batches as Spark's vectorized Parquet reader hands them out, each output row projected as
 * Spark's scan of the result does, against {@link SparkThroughput#plainLoop} over the same
 * rows as float arrays, all on this thread, alternating; medians of the thread's CPU time. The
 * ratios are what the scorer adds around the forward (MnistMlp, batch 256).
 *
 * <p>{@code benchmarks/spark.sh overhead [ROWS] [RUNS]}.
 */
public final class ScorerOverhead {
  private ScorerOverhead() {}

  public static void main(String[] args) throws Exception {
    int rows = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 7;
    Kernels.setThreads(1);
    int[] rowShape = {1, 28, 28};
    Path dir = Files.createTempDirectory("netspec-scorer-overhead");
    Path weights = dir.resolve("mnist.safetensors");
    SafeTensors.saveStateDict(new MnistMlp(1), weights);
    Module model = new MnistMlp(1);
    SafeTensors.loadStateDict(model, weights, true);
    model.eval();

    StructType schema = new StructType().add("id", DataTypes.LongType, false)
        .add("features", DataTypes.createArrayType(DataTypes.FloatType, false), false);
    StructType out = schema.add("prediction",
        DataTypes.createArrayType(DataTypes.FloatType, false), false);
    UnsafeProjection toUnsafe = UnsafeProjection.create(schema);
    float[][] data = new float[rows][];
    List<UnsafeRow> stored = new ArrayList<>();
    for (int id = 0; id < rows; id++) {
      data[id] = SparkThroughput.features(id, 784);
      stored.add(toUnsafe.apply(new GenericInternalRow(new Object[] {(long) id,
          UnsafeArrayData.fromPrimitiveArray(data[id])})).copy());
    }
    PartitionScorer scorer = new PartitionScorer(new ScorerSpec(MnistMlp.class.getName(),
        weights.toString(), "features", "prediction", 256, rowShape),
        InputColumn.of(1, schema.fields()[1].dataType()));

    ScorerSpec spec = new ScorerSpec(MnistMlp.class.getName(), weights.toString(), "features",
        "prediction", 256, rowShape);
    ColumnarScorer columnar = new ColumnarScorer(spec,
        InputColumn.of(1, schema.fields()[1].dataType()), schema);
    List<ColumnarBatch> batches = columnBatches(schema, data, 4096);

    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    double[] overRows = new double[runs];
    double[] overColumns = new double[runs];
    double[] plain = new double[runs];
    long check = 0;
    for (int r = -2; r < runs; r++) { // two warm-up rounds
      long t0 = cpu.getCurrentThreadCpuTime();
      check += drain(scorer.call(reused(stored)), UnsafeProjection.create(out));
      long t1 = cpu.getCurrentThreadCpuTime();
      check += drain(columnar.call(batches.iterator()), UnsafeProjection.create(out));
      long t2 = cpu.getCurrentThreadCpuTime();
      check += SparkThroughput.plainLoop(model, data, rowShape);
      long t3 = cpu.getCurrentThreadCpuTime();
      if (r >= 0) {
        overRows[r] = (t1 - t0) / 1e9;
        overColumns[r] = (t2 - t1) / 1e9;
        plain[r] = (t3 - t2) / 1e9;
      }
    }
    Arrays.sort(overRows);
    Arrays.sort(overColumns);
    Arrays.sort(plain);
    double p = plain[runs / 2];
    System.out.printf("%d rows, batch 256, thread CPU time, medians of %d: plain loop %.3f s%n",
        rows, runs, p);
    double s = overRows[runs / 2];
    System.out.printf("  scorer over rows %.3f s: plain/scorer %.2f (the scorer adds %.0f%%)%n",
        s, p / s, 100 * (s / p - 1));
    s = overColumns[runs / 2];
    System.out.printf("  scorer over column batches of 4,096 rows %.3f s: plain/scorer %.2f (the"
        + " scorer adds %.0f%%) [%d]%n", s, p / s, 100 * (s / p - 1), check % 10);
    Files.delete(weights);
    Files.delete(dir);
  }

  /** Each output row projected as Spark's scan of the result does; a checksum. */
  private static long drain(Iterator<InternalRow> rows, UnsafeProjection result) {
    long check = 0;
    while (rows.hasNext()) {
      check += result.apply(rows.next()).getSizeInBytes();
    }
    return check;
  }

  /**
   * The rows as Spark's vectorized Parquet reader hands them out: column batches of {@code
   * size} rows in on-heap vectors (ids, and arrays as offsets into one vector of floats).
   */
  private static List<ColumnarBatch> columnBatches(StructType schema, float[][] data, int size) {
    List<ColumnarBatch> batches = new ArrayList<>();
    for (int start = 0; start < data.length; start += size) {
      int n = Math.min(size, data.length - start);
      OnHeapColumnVector[] vectors = OnHeapColumnVector.allocateColumns(n, schema);
      WritableColumnVector values = vectors[1].arrayData();
      int width = data[start].length;
      values.reserve(n * width);
      for (int i = 0; i < n; i++) {
        vectors[0].putLong(i, start + i);
        vectors[1].putArray(i, i * width, width);
        values.putFloats(i * width, width, data[start + i], 0);
      }
      batches.add(new ColumnarBatch(vectors, n));
    }
    return batches;
  }

  /** The stored rows handed out through one reused row object, as Spark's scans do. */
  private static Iterator<InternalRow> reused(List<UnsafeRow> stored) {
    UnsafeRow row = new UnsafeRow(2);
    Iterator<UnsafeRow> it = stored.iterator();
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return it.hasNext();
      }

      @Override
      public InternalRow next() {
        UnsafeRow next = it.next();
        row.pointTo(next.getBaseObject(), next.getBaseOffset(), next.getSizeInBytes());
        return row;
      }
    };
  }
}
