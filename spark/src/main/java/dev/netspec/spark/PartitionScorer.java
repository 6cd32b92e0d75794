package dev.netspec.spark;

import dev.netspec.runtime.tensor.Tensor;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.JoinedRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.unsafe.Platform;
import org.apache.spark.util.TaskCompletionListener;

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
    return new Batches(rows);
  }

  /** Reads a batch of rows ahead, scores it, and hands the rows out one by one. */
  private final class Batches implements Iterator<InternalRow> {
    private final Iterator<InternalRow> rows;
    private final RowInput input = new RowInput("column '" + spec.inputCol() + "'",
        spec.inputShape());
    private final RowArena batch = new RowArena(spec.batchSize());
    private final GenericInternalRow appended = new GenericInternalRow(1); // the output column
    private final JoinedRow joined = new JoinedRow();
    private UnsafeArrayData outputRow; // one row's output, rewritten for each row handed out
    private final int partition;
    private ExecutorModels.Shared shared;
    private Session session; // borrowed at the first row, given back when the task ends
    private Tensor output;
    private int count; // rows in the current batch
    private int next; // the next of them to hand out
    private long seen; // rows read so far in this partition

    Batches(Iterator<InternalRow> rows) {
      this.rows = rows;
      TaskContext task = TaskContext.get();
      this.partition = task == null ? -1 : task.partitionId();
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
      int width = Math.toIntExact(output.numel() / output.size(0));
      if (outputRow == null || outputRow.numElements() != width) {
        outputRow = UnsafeArrayData.fromPrimitiveArray(new float[width]);
        appended.update(0, outputRow);
      }
      Platform.copyMemory(output.array(),
          Platform.FLOAT_ARRAY_OFFSET + 4L * (output.arrayOffset() + next * width),
          outputRow.getBaseObject(),
          outputRow.getBaseOffset() + UnsafeArrayData.calculateHeaderPortionInBytes(width),
          4L * width);
      // The same objects for every row, as Spark's own iterators do: the scan of these rows
      // (an UnsafeProjection) copies each into Spark's format before asking for the next.
      return joined.apply(batch.get(next++), appended);
    }

    /** Reads up to a batch of rows and runs the model over them (the tail padded with zeros). */
    private void score() {
      if (session == null) {
        borrow();
      }
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
          data = session.input(spec.batchSize(), input.rowShape()).array();
          rowLength = data.length / spec.batchSize();
        }
        column.copy(row, data, count * rowLength, input, where());
        batch.keep(count++, row);
        seen++;
      }
      Arrays.fill(data, count * rowLength, data.length, 0f);
      try {
        output = session.forward();
      } catch (IllegalArgumentException e) {
        throw input.refused(shared.name(), e);
      }
    }

    private String where() {
      return "row " + seen + (partition >= 0 ? " of partition " + partition : "");
    }

    private void borrow() {
      shared = ExecutorModels.get(spec.modelClass(), spec.weightsPath());
      session = shared.borrow();
      TaskContext task = TaskContext.get();
      if (task != null) {
        task.addTaskCompletionListener((TaskCompletionListener) done -> release());
      }
    }

    private void release() {
      if (session != null) {
        shared.giveBack(session);
        session = null;
      }
    }
  }
}
