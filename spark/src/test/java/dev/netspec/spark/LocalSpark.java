package dev.netspec.spark;

import dev.netspec.runtime.autograd.GradMode;
import dev.netspec.runtime.io.SafeTensors;
import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.tensor.Tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * One real local Spark ({@code local[2]}: two task threads, as two executors' cores would run)
 * for every test class of this module, started at first use; and the plain Java forward the
 * tests compare Spark's outputs with.
 */
final class LocalSpark {
  private static SparkSession spark;

  private LocalSpark() {}

  static synchronized SparkSession session() {
    if (spark == null) {
      spark = SparkSession.builder()
          .master("local[2]")
          .appName("netspec-spark-tests")
          .config("spark.ui.enabled", "false")
          .config("spark.sql.shuffle.partitions", "4")
          .config("spark.driver.host", "127.0.0.1")
          .config("spark.sql.session.timeZone", "UTC")
          .getOrCreate();
    }
    return spark;
  }

  /**
   * Checks Spark's output row against the plain forward's, to 1e-5 relative (batches of
   * another size may sum in another order); returns the worst relative difference.
   */
  static double assertRowMatches(float[] expected, List<?> got, String what) {
    assertEquals(expected.length, got.size(), what + ": output size");
    double worst = 0;
    for (int j = 0; j < expected.length; j++) {
      float g = ((Number) got.get(j)).floatValue();
      double scale = Math.max(1, Math.abs(expected[j]));
      double diff = Math.abs(g - expected[j]) / scale;
      assertTrue(diff <= 1e-5, what + " output " + j + ": spark " + g + ", plain " + expected[j]);
      worst = Math.max(worst, diff);
    }
    return worst;
  }

  /**
   * Checks {@code count} rows of (id, output) against {@code expected[id]}: no id twice, each
   * matching; returns the worst relative difference.
   */
  static double assertAllMatch(float[][] expected, List<Row> result, int count, String what) {
    assertEquals(count, result.size(), what + " rows");
    boolean[] seen = new boolean[expected.length];
    double worst = 0;
    for (Row row : result) {
      int id = Math.toIntExact(row.getLong(0));
      assertTrue(!seen[id], what + " " + id + " came out twice");
      seen[id] = true;
      worst = Math.max(worst, assertRowMatches(expected[id], row.getList(1), what + " " + id));
    }
    return worst;
  }

  /** A model of {@code make}'s class with its weights saved to {@code dir}; returns the file. */
  static Path saveWeights(Supplier<? extends Module> make, Path dir, String name) throws Exception {
    Path file = dir.resolve(name + ".safetensors");
    SafeTensors.saveStateDict(make.get(), file);
    return file;
  }

  /**
   * The plain Java forward of {@code rows} (each {@code rowShape}) through {@code model}
   * loaded from {@code weights}, in eval mode: one output row per input row.
   */
  static float[][] plainForward(Module model, Path weights, float[][] rows, int... rowShape)
      throws Exception {
    SafeTensors.loadStateDict(model, weights, true);
    model.eval();
    int[] shape = new int[rowShape.length + 1];
    System.arraycopy(rowShape, 0, shape, 1, rowShape.length);
    float[][] out = new float[rows.length][];
    try (GradMode.Scope inference = GradMode.noGrad()) {
      for (int start = 0; start < rows.length; start += 1000) {
        int n = Math.min(1000, rows.length - start);
        shape[0] = n;
        int width = rows[start].length;
        float[] data = new float[n * width];
        for (int i = 0; i < n; i++) {
          System.arraycopy(rows[start + i], 0, data, i * width, width);
        }
        Tensor y = model.forward(Tensor.fromArray(data, shape)).contiguous();
        int outWidth = Math.toIntExact(y.numel() / n);
        for (int i = 0; i < n; i++) {
          out[start + i] = new float[outWidth];
          System.arraycopy(y.array(), y.arrayOffset() + i * outWidth, out[start + i], 0,
              outWidth);
        }
      }
    }
    return out;
  }
}
