package dev.netspec.spark;

import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeProjection;
import org.apache.spark.sql.execution.ColumnarToRowExec;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.WholeStageCodegenExec;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * The work of one partition when Spark reads the input as column batches (its vectorized
 * Parquet reader, 4,096 rows a batch by default, and its in-memory cache): each row's values
 * go from the batch's vector straight into the model's batch, with none of the row-at-a-time
 * work of {@link PartitionScorer} (Spark's conversion of each row to its row format, and the
 * copy of every row kept until its output is known). Rows come out as those of {@code
 * ColumnarToRowExec} would, the output column appended.
 *
 * <p>A forward's rows may span two column batches: the rows of the first are copied into
 * Spark's row format (as bytes in one reused array, {@link RowArena}) before the next batch
 * overwrites them, and the forward runs once its batch is full, as over rows.
 */
final class ColumnarScorer implements FlatMapFunction<Iterator<ColumnarBatch>, InternalRow> {
  private static final long serialVersionUID = 1L;

  private final ScorerSpec spec;
  private final InputColumn column;
  private final StructType schema; // the input rows'

  ColumnarScorer(ScorerSpec spec, InputColumn column, StructType schema) {
    this.spec = spec;
    this.column = column;
    this.schema = schema;
  }

  /**
   * The column batches {@code rows} is read from, when its plan is a columnar scan turned into
   * rows and nothing else (a DataFrame read from Parquet, the columns as stored, or from Spark's
   * in-memory cache), with the same columns in the same order; otherwise {@code null}, and the
   * rows are scored as rows.
   */
  static RDD<ColumnarBatch> source(Dataset<Row> rows, InputColumn column) {
    if (!column.readsColumns()) {
      return null;
    }
    SparkPlan plan = rows.queryExecution().executedPlan();
    if (plan instanceof WholeStageCodegenExec stage) {
      plan = stage.child();
    }
    if (!(plan instanceof ColumnarToRowExec toRows)) {
      return null;
    }
    SparkPlan scan = toRows.child();
    return scan.supportsColumnar() && sameColumns(scan.schema(), rows.schema())
        ? scan.executeColumnar() : null;
  }

  private static boolean sameColumns(StructType a, StructType b) {
    if (a.length() != b.length()) {
      return false;
    }
    for (int i = 0; i < a.length(); i++) {
      String typeA = a.apply(i).dataType().catalogString();
      if (!a.apply(i).name().equals(b.apply(i).name())
          || !typeA.equals(b.apply(i).dataType().catalogString())) {
        return false;
      }
    }
    return true;
  }

  @Override
  public Iterator<InternalRow> call(Iterator<ColumnarBatch> batches) {
    return new Batches(spec, batches);
  }

  /**
   * Fills a forward's batch from the current column batch, scores it, and hands the rows out:
   * first those carried over from the previous column batch, then the current one's.
   */
  private final class Batches extends TaskScoring {
    private final Iterator<ColumnarBatch> batches;
    private final RowArena carried = new RowArena(spec.batchSize()); // rows of an older batch
    private UnsafeProjection toRow; // copies a carried row into Spark's row format
    private ColumnarBatch current; // valid until the next batches.hasNext() (which refills it)
    private int rows; // current's rows, as they were when it was handed out
    private int position; // the next row of current to read
    private int kept; // rows of the forward's batch carried over (its first rows)
    private int from; // the first row of current in the forward's batch
    private int count; // rows in the forward's batch
    private int next; // the next of them to hand out

    Batches(ScorerSpec spec, Iterator<ColumnarBatch> batches) {
      super(spec);
      this.batches = batches;
    }

    @Override
    public boolean hasNext() {
      while (next >= count) {
        if (position == rows && !batches.hasNext()) {
          release();
          return false;
        }
        score();
      }
      return true;
    }

    @Override
    public InternalRow next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      int i = next++;
      return withOutput(i < kept ? carried.get(i) : current.getRow(from + i - kept), i);
    }

    /**
     * Reads up to a batch of rows and runs the model over them (the tail padded with zeros);
     * reads none when the column batches left are empty.
     */
    private void score() {
      count = 0;
      next = 0;
      kept = 0;
      from = position;
      carried.clear();
      float[] data = null;
      int rowLength = 0;
      while (count < spec.batchSize()) {
        if (position == rows) {
          // Asking for the next batch overwrites this one: keep its rows of this forward.
          for (int r = from; r < position; r++) {
            if (toRow == null) {
              toRow = UnsafeProjection.create(schema);
            }
            carried.keep(kept++, toRow.apply(current.getRow(r)));
          }
          if (!batches.hasNext()) {
            break;
          }
          current = batches.next();
          rows = current.numRows();
          position = 0;
          from = 0;
          continue;
        }
        var vector = current.column(column.index());
        if (data == null) {
          // The first row of a partition may fix the row shape: learn it before sizing x.
          input.learnLength(column.length(vector, position, input, where()));
          data = batchInput();
          rowLength = data.length / spec.batchSize();
        }
        column.copy(vector, position++, data, count++ * rowLength, input, where());
        seen++;
      }
      if (count > 0) {
        Arrays.fill(data, count * rowLength, data.length, 0f);
        forward();
      }
    }
  }
}
