package dev.netspec.spark;

import dev.netspec.runtime.tensor.Tensor;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.TaskCompletionListener;

/**
 * The work of one partition: rows in, the same rows with the output column appended out,
 * {@code batchSize} rows per forward. The model comes from {@link ExecutorModels} (loaded
 * once per executor JVM); the task borrows a session of it for the partition and gives it
 * back when the task ends. What is serialized to the executors is this small description,
 * never the weights.
 */
final class PartitionScorer implements MapPartitionsFunction<Row, Row> {
  private static final long serialVersionUID = 1L;

  private final ScorerSpec spec;
  private final int column; // index of the input column in the rows

  PartitionScorer(ScorerSpec spec, int column) {
    this.spec = spec;
    this.column = column;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    return new Batches(rows);
  }

  /** Reads a batch of rows ahead, scores it, and hands the rows out one by one. */
  private final class Batches implements Iterator<Row> {
    private final Iterator<Row> rows;
    private final RowInput input = new RowInput("column '" + spec.inputCol() + "'",
        spec.inputShape());
    private final Row[] batch = new Row[spec.batchSize()];
    private final int partition;
    private ExecutorModels.Shared shared;
    private Session session; // borrowed at the first row, given back when the task ends
    private Tensor output;
    private int count; // rows in the current batch
    private int next; // the next of them to hand out
    private long seen; // rows read so far in this partition

    Batches(Iterator<Row> rows) {
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
    public Row next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      Row row = batch[next];
      batch[next] = null;
      int width = Math.toIntExact(output.numel() / output.size(0));
      float[] out = new float[width];
      System.arraycopy(output.array(), output.arrayOffset() + next * width, out, 0, width);
      next++;
      Object[] values = new Object[row.length() + 1];
      for (int i = 0; i < row.length(); i++) {
        values[i] = row.get(i);
      }
      values[row.length()] = out;
      return RowFactory.create(values);
    }

    /** Reads up to a batch of rows and runs the model over them (the tail padded with zeros). */
    private void score() {
      if (session == null) {
        borrow();
      }
      count = 0;
      next = 0;
      Tensor x = null;
      float[] data = null;
      int rowLength = 0;
      while (count < batch.length && rows.hasNext()) {
        Row row = rows.next();
        if (x == null) {
          // The first row of a partition may fix the row shape: read it before sizing x.
          float[] first = input.first(row.get(column), where());
          x = session.input(batch.length, input.rowShape());
          data = x.array();
          rowLength = first.length;
          System.arraycopy(first, 0, data, 0, rowLength);
        } else {
          input.copy(row.get(column), data, count * rowLength, where());
        }
        batch[count++] = row;
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
