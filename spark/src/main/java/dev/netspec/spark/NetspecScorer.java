package dev.netspec.spark;

import dev.netspec.runtime.nn.Module;
import java.io.Serializable;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Objects;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * Scores a Spark DataFrame with a netspec model: each row's input column (an array of numbers
 * or an ML vector) goes through the model's forward, and the output row is appended as a new
 * column of {@code array<float>}.
 *
 * <pre>{@code
 * Dataset<Row> scored = NetspecScorer.of(MnistMlp.class, "hdfs:///models/mnist.safetensors")
 *     .inputCol("pixels").inputShape(1, 28, 28)
 *     .outputCol("log_probs")
 *     .transform(images);
 * }</pre>
 *
 * <p>Each executor JVM builds the model and reads the weights once, at its first task, and
 * keeps them for later tasks and jobs; its concurrent tasks run replicas that share the
 * weights. Within a partition, rows go through the zero-allocation {@code forward(x, out)}
 * {@link #batchSize(int) batchSize} at a time (the last batch padded with zeros). A row whose
 * value is null, holds a null or has the wrong number of values fails the job with a message
 * naming the column, the row and the expected shape.
 *
 * <p>Values are immutable: each setter returns a new scorer, so one can be shared and varied.
 */
public final class NetspecScorer implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The default number of rows per forward. */
  public static final int DEFAULT_BATCH_SIZE = 256;

  private final ScorerSpec spec;

  private NetspecScorer(ScorerSpec spec) {
    if (spec.batchSize() < 1) {
      throw new IllegalArgumentException("batch size must be at least 1, got " + spec.batchSize());
    }
    if (spec.inputShape() != null) {
      for (int d : spec.inputShape()) {
        if (d < 1) {
          throw new IllegalArgumentException("input shape sizes must be at least 1, got "
              + Arrays.toString(spec.inputShape()));
        }
      }
    }
    this.spec = spec;
  }

  /**
   * A scorer for {@code modelClass} (a generated block, or any {@link Module} with a public
   * no-argument constructor) with the safetensors weights at {@code weightsPath}: a path every
   * executor can read, local ({@code /shared/models/m.safetensors}, {@code file:...}) or a
   * Hadoop file system URI ({@code hdfs://...}, {@code s3a://...}). Reads column
   * {@code features} into column {@code prediction}, 256 rows per forward.
   */
  public static NetspecScorer of(Class<? extends Module> modelClass, String weightsPath) {
    Objects.requireNonNull(modelClass, "modelClass");
    Objects.requireNonNull(weightsPath, "weightsPath");
    try {
      if (!Modifier.isPublic(modelClass.getConstructor().getModifiers())
          || Modifier.isAbstract(modelClass.getModifiers())) {
        throw new NoSuchMethodException();
      }
    } catch (NoSuchMethodException e) {
      throw new IllegalArgumentException(modelClass.getName() + " needs a public no-argument"
          + " constructor (generated blocks have one): executors build the model with it");
    }
    return new NetspecScorer(new ScorerSpec(modelClass.getName(), weightsPath, "features",
        "prediction", DEFAULT_BATCH_SIZE, null));
  }

  /** The column to read: an array of numbers (float, double, int, ...) or an ML vector. */
  public NetspecScorer inputCol(String column) {
    return with(Objects.requireNonNull(column, "column"), spec.outputCol(), spec.batchSize(),
        spec.inputShape());
  }

  /** The column to add, {@code array<float>}: each row's output, flattened in row-major order. */
  public NetspecScorer outputCol(String column) {
    return with(spec.inputCol(), Objects.requireNonNull(column, "column"), spec.batchSize(),
        spec.inputShape());
  }

  /** Rows per forward (default 256). */
  public NetspecScorer batchSize(int rows) {
    return with(spec.inputCol(), spec.outputCol(), rows, spec.inputShape());
  }

  /**
   * One row's shape as the model takes it, without the batch dimension: {@code
   * inputShape(1, 28, 28)} for a model whose input is {@code (batch, 1, 28, 28)}, read from
   * arrays of 784 values in row-major order. Without it, a row of {@code n} values is the
   * shape {@code (n,)}, {@code n} taken from each partition's first row.
   */
  public NetspecScorer inputShape(int... shape) {
    return with(spec.inputCol(), spec.outputCol(), spec.batchSize(), shape.clone());
  }

  private NetspecScorer with(String in, String out, int batch, int[] shape) {
    return new NetspecScorer(new ScorerSpec(spec.modelClass(), spec.weightsPath(), in, out,
        batch, shape));
  }

  /**
   * The rows of {@code rows} with the output column appended, computed lazily as Spark does
   * (by the action that uses the result), per partition in {@code mapPartitions}.
   *
   * @throws IllegalArgumentException at once if the input column is missing or not numeric,
   *     or the output column exists
   */
  public Dataset<Row> transform(Dataset<Row> rows) {
    return transform(rows, true);
  }

  /**
   * {@link #transform(Dataset)}; with {@code columnar} false, always over rows, even where
   * Spark reads column batches (for tests and the benchmark's comparison of the two).
   */
  Dataset<Row> transform(Dataset<Row> rows, boolean columnar) {
    StructType schema = rows.schema();
    if (!Arrays.asList(schema.fieldNames()).contains(spec.inputCol())) {
      throw new IllegalArgumentException("no column '" + spec.inputCol() + "' to score; the"
          + " columns are " + Arrays.toString(schema.fieldNames()));
    }
    if (Arrays.asList(schema.fieldNames()).contains(spec.outputCol())) {
      throw new IllegalArgumentException("column '" + spec.outputCol() + "' exists already:"
          + " choose another outputCol(...)");
    }
    int index = schema.fieldIndex(spec.inputCol());
    DataType type = schema.fields()[index].dataType();
    InputColumn column = InputColumn.of(index, type);
    if (column == null) {
      throw new IllegalArgumentException("column '" + spec.inputCol() + "' is "
          + type.simpleString() + "; expected an array of float, double, int, long, short or"
          + " byte, or an ML vector");
    }
    StructType out = schema.add(spec.outputCol(),
        DataTypes.createArrayType(DataTypes.FloatType, false), false);
    // Spark's own rows in and out (no conversion to Row objects and back, which cost more
    // than a small model's forward): the input rows' RDD, scored, as a DataFrame again.
    if (!(rows.sparkSession() instanceof org.apache.spark.sql.classic.SparkSession session)) {
      throw new IllegalArgumentException("netspec-spark runs in the Spark application itself"
          + " (a classic SparkSession), not through a Spark Connect client");
    }
    // A table read as column batches (Parquet, Spark's cache) is scored from them directly.
    RDD<ColumnarBatch> batches = columnar ? ColumnarScorer.source(rows, column) : null;
    RDD<InternalRow> scored = batches != null
        ? batches.toJavaRDD().mapPartitions(new ColumnarScorer(spec, column, schema)).rdd()
        : rows.queryExecution().toRdd().toJavaRDD()
            .mapPartitions(new PartitionScorer(spec, column)).rdd();
    return session.internalCreateDataFrame(scored, out, false);
  }

  /**
   * Registers this model as the SQL function {@code name}: {@code SELECT name(features) FROM
   * t} gives each row's output as {@code array<float>}. The function scores one row per call
   * (a batch of 1), so {@link #transform} is the faster way through a whole table; the
   * function suits SQL-only users and small queries. The scorer's input column does not
   * matter here (the function's argument is the input); its input shape does.
   */
  public void register(SparkSession spark, String name) {
    spark.udf().register(name, new ScoreFunction(spec, name),
        DataTypes.createArrayType(DataTypes.FloatType, false));
  }

  @Override
  public String toString() {
    return "NetspecScorer(" + spec.modelClass() + ", " + spec.weightsPath() + ", "
        + spec.inputCol() + " -> " + spec.outputCol() + ", batch " + spec.batchSize()
        + (spec.inputShape() == null ? "" : ", row shape "
            + RowInput.shape(spec.inputShape())) + ")";
  }
}
