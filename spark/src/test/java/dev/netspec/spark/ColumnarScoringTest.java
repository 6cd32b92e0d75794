package dev.netspec.spark;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.examples.seed.Mlp;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tables Spark reads as column batches (Parquet) are scored from the batches
 * ({@link ColumnarScorer}): every output still the plain Java forward's, forwards spanning
 * several column batches, other element types, and bad rows named as over rows.
 */
class ColumnarScoringTest {
  @TempDir
  Path dir;

  @Test
  void forwardsSpanningSeveralColumnBatchesMatchThePlainForward() throws Exception {
    SparkSession spark = LocalSpark.session();
    Path weights = LocalSpark.saveWeights(() -> new Mlp(5), dir, "mlp");
    int rows = 10_007;
    float[][] features = new float[rows][20];
    Random random = new Random(11);
    List<Row> data = new ArrayList<>();
    for (int id = 0; id < rows; id++) {
      for (int j = 0; j < 20; j++) {
        features[id][j] = (float) random.nextGaussian();
      }
      data.add(RowFactory.create((long) id, features[id]));
    }
    String table = write("parquet", dir, data, DataTypes.FloatType, 3);
    // Column batches of 100 rows: each forward of 256 rows carries rows over two batch ends.
    spark.conf().set("spark.sql.parquet.columnarReaderBatchSize", "100");
    try {
      Dataset<Row> files = spark.read().parquet(table);
      assertNotNull(ColumnarScorer.source(files, column(files)), "read as column batches");
      List<Row> result = NetspecScorer.of(Mlp.class, weights.toString()).batchSize(256)
          .transform(files).select("id", "prediction").collectAsList();
      float[][] expected = LocalSpark.plainForward(new Mlp(), weights, features, 20);
      LocalSpark.assertAllMatch(expected, result, rows, "row");
    } finally {
      spark.conf().unset("spark.sql.parquet.columnarReaderBatchSize");
    }
  }

  @Test
  void doublesFromParquetAndFromTheCacheWithAStatedShape() throws Exception {
    Path weights = LocalSpark.saveWeights(() -> new Mlp(6), dir, "mlp");
    int rows = 700;
    float[][] features = new float[rows][20];
    List<Row> data = new ArrayList<>();
    for (int id = 0; id < rows; id++) {
      double[] row = new double[20];
      for (int j = 0; j < 20; j++) {
        row[j] = Math.sin(id * 0.37 + j); // exactly representable after the cast below
        features[id][j] = (float) row[j];
      }
      data.add(RowFactory.create((long) id, row));
    }
    Dataset<Row> files = LocalSpark.session().read().parquet(write("parquet", dir, data,
        DataTypes.DoubleType, 2));
    assertNotNull(ColumnarScorer.source(files, column(files)), "read as column batches");
    NetspecScorer scorer = NetspecScorer.of(Mlp.class, weights.toString()).inputShape(20)
        .batchSize(64);
    List<Row> result = scorer.transform(files).select("id", "prediction").collectAsList();
    float[][] expected = LocalSpark.plainForward(new Mlp(), weights, features, 20);
    LocalSpark.assertAllMatch(expected, result, rows, "row");

    // Spark's in-memory cache hands its rows out as column batches too.
    Dataset<Row> cached = files.cache();
    try {
      assertNotNull(ColumnarScorer.source(cached, column(cached)), "cache as column batches");
      result = scorer.transform(cached).select("id", "prediction").collectAsList();
      LocalSpark.assertAllMatch(expected, result, rows, "cached row");
    } finally {
      cached.unpersist();
    }
  }

  @Test
  void whichPlansAreReadAsColumnBatches() {
    StructType schema = new StructType().add("id", DataTypes.LongType, false)
        .add("label", DataTypes.StringType)
        .add("features", DataTypes.createArrayType(DataTypes.FloatType, false), false);
    String table = dir.resolve("three").toString();
    LocalSpark.session().createDataFrame(List.of(RowFactory.create(0L, "a", new float[20])),
        schema).write().parquet(table);
    Dataset<Row> files = LocalSpark.session().read().parquet(table);
    assertNotNull(ColumnarScorer.source(files, column(files)));
    // Columns in stored order: Spark reads only those, still as column batches.
    Dataset<Row> some = files.select("id", "features");
    assertNotNull(ColumnarScorer.source(some, column(some)));
    Dataset<Row> filtered = files.where("id >= 0");
    assertNull(ColumnarScorer.source(filtered, column(filtered)));
    Dataset<Row> reordered = files.select("features", "id");
    assertNull(ColumnarScorer.source(reordered, column(reordered)));
  }

  @Test
  void badRowsInParquetAreNamedAsOverRows() throws Exception {
    LocalSpark.saveWeights(() -> new Mlp(1), dir, "mlp");
    String expected = "expected an array of 20 numbers, without nulls (input shape (20,))";
    assertFailsFromParquet("column 'features': row 2 of partition 0 has 19 values; " + expected,
        good(), good(), filled(19));
    assertFailsFromParquet("column 'features': row 1 of partition 0 is null; " + expected,
        good(), null, good());
    Float[] holey = good();
    holey[5] = null;
    assertFailsFromParquet("column 'features': row 3 of partition 0 has a null at index 5; "
        + expected, good(), good(), good(), holey);
  }

  private void assertFailsFromParquet(String message, Float[]... features) {
    assertFailsFrom("parquet", dir, message, features);
  }

  /**
   * Writes (id, features) rows with nulls allowed to one file of {@code format} in {@code dir},
   * reads it back as column batches and checks that scoring it fails with {@code message}.
   */
  static void assertFailsFrom(String format, Path dir, String message, Float[]... features) {
    List<Row> data = new ArrayList<>();
    for (int id = 0; id < features.length; id++) {
      Float[] f = features[id];
      data.add(RowFactory.create((long) id, f == null ? null : Arrays.asList(f)));
    }
    StructType schema = new StructType().add("id", DataTypes.LongType)
        .add("features", DataTypes.createArrayType(DataTypes.FloatType, true), true);
    String table = dir.resolve("bad" + message.hashCode()).toString();
    LocalSpark.session().createDataFrame(data, schema).coalesce(1).write().format(format)
        .save(table);
    Dataset<Row> files = LocalSpark.session().read().format(format).load(table);
    assertNotNull(ColumnarScorer.source(files, column(files)), "read as column batches");
    NetspecScorer scorer = NetspecScorer.of(Mlp.class, dir.resolve("mlp.safetensors").toString())
        .inputShape(20);
    String text = BadRowsTest.failureText(() -> scorer.transform(files).collectAsList());
    assertTrue(text.contains(message), () -> "expected \"" + message + "\" in:\n" + text);
  }

  private static Float[] good() {
    return filled(20);
  }

  static Float[] filled(int length) {
    Float[] row = new Float[length];
    Arrays.fill(row, 0.5f);
    return row;
  }

  /** Writes (id, features) rows as {@code format} in {@code files} files; returns the directory. */
  static String write(String format, Path dir, List<Row> data, DataType element, int files) {
    StructType schema = new StructType().add("id", DataTypes.LongType, false)
        .add("features", DataTypes.createArrayType(element, false), false);
    String table = dir.resolve(format + element.typeName()).toString();
    LocalSpark.session().createDataFrame(data, schema).repartition(files).write().format(format)
        .save(table);
    return table;
  }

  static InputColumn column(Dataset<Row> rows) {
    int index = rows.schema().fieldIndex("features");
    return InputColumn.of(index, rows.schema().fields()[index].dataType());
  }
}
