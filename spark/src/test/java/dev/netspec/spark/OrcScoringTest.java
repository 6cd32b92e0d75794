package dev.netspec.spark;

import static dev.netspec.spark.ColumnarScoringTest.column;
import static dev.netspec.spark.ColumnarScoringTest.filled;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.netspec.examples.seed.Mlp;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tables stored as ORC, written and read back by a real local Spark: every output the plain
 * Java forward's, and bad rows named as over rows. Spark's ORC reader hands out column
 * batches of its own vectors (not the {@link WritableColumnVector}s of its Parquet reader,
 * and floats held as doubles, as ORC stores them), read through {@link ColumnVector}'s
 * public getters.
 */
class OrcScoringTest {
  @TempDir
  Path dir;

  @Test
  void scoresEveryRowOfAnOrcTableAsThePlainForwardDoes() throws Exception {
    Path weights = LocalSpark.saveWeights(() -> new Mlp(8), dir, "mlp");
    int rows = 20_003;
    float[][] features = new float[rows][20];
    Random random = new Random(13);
    List<Row> data = new ArrayList<>();
    for (int id = 0; id < rows; id++) {
      for (int j = 0; j < 20; j++) {
        features[id][j] = (float) random.nextGaussian();
      }
      data.add(RowFactory.create((long) id, features[id]));
    }
    Dataset<Row> files = LocalSpark.session().read().orc(write(data, DataTypes.FloatType, 3));
    assertNotNull(ColumnarScorer.source(files, column(files)), "read as column batches");
    List<Row> result = NetspecScorer.of(Mlp.class, weights.toString()).batchSize(256)
        .transform(files).select("id", "prediction").collectAsList();
    float[][] expected = LocalSpark.plainForward(new Mlp(), weights, features, 20);
    LocalSpark.assertAllMatch(expected, result, rows, "row");
  }

  @Test
  void doublesAndIntsFromOrc() throws Exception {
    Path weights = LocalSpark.saveWeights(() -> new Mlp(9), dir, "mlp");
    int rows = 600;
    float[][] features = new float[rows][20];
    List<Row> doubles = new ArrayList<>();
    List<Row> ints = new ArrayList<>();
    for (int id = 0; id < rows; id++) {
      double[] d = new double[20];
      int[] n = new int[20];
      for (int j = 0; j < 20; j++) {
        n[j] = (id * 7 + j * 3) % 11 - 5; // small integers: exact as floats
        d[j] = n[j];
        features[id][j] = n[j];
      }
      doubles.add(RowFactory.create((long) id, d));
      ints.add(RowFactory.create((long) id, n));
    }
    float[][] expected = LocalSpark.plainForward(new Mlp(), weights, features, 20);
    NetspecScorer scorer = NetspecScorer.of(Mlp.class, weights.toString()).inputShape(20)
        .batchSize(64);
    for (Dataset<Row> files : List.of(
        LocalSpark.session().read().orc(write(doubles, DataTypes.DoubleType, 2)),
        LocalSpark.session().read().orc(write(ints, DataTypes.IntegerType, 2)))) {
      List<Row> result = scorer.transform(files).select("id", "prediction").collectAsList();
      LocalSpark.assertAllMatch(expected, result, rows, files.schema().simpleString() + " row");
    }
  }

  @Test
  void badRowsInOrcAreNamedAsOverRows() throws Exception {
    LocalSpark.saveWeights(() -> new Mlp(1), dir, "mlp");
    String expected = "expected an array of 20 numbers, without nulls (input shape (20,))";
    assertFailsFromOrc("column 'features': row 2 of partition 0 has 19 values; " + expected,
        filled(20), filled(20), filled(19));
    assertFailsFromOrc("column 'features': row 1 of partition 0 is null; " + expected,
        filled(20), null, filled(20));
    Float[] holey = filled(20);
    holey[5] = null;
    assertFailsFromOrc("column 'features': row 3 of partition 0 has a null at index 5; "
        + expected, filled(20), filled(20), filled(20), holey);
  }

  private void assertFailsFromOrc(String message, Float[]... features) {
    ColumnarScoringTest.assertFailsFrom("orc", dir, message, features);
  }

  private String write(List<Row> data, DataType element, int files) {
    return ColumnarScoringTest.write("orc", dir, data, element, files);
  }
}
