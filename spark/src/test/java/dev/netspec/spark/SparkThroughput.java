package dev.netspec.spark;

import dev.netspec.examples.CifarCnn;
import dev.netspec.examples.MnistMlp;
import dev.netspec.examples.seed.Mlp;
import dev.netspec.runtime.autograd.GradMode;
import dev.netspec.runtime.io.SafeTensors;
import dev.netspec.runtime.kernels.Kernels;
import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.function.Supplier;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.execution.datasources.parquet.VectorizedParquetRecordReader;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * Rows per second through Spark against the plain single-JVM loop over the same rows, both at
 * batch 256 on one thread (Spark {@code local[1]}, one kernel thread): the cost of Spark's
 * row handling around the same forward. The rows are written once to Parquet (as a table to
 * score would be stored); Spark reads those files and scores them into the {@code noop} sink
 * (every row computed, nothing collected). Its peers are plain loops in the same JVM, on one
 * thread with the same model, each copying the same rows into the batch tensor, running
 * {@code forward(x, out)} and copying each output row out, as the scorer does: one reads the
 * same Parquet files with Spark's own vectorized decoder outside Spark (the same decoding
 * work: the difference is what Spark's tasks, plans and rows add), one with parquet-mr's
 * column reader ({@link PlainParquet}: what a program without Spark's jars would use), one
 * over the rows already in memory (the forward's cost alone, the bound no reader reaches).
 * Two more runs: Spark reading the files into the sink without scoring (its scan alone), and
 * the scorer over rows where Spark reads column batches (the path before {@link
 * ColumnarScorer}). Runs alternate so that a change in the machine's load hits all; the
 * medians are reported, by wall clock and by the process's CPU time (the one to read on a
 * loaded machine; Spark's own threads count in it, as they would on an executor).
 *
 * <p>{@code benchmarks/spark.sh [MODEL] [ROWS] [RUNS] [SOURCE]}; MODEL is {@code mlp} (the
 * tutorial's 20-256-10), {@code mnist} (784-64-32-10) or {@code cifar} (a small CNN on
 * 3x32x32); SOURCE is {@code parquet} (the default), {@code parquet-nodict} (the files written
 * without Parquet's dictionary encoding: plain floats, cheaper to decode) or {@code cache}:
 * Spark reads the same rows from its in-memory cache instead of the files.
 */
public final class SparkThroughput {
  private static final int BATCH = 256;

  private record Workload(String name, Supplier<Module> make, Class<? extends Module> type,
      int[] rowShape, int defaultRows) {}

  private static final List<Workload> WORKLOADS = List.of(
      new Workload("mlp", () -> new Mlp(1), Mlp.class, new int[] {20}, 1_000_000),
      new Workload("mnist", () -> new MnistMlp(1), MnistMlp.class, new int[] {1, 28, 28},
          200_000),
      new Workload("cifar", () -> new CifarCnn(1), CifarCnn.class, new int[] {3, 32, 32},
          5_000));

  public static void main(String[] args) throws Exception {
    String name = args.length > 0 ? args[0] : "mnist";
    Workload w = WORKLOADS.stream().filter(x -> x.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("model: mlp, mnist or cifar"));
    int rows = args.length > 1 ? Integer.parseInt(args[1]) : w.defaultRows();
    int runs = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    String source = args.length > 3 ? args[3] : "parquet";
    if (!List.of("parquet", "parquet-nodict", "cache").contains(source)) {
      throw new IllegalArgumentException("source: parquet, parquet-nodict or cache");
    }
    Kernels.setThreads(1);
    int width = RowInput.numel(w.rowShape());

    Path dir = Files.createTempDirectory("netspec-spark-bench");
    Path weights = dir.resolve(name + ".safetensors");
    SafeTensors.saveStateDict(w.make().get(), weights);

    SparkSession spark = SparkSession.builder().master("local[1]").appName("netspec-bench")
        .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
        .getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    StructType schema = new StructType().add("id", DataTypes.LongType, false)
        .add("features", DataTypes.createArrayType(DataTypes.FloatType, false), false);
    int partitions = Math.max(1, Math.min(8, rows / 10_000));
    Path parquet = dir.resolve("rows.parquet");
    spark.range(0, rows, 1, partitions)
        .mapPartitions((MapPartitionsFunction<Long, Row>) ids -> new Iterator<>() {
          @Override
          public boolean hasNext() {
            return ids.hasNext();
          }

          @Override
          public Row next() {
            long id = ids.next();
            return RowFactory.create(id, features(id, width));
          }
        }, Encoders.row(schema)).write()
        // Spark's default tries a dictionary for every column; random floats fill it with
        // distinct values, and decoding ids costs more than reading plain floats.
        .option("parquet.enable.dictionary", !source.equals("parquet-nodict"))
        .parquet(parquet.toString());
    Dataset<Row> files = spark.read().parquet(parquet.toString());
    Dataset<Row> table = source.equals("cache") ? files.cache() : files;
    table.count(); // materializes the cache
    NetspecScorer scorer = NetspecScorer.of(w.type(), weights.toString())
        .inputShape(w.rowShape()).batchSize(BATCH);
    Dataset<Row> scored = scorer.transform(table);
    Dataset<Row> overRows = scorer.transform(table, false); // the scorer before column batches
    List<Path> parts = PlainParquet.files(parquet);

    float[][] data = new float[rows][];
    for (int id = 0; id < rows; id++) {
      data[id] = features(id, width);
    }
    Module model = w.make().get();
    SafeTensors.loadStateDict(model, weights, true);
    model.eval();

    System.out.printf("%s: %d rows of %d floats in %d Parquet files (%s), Spark reading %s,"
        + " batch %d, one thread, %d runs each%n", name, rows, width, parts.size(),
        source.equals("parquet-nodict") ? "no dictionary" : "dictionary allowed",
        source.equals("cache") ? "them cached in memory" : "the files", BATCH, runs);
    String[] names = {"spark", "plain loop on Parquet (parquet-mr)",
        "plain loop on Parquet (Spark's decoder)", "plain loop in memory", "spark scan alone",
        "spark over rows"};
    Runnable[] bodies = {
        () -> scored.write().format("noop").mode("overwrite").save(),
        () -> plainParquet(model, parts, w.rowShape(), rows),
        () -> plainVectorized(model, parts, w.rowShape(), rows),
        () -> plainLoop(model, data, w.rowShape()),
        () -> table.write().format("noop").mode("overwrite").save(),
        () -> overRows.write().format("noop").mode("overwrite").save()};
    double[][][] times = new double[bodies.length][2][runs];
    for (int r = -1; r < runs; r++) { // run -1 warms all up
      StringBuilder line = new StringBuilder("  run " + r + ":");
      for (int k = 0; k < bodies.length; k++) {
        double[] t = time(bodies[k]);
        if (r >= 0) {
          times[k][0][r] = t[0];
          times[k][1][r] = t[1];
          line.append(String.format(" %s %.3f s (cpu %.3f s)%s", names[k], t[0], t[1],
              k + 1 < bodies.length ? "," : ""));
        }
      }
      if (r >= 0) {
        System.out.println(line);
      }
    }
    String[] clocks = {"wall", "cpu"};
    for (int c = 0; c < 2; c++) {
      double sparkTime = median(times[0][c]);
      System.out.printf("%s clock: spark %.0f rows/s; against it (spark/peer, >= 0.80 is an"
          + " overhead <= 25%%):%n", clocks[c], rows / sparkTime);
      for (int k = 1; k < bodies.length; k++) {
        double t = median(times[k][c]);
        System.out.printf("  %s: %.0f rows/s, spark/this %.2f (overhead %.0f%%)%n", names[k],
            rows / t, t / sparkTime, 100 * (sparkTime / t - 1));
      }
    }
    spark.stop();
    deleteTree(dir);
  }

  private static void deleteTree(Path dir) throws java.io.IOException {
    try (java.util.stream.Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /**
   * The plain loop reading the Parquet files without Spark: each file's rows straight into
   * the batch tensor, forward(x, out) when it is full, each output row copied out.
   */
  static long plainParquet(Module model, List<Path> files, int[] rowShape, int expectedRows) {
    Batcher b = new Batcher(model, rowShape);
    long rows = 0;
    try {
      for (Path f : files) {
        rows += PlainParquet.read(f, "features", b.width, b);
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    b.flush();
    if (rows != expectedRows) {
      throw new IllegalStateException("read " + rows + " rows, wrote " + expectedRows);
    }
    return b.check;
  }

  /**
   * The plain loop reading the Parquet files with Spark's own decoder, outside Spark: its
   * vectorized reader (the one Spark's scan runs) over each file, 4,096 rows a column batch,
   * each row's floats copied into the batch tensor as the scorer copies them, forward(x, out)
   * when it is full, each output row copied out. The same decoding as Spark's scan, without
   * Spark's tasks, plans and rows: what Spark itself adds is the difference.
   */
  static long plainVectorized(Module model, List<Path> files, int[] rowShape, int expectedRows) {
    Batcher b = new Batcher(model, rowShape);
    InputColumn column = InputColumn.of(0,
        DataTypes.createArrayType(DataTypes.FloatType, false));
    RowInput input = new RowInput("column 'features'", rowShape);
    long rows = 0;
    try {
      for (Path f : files) {
        try (VectorizedParquetRecordReader reader = new VectorizedParquetRecordReader(false,
            4096)) {
          reader.initialize(f.toString(), List.of("features"));
          reader.initBatch(new StructType(), new GenericInternalRow(0)); // no partition columns
          while (reader.nextBatch()) {
            ColumnarBatch batch = reader.resultBatch();
            for (int r = 0; r < batch.numRows(); r++) {
              int at = b.nextRow();
              column.copy(batch.column(0), r, b.buffer(), at, input, "row");
              rows++;
            }
          }
        }
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    b.flush();
    if (rows != expectedRows) {
      throw new IllegalStateException("read " + rows + " rows, wrote " + expectedRows);
    }
    return b.check;
  }

  /** The batch tensor the Parquet loop fills: a forward each time it is full. */
  private static final class Batcher implements PlainParquet.Sink {
    final Module model;
    final int width;
    final Tensor x;
    final Tensor out;
    final int outWidth;
    int count;
    long check;

    Batcher(Module model, int[] rowShape) {
      this.model = model;
      this.width = RowInput.numel(rowShape);
      x = Tensor.zeros(batchShape(rowShape));
      try (GradMode.Scope inference = GradMode.noGrad()) {
        out = model.forward(x).contiguous();
      }
      outWidth = Math.toIntExact(out.numel() / BATCH);
    }

    @Override
    public int nextRow() {
      if (count == BATCH) {
        flush();
      }
      return width * count++;
    }

    @Override
    public float[] buffer() {
      return x.array();
    }

    void flush() {
      if (count == 0) {
        return;
      }
      Arrays.fill(x.array(), count * width, x.array().length, 0f);
      model.forward(x, out);
      for (int i = 0; i < count; i++) {
        float[] y = new float[outWidth];
        System.arraycopy(out.array(), out.arrayOffset() + i * outWidth, y, 0, outWidth);
        check += Float.floatToRawIntBits(y[0]);
      }
      count = 0;
    }
  }

  private static int[] batchShape(int[] rowShape) {
    int[] shape = new int[rowShape.length + 1];
    shape[0] = BATCH;
    System.arraycopy(rowShape, 0, shape, 1, rowShape.length);
    return shape;
  }

  /** The plain loop: rows into the batch tensor, forward(x, out), each output row copied out. */
  static long plainLoop(Module model, float[][] rows, int[] rowShape) {
    int width = rows[0].length;
    Tensor x = Tensor.zeros(batchShape(rowShape));
    Tensor out;
    try (GradMode.Scope inference = GradMode.noGrad()) {
      out = model.forward(x).contiguous();
    }
    int outWidth = Math.toIntExact(out.numel() / BATCH);
    long check = 0;
    for (int start = 0; start < rows.length; start += BATCH) {
      int n = Math.min(BATCH, rows.length - start);
      float[] in = x.array();
      for (int i = 0; i < n; i++) {
        System.arraycopy(rows[start + i], 0, in, i * width, width);
      }
      Arrays.fill(in, n * width, in.length, 0f);
      model.forward(x, out);
      for (int i = 0; i < n; i++) {
        float[] y = new float[outWidth];
        System.arraycopy(out.array(), out.arrayOffset() + i * outWidth, y, 0, outWidth);
        check += Float.floatToRawIntBits(y[0]);
      }
    }
    return check;
  }

  /** Row {@code id}'s features: the same on the driver and in Spark's tasks. */
  static float[] features(long id, int width) {
    float[] row = new float[width];
    long s = id * 0x9E3779B97F4A7C15L;
    for (int j = 0; j < width; j++) {
      s += 0x9E3779B97F4A7C15L;
      long z = s;
      z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
      z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
      z ^= z >>> 31;
      row[j] = (z >>> 40) / (float) (1 << 24) * 2 - 1; // uniform in [-1, 1)
    }
    return row;
  }

  private static double[] time(Runnable body) {
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long cpu0 = os.getProcessCpuTime();
    long t0 = System.nanoTime();
    body.run();
    return new double[] {(System.nanoTime() - t0) / 1e9, (os.getProcessCpuTime() - cpu0) / 1e9};
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  private SparkThroughput() {}
}
