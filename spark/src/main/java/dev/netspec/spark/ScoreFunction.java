package dev.netspec.spark;

import dev.netspec.runtime.tensor.Tensor;
import java.util.Arrays;
import org.apache.spark.sql.api.java.UDF1;

/**
 * The SQL function {@link NetspecScorer#register} installs: one row per call, so one forward of
 * a batch of 1 on a session borrowed for the call (the model is the executor's shared one).
 * The DataFrame path batches and is the faster way to score a whole table.
 */
final class ScoreFunction implements UDF1<Object, float[]> {
  private static final long serialVersionUID = 1L;

  private final ScorerSpec spec;
  private final String name;

  ScoreFunction(ScorerSpec spec, String name) {
    this.spec = spec;
    this.name = name;
  }

  @Override
  public float[] call(Object value) {
    ExecutorModels.Shared shared = ExecutorModels.get(spec.modelClass(), spec.weightsPath());
    Session session = shared.borrow();
    try {
      RowInput input = new RowInput("SQL function " + name, spec.inputShape());
      float[] row = input.first(value, "the argument"); // a null fails too, as in transform
      Tensor x = session.input(1, input.rowShape());
      System.arraycopy(row, 0, x.array(), 0, row.length);
      Tensor out;
      try {
        out = session.forward();
      } catch (IllegalArgumentException e) {
        throw input.refused(shared.name(), e);
      }
      return Arrays.copyOfRange(out.array(), out.arrayOffset(), out.arrayOffset() + Math.toIntExact(out.numel()));
    } finally {
      shared.giveBack(session);
    }
  }
}
