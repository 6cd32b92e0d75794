package dev.netspec.spark;

import dev.netspec.runtime.tensor.Tensor;
import java.util.Iterator;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.JoinedRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.unsafe.Platform;
import org.apache.spark.util.TaskCompletionListener;

/**
 * What both ways of reading a partition share ({@link PartitionScorer} over rows,
 * {@link ColumnarScorer} over column batches): the task's session of the executor's model,
 * borrowed at the first row and given back when the task ends; the forward of a filled batch;
 * and the output rows, each input row with its output appended through reused objects.
 */
abstract class TaskScoring implements Iterator<InternalRow> {
  final ScorerSpec spec;
  final RowInput input;
  private final GenericInternalRow appended = new GenericInternalRow(1); // the output column
  private final JoinedRow joined = new JoinedRow();
  private UnsafeArrayData outputRow; // one row's output, rewritten for each row handed out
  private final int partition;
  private ExecutorModels.Shared shared;
  Session session; // borrowed at the first row, given back when the task ends
  private Tensor output;
  long seen; // rows read so far in this partition

  TaskScoring(ScorerSpec spec) {
    this.spec = spec;
    this.input = new RowInput("column '" + spec.inputCol() + "'", spec.inputShape());
    TaskContext task = TaskContext.get();
    this.partition = task == null ? -1 : task.partitionId();
  }

  /**
   * The batch's input array once the row shape is known (the first row of a partition may fix
   * it): {@code batchSize} rows of {@code input.rowShape()}, reused batch after batch.
   */
  final float[] batchInput() {
    if (session == null) {
      borrow();
    }
    return session.input(spec.batchSize(), input.rowShape()).array();
  }

  /** Runs the model over the filled batch. */
  final void forward() {
    try {
      output = session.forward();
    } catch (IllegalArgumentException e) {
      throw input.refused(shared.name(), e);
    }
  }

  /**
   * {@code row} with output row {@code i} of the last forward appended. The same objects for
   * every row, as Spark's own iterators do: the scan of these rows (an UnsafeProjection)
   * copies each into Spark's format before asking for the next.
   */
  final InternalRow withOutput(InternalRow row, int i) {
    int width = Math.toIntExact(output.numel() / output.size(0));
    if (outputRow == null || outputRow.numElements() != width) {
      outputRow = UnsafeArrayData.fromPrimitiveArray(new float[width]);
      appended.update(0, outputRow);
    }
    Platform.copyMemory(output.array(),
        Platform.FLOAT_ARRAY_OFFSET + 4L * (output.arrayOffset() + (long) i * width),
        outputRow.getBaseObject(),
        outputRow.getBaseOffset() + UnsafeArrayData.calculateHeaderPortionInBytes(width),
        4L * width);
    return joined.apply(row, appended);
  }

  /** The row being read, for messages: "row 12 of partition 3". */
  final String where() {
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

  /** Gives the session back (at the end of the partition, or when the task ends). */
  final void release() {
    if (session != null) {
      shared.giveBack(session);
      session = null;
    }
  }
}
