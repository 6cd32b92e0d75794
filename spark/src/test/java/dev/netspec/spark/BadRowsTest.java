package dev.netspec.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.examples.seed.Mlp;
import dev.netspec.runtime.nn.Linear;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rows that do not fit fail the job with one message naming the column, the row and the
 * expected shape; mistakes in the scorer's own setup fail at once, on the driver.
 */
class BadRowsTest {
  private static final String EXPECTED_20 =
      "expected an array of 20 numbers, without nulls (input shape (20,))";

  @TempDir
  Path dir;

  private NetspecScorer scorer;

  @BeforeEach
  void weights() throws Exception {
    scorer = NetspecScorer.of(Mlp.class,
        LocalSpark.saveWeights(() -> new Mlp(1), dir, "mlp").toString());
  }

  @Test
  void wrongLength() {
    assertFails("column 'features': row 3 of partition 0 has 19 values; " + EXPECTED_20,
        scorer.inputShape(20), rows(good(), good(), good(), filled(19), good()));
  }

  @Test
  void nullRow() {
    assertFails("column 'features': row 1 of partition 0 is null; " + EXPECTED_20,
        scorer.inputShape(20), rows(good(), null, good()));
  }

  @Test
  void nullInsideARow() {
    Float[] holey = good();
    holey[5] = null;
    assertFails("column 'features': row 2 of partition 0 has a null at index 5; "
        + EXPECTED_20, scorer.inputShape(20), rows(good(), good(), holey));
  }

  @Test
  void lengthChangesWithoutAStatedShape() {
    assertFails("column 'features': row 2 of partition 0 has 21 values; expected an array of"
        + " 20 numbers, without nulls (input shape (20,), from the first row: state it with"
        + " inputShape(...))", scorer, rows(good(), good(), filled(21)));
  }

  @Test
  void aShapeTheModelRefuses() {
    assertFails("column 'features': rows of shape (4, 5) do not fit Mlp (Mlp: expected an"
        + " input of shape (batch, 20), got [256, 4, 5]); check inputShape(...)",
        scorer.inputShape(4, 5), rows(good(), good()));
  }

  @Test
  void sqlFunctionArgument() {
    scorer.inputShape(20).register(LocalSpark.session(), "bad_rows_mlp");
    rows(good(), filled(7)).createOrReplaceTempView("bad_rows");
    String text = failureText(() -> LocalSpark.session()
        .sql("SELECT bad_rows_mlp(features) FROM bad_rows").collectAsList());
    assertTrue(text.contains("SQL function bad_rows_mlp: the argument has 7 values; "
        + EXPECTED_20), text);
  }

  @Test
  void missingWeights() {
    NetspecScorer missing = NetspecScorer.of(Mlp.class, dir.resolve("none.safetensors").toString());
    assertFails("cannot load the weights of dev.netspec.examples.seed.Mlp: "
        + dir.resolve("none.safetensors") + ": cannot read: no such file or directory",
        missing, rows(good()));
  }

  @Test
  void setupMistakesFailOnTheDriver() {
    Dataset<Row> table = rows(good());
    assertEquals("no column 'pixels' to score; the columns are [id, features]",
        assertThrows(IllegalArgumentException.class,
            () -> scorer.inputCol("pixels").transform(table)).getMessage());
    assertEquals("column 'id' is bigint; expected an array of float, double, int, long, short or"
        + " byte, or an ML vector",
        assertThrows(IllegalArgumentException.class,
            () -> scorer.inputCol("id").transform(table)).getMessage());
    assertEquals("column 'id' exists already: choose another outputCol(...)",
        assertThrows(IllegalArgumentException.class,
            () -> scorer.outputCol("id").transform(table)).getMessage());
    assertEquals("batch size must be at least 1, got 0",
        assertThrows(IllegalArgumentException.class, () -> scorer.batchSize(0)).getMessage());
    assertEquals("dev.netspec.runtime.nn.Linear needs a public no-argument constructor"
        + " (generated blocks have one): executors build the model with it",
        assertThrows(IllegalArgumentException.class,
            () -> NetspecScorer.of(Linear.class, "w.safetensors")).getMessage());
  }

  private static Float[] good() {
    return filled(20);
  }

  private static Float[] filled(int length) {
    Float[] row = new Float[length];
    Arrays.fill(row, 0.5f);
    return row;
  }

  /** One partition of rows (so row numbers are known): id and features, nulls allowed. */
  private static Dataset<Row> rows(Float[]... features) {
    List<Row> rows = new ArrayList<>();
    for (int id = 0; id < features.length; id++) {
      Float[] f = features[id];
      rows.add(RowFactory.create((long) id, f == null ? null : Arrays.asList(f)));
    }
    StructType schema = new StructType().add("id", DataTypes.LongType)
        .add("features", DataTypes.createArrayType(DataTypes.FloatType, true), true);
    return LocalSpark.session().createDataFrame(rows, schema).coalesce(1);
  }

  private static void assertFails(String message, NetspecScorer scorer, Dataset<Row> rows) {
    String text = failureText(() -> scorer.transform(rows).collectAsList());
    assertTrue(text.contains(message), () -> "expected \"" + message + "\" in:\n" + text);
  }

  /** The messages of what {@code action} threw and its causes, one per line. */
  static String failureText(Runnable action) {
    Exception e = assertThrows(Exception.class, action::run);
    StringBuilder text = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      text.append(t.getMessage()).append('\n');
    }
    return text.toString();
  }
}
