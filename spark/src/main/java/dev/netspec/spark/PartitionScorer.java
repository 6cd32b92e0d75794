package dev.netspec.spark;

import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.catalyst.InternalRow;

/**
 * The work of one partition ({@code mapPartitions} over Spark's own rows): rows in, the same
 * rows with the output column appended out, {@code batchSize} rows per forward. The model
 * comes from {@link ExecutorModels} (loaded once per executor JVM); the task borrows a session
 * of it at its first row and gives it back when the task ends. What is serialized to the
 * executors is this small description, never the weights.
 */
final class PartitionScorer implements FlatMapFunction<Iterator<InternalRow>, InternalRow> {
  private static final long serialVersionUID = 1L;

  private final ScorerSpec spec;
  private final InputColumn column;

  PartitionScorer(ScorerSpec spec, InputColumn column) {
    this.spec = spec;
    this.column = column;
  }

  @Override
  public Iterator<InternalRow> call(Iterator<InternalRow> rows) {
    return new Batches(spec, rows);
  }

  /** Reads a batch of rows ahead, scores it, and hands the rows out one by one. */
  private final class Batches extends TaskScoring {
    private final Iterator<InternalRow> rows;
    private final RowArena batch = new RowArena(spec.batchSize());
    private int count; // rows in the current batch
    private int next; // the next of them to hand out

    Batches(ScorerSpec spec, Iterator<InternalRow> rows) {
      super(spec);
      this.rows = rows;
    }

    @Override
    public boolean hasNext() {
      if (next < count) {
        return true;
      }
      if (!rows.hasNext()) {
        release();
        return false;
      }
      score();
      return true;
    }

    @Override
    public InternalRow next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      int i = next++;
      return withOutput(batch.get(i), i);
    }

    /** Reads up to a batch of rows and runs the model over them (the tail padded with zeros). */
    private void score() {
      count = 0;
      next = 0;
      batch.clear();
      float[] data = null;
      int rowLength = 0;
      while (count < spec.batchSize() && rows.hasNext()) {
        InternalRow row = rows.next(); // the iterator may reuse it: the batch keeps a copy
        if (data == null) {
          // The first row of a partition may fix the row shape: learn it before sizing x.
          input.learnLength(column.length(row, input, where()));
          data = batchInput();
          rowLength = data.length / spec.batchSize();
        }
        column.copy(row, data, count * rowLength, input, where());
        batch.keep(count++, row);
        seen++;
      }
      Arrays.fill(data, count * rowLength, data.length, 0f);
      forward();
    }
  }
}
