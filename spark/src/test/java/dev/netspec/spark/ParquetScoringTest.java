package dev.netspec.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.examples.seed.Mlp;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The test: a table of 100,000 rows written to Parquet and read back, scored on a
 * local Spark, every output compared with the plain Java forward of the same row.
 */
class ParquetScoringTest {
  private static final int ROWS = 100_000;

  @TempDir
  Path dir;

  @Test
  void scoresEveryRowOfAParquetTableAsThePlainForwardDoes() throws Exception {
    SparkSession spark = LocalSpark.session();
    Path weights = LocalSpark.saveWeights(() -> new Mlp(42), dir, "mlp");

    Random random = new Random(7);
    float[][] features = new float[ROWS][20];
    List<Row> rows = new ArrayList<>(ROWS);
    for (int id = 0; id < ROWS; id++) {
      for (int j = 0; j < 20; j++) {
        features[id][j] = (float) random.nextGaussian();
      }
      rows.add(RowFactory.create((long) id, features[id]));
    }
    StructType schema = new StructType()
        .add("id", DataTypes.LongType, false)
        .add("features", DataTypes.createArrayType(DataTypes.FloatType, false), false);
    String table = dir.resolve("table.parquet").toString();
    spark.createDataFrame(rows, schema).repartition(5).write().parquet(table);
    rows = null;

    int loadsBefore = ExecutorModels.loads();
    Dataset<Row> files = spark.read().parquet(table);
    // Spark reads these files as column batches: the scorer takes its rows from them.
    assertNotNull(ColumnarScorer.source(files, InputColumn.of(1, files.schema().apply(1)
        .dataType())));
    Dataset<Row> scored = NetspecScorer.of(Mlp.class, weights.toString())
        .inputCol("features")
        .outputCol("prediction")
        .batchSize(256)
        .transform(files);
    assertEquals("struct<id:bigint,features:array<float>,prediction:array<float>>",
        scored.schema().simpleString());
    List<Row> result = scored.select("id", "prediction").collectAsList();

    // Five partitions on two task threads: one load, at most one replica beside the original.
    assertEquals(1, ExecutorModels.loads() - loadsBefore, "model loads in this JVM");
    assertTrue(ExecutorModels.get(Mlp.class.getName(), weights.toString()).sessions() <= 2);

    float[][] expected = LocalSpark.plainForward(new Mlp(), weights, features, 20);
    double worst = LocalSpark.assertAllMatch(expected, result, ROWS, "row");
    System.out.printf("ParquetScoringTest: %d rows, worst relative difference %.3g%n", ROWS,
        worst);
  }
}
