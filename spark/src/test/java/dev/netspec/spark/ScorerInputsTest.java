package dev.netspec.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netspec.examples.MnistMlp;
import dev.netspec.examples.seed.Mlp;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The other inputs a scorer takes, each compared with the plain Java forward row by row. */
class ScorerInputsTest {
  @TempDir
  Path dir;

  private final Random random = new Random(11);

  @Test
  void imagesAsArraysOfDoublesWithARowShapeAndAPaddedLastBatch() throws Exception {
    Path weights = LocalSpark.saveWeights(() -> new MnistMlp(3), dir, "mnist");
    float[][] images = randomRows(300, 784);
    List<Row> result = NetspecScorer.of(MnistMlp.class, weights.toString())
        .inputCol("pixels").inputShape(1, 28, 28).outputCol("log_probs").batchSize(64)
        .transform(table(images, DataTypes.createArrayType(DataTypes.DoubleType), true, 3))
        .select("id", "log_probs").collectAsList();

    float[][] expected = LocalSpark.plainForward(new MnistMlp(), weights, images, 1, 28, 28);
    LocalSpark.assertAllMatch(expected, result, images.length, "image");
  }

  @Test
  void mlVectorsDenseAndSparse() throws Exception {
    Path weights = LocalSpark.saveWeights(() -> new Mlp(5), dir, "mlp");
    float[][] features = randomRows(40, 20);
    List<Row> rows = new ArrayList<>();
    for (int id = 0; id < features.length; id++) {
      double[] values = new double[20];
      for (int j = 0; j < 20; j++) {
        // Odd rows mostly zeros, stored sparse: the scorer must see the zeros too.
        values[j] = id % 2 == 1 && j % 3 != 0 ? 0 : features[id][j];
        features[id][j] = (float) values[j];
      }
      Vector v = id % 2 == 1 ? Vectors.dense(values).toSparse() : Vectors.dense(values);
      rows.add(RowFactory.create((long) id, v));
    }
    StructType schema = new StructType().add("id", DataTypes.LongType)
        .add("features", SQLDataTypes.VectorType());
    NetspecScorer scorer = NetspecScorer.of(Mlp.class, weights.toString());
    Dataset<Row> table = LocalSpark.session().createDataFrame(rows, schema).repartition(2);
    List<Row> result = scorer.transform(table).select("id", "prediction").collectAsList();

    float[][] expected = LocalSpark.plainForward(new Mlp(), weights, features, 20);
    LocalSpark.assertAllMatch(expected, result, features.length, "vector");

    // The SQL function receives them as ML Vector objects.
    scorer.register(LocalSpark.session(), "mlp_vectors");
    table.createOrReplaceTempView("vectors");
    List<Row> sql = LocalSpark.session()
        .sql("SELECT id, mlp_vectors(features) FROM vectors").collectAsList();
    LocalSpark.assertAllMatch(expected, sql, features.length, "sql vector");
  }

  @Test
  void sqlFunction() throws Exception {
    SparkSession spark = LocalSpark.session();
    Path weights = LocalSpark.saveWeights(() -> new Mlp(9), dir, "mlp");
    NetspecScorer.of(Mlp.class, weights.toString()).register(spark, "mlp_score");
    float[][] features = randomRows(500, 20);
    table(features, DataTypes.createArrayType(DataTypes.FloatType), false, 2)
        .createOrReplaceTempView("sql_rows");
    List<Row> result = spark.sql(
        "SELECT id, mlp_score(features) AS y FROM sql_rows WHERE id % 2 = 0").collectAsList();

    float[][] expected = LocalSpark.plainForward(new Mlp(), weights, features, 20);
    LocalSpark.assertAllMatch(expected, result, features.length / 2, "sql row");
    assertEquals("array<float>", spark.sql("SELECT mlp_score(features) FROM sql_rows")
        .schema().fields()[0].dataType().simpleString());
  }

  @Test
  void weightsFromAHadoopFileSystemUri() throws Exception {
    Path weights = LocalSpark.saveWeights(() -> new Mlp(13), dir, "mlp");
    String uri = weights.toUri().toString(); // file:///...: read through Hadoop's FileSystem
    float[][] features = randomRows(300, 20);
    List<Row> result = NetspecScorer.of(Mlp.class, uri)
        .transform(table(features, DataTypes.createArrayType(DataTypes.FloatType), false, 2))
        .select("id", "prediction").collectAsList();

    float[][] expected = LocalSpark.plainForward(new Mlp(), weights, features, 20);
    LocalSpark.assertAllMatch(expected, result, features.length, "row");
  }

  private float[][] randomRows(int count, int width) {
    float[][] rows = new float[count][width];
    for (float[] row : rows) {
      for (int j = 0; j < width; j++) {
        row[j] = (float) random.nextGaussian();
      }
    }
    return rows;
  }

  /** Columns id and {@code column} holding {@code values} as {@code type} (float or double). */
  static Dataset<Row> table(float[][] values, DataType type,
      boolean doubles, int partitions) {
    List<Row> rows = new ArrayList<>();
    for (int id = 0; id < values.length; id++) {
      Object value = values[id];
      if (doubles) {
        double[] d = new double[values[id].length];
        for (int j = 0; j < d.length; j++) {
          d[j] = values[id][j];
        }
        value = d;
      }
      rows.add(RowFactory.create((long) id, value));
    }
    String column = doubles ? "pixels" : "features";
    StructType schema = new StructType().add("id", DataTypes.LongType).add(column, type);
    return LocalSpark.session().createDataFrame(rows, schema).repartition(partitions);
  }
}
