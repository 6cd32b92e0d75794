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
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Rows per second through Spark against the plain single-JVM loop over the same rows, both at
 * batch 256 on one thread (Spark {@code local[1]}, one kernel thread): the cost of Spark's
 * row handling around the same forward. Spark scores a cached DataFrame into the {@code noop}
 * sink (every row computed, nothing collected); the loop copies each row into the batch
 * tensor, runs {@code forward(x, out)} and copies each output row out, as the scorer does.
 * Runs alternate (Spark, loop, Spark, ...) so that a change in the machine's load hits both;
 * the medians are reported, by wall clock and by the process's CPU time. A third run, Spark
 * reading the same cached rows into the sink without scoring, shows how much of the overhead
 * is Spark's scan itself.
 *
 * <p>{@code benchmarks/spark.sh [MODEL] [ROWS] [RUNS]}; MODEL is {@code mlp} (the tutorial's
 * 20-256-10), {@code mnist} (784-64-32-10) or {@code cifar} (a small CNN on 3x32x32).
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
    Dataset<Row> table = spark.range(0, rows, 1, partitions)
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
        }, Encoders.row(schema)).cache();
    table.count(); // materialize the cache
    Dataset<Row> scored = NetspecScorer.of(w.type(), weights.toString())
        .inputShape(w.rowShape()).batchSize(BATCH).transform(table);

    float[][] data = new float[rows][];
    for (int id = 0; id < rows; id++) {
      data[id] = features(id, width);
    }
    Module model = w.make().get();
    SafeTensors.loadStateDict(model, weights, true);
    model.eval();

    System.out.printf("%s: %d rows of %d floats, batch %d, one thread, %d runs each%n", name,
        rows, width, BATCH, runs);
    double[][] spark2 = new double[2][runs];
    double[][] plain = new double[2][runs];
    double[][] scan = new double[2][runs];
    for (int r = -1; r < runs; r++) { // run -1 warms both up
      double[] s = time(() -> scored.write().format("noop").mode("overwrite").save());
      double[] p = time(() -> plainLoop(model, data, w.rowShape()));
      double[] t = time(() -> table.write().format("noop").mode("overwrite").save());
      if (r >= 0) {
        for (int c = 0; c < 2; c++) {
          spark2[c][r] = s[c];
          plain[c][r] = p[c];
          scan[c][r] = t[c];
        }
        System.out.printf("  run %d: spark %.3f s (cpu %.3f s), plain loop %.3f s (cpu %.3f s),"
            + " spark scan alone %.3f s (cpu %.3f s)%n", r, s[0], s[1], p[0], p[1], t[0], t[1]);
      }
    }
    report("wall", rows, median(spark2[0]), median(plain[0]), median(scan[0]));
    report("cpu", rows, median(spark2[1]), median(plain[1]), median(scan[1]));
    spark.stop();
  }

  private static void report(String clock, int rows, double spark, double plain, double scan) {
    System.out.printf("%s clock: spark %.0f rows/s, plain loop %.0f rows/s, spark/plain %.2f"
        + " (overhead %.0f%%); the scan alone takes %.0f%% of the loop's time%n", clock,
        rows / spark, rows / plain, plain / spark, 100 * (spark / plain - 1),
        100 * scan / plain);
  }

  /** The plain loop: rows into the batch tensor, forward(x, out), each output row copied out. */
  static long plainLoop(Module model, float[][] rows, int[] rowShape) {
    int width = rows[0].length;
    int[] shape = new int[rowShape.length + 1];
    shape[0] = BATCH;
    System.arraycopy(rowShape, 0, shape, 1, rowShape.length);
    Tensor x = Tensor.zeros(shape);
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
