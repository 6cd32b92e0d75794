package dev.netspec.runtime.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A run's metrics as files in one folder (beside its checkpoint): {@code steps.csv} (one row
 * per optimizer step: {@code step,epoch,batch,loss,accuracy,lr}), {@code epochs.csv} (one row
 * per epoch: {@code epoch,train_loss,train_accuracy,validation_loss,validation_accuracy,lr,
 * seconds}) and {@code metrics.svg}, a chart of the loss and accuracy curves ({@link
 * MetricsChart}). Rows are appended and flushed as the run goes, so an interrupted run keeps
 * what it did; a resumed run first drops the rows written after its checkpoint. Epochs and
 * batches count from 1; a missing value (no validation, no accuracy) is an empty field.
 */
public final class MetricsLog implements Trainer.Listener {
  static final String STEPS_HEADER = "step,epoch,batch,loss,accuracy,lr";
  static final String EPOCHS_HEADER =
      "epoch,train_loss,train_accuracy,validation_loss,validation_accuracy,lr,seconds";

  private final Path steps;
  private final Path epochs;
  private final Path chart;
  private final List<double[]> stepRows = new ArrayList<>();
  private final List<double[]> epochRows = new ArrayList<>();

  /**
   * Metrics in {@code dir}, continuing a run at {@code resumed} (the files keep the rows up
   * to it), or starting afresh (null: the files are replaced).
   */
  public MetricsLog(Path dir, Position resumed) {
    this.steps = dir.resolve("steps.csv");
    this.epochs = dir.resolve("epochs.csv");
    this.chart = dir.resolve("metrics.svg");
    try {
      Files.createDirectories(dir);
      if (resumed != null) {
        stepRows.addAll(read(steps, resumed.step()));
        epochRows.addAll(read(epochs, resumed.epoch()));
      }
      rewrite(steps, STEPS_HEADER, stepRows);
      rewrite(epochs, EPOCHS_HEADER, epochRows);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Path stepsFile() {
    return steps;
  }

  public Path epochsFile() {
    return epochs;
  }

  public Path chartFile() {
    return chart;
  }

  @Override
  public void onStep(StepMetrics m) {
    double[] row = {m.step(), m.epoch() + 1, m.batch() + 1, m.loss(), m.accuracy(), m.lr()};
    stepRows.add(row);
    append(steps, row);
  }

  @Override
  public void onEpoch(EpochMetrics m) {
    double[] row = {m.epoch(), m.trainLoss(), m.trainAccuracy(), m.validationLoss(),
        m.validationAccuracy(), m.lr(), m.seconds()};
    epochRows.add(row);
    append(epochs, row);
    writeChart();
  }

  /** Writes {@code metrics.svg} from the rows so far (replacing it at once). */
  public void writeChart() {
    try {
      Path temp = chart.resolveSibling("." + chart.getFileName() + ".tmp");
      Files.writeString(temp, MetricsChart.svg(stepRows, epochRows), StandardCharsets.UTF_8);
      Files.move(temp, chart, StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void append(Path file, double[] row) {
    try {
      Files.writeString(file, line(row) + "\n", StandardCharsets.UTF_8,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void rewrite(Path file, String header, List<double[]> rows) throws IOException {
    StringBuilder sb = new StringBuilder(header).append('\n');
    for (double[] r : rows) {
      sb.append(line(r)).append('\n');
    }
    Files.writeString(file, sb, StandardCharsets.UTF_8);
  }

  /**
   * The rows of {@code file} whose first column is at most {@code last}; none if the file is
   * absent. A last line without its newline (cut by a killed run) is left out.
   */
  private static List<double[]> read(Path file, long last) throws IOException {
    List<double[]> out = new ArrayList<>();
    if (!Files.exists(file)) {
      return out;
    }
    String text = Files.readString(file, StandardCharsets.UTF_8);
    String[] lines = text.substring(0, text.lastIndexOf('\n') + 1).split("\n");
    for (int l = 1; l < lines.length; l++) {
      String[] f = lines[l].split(",", -1);
      double[] row = new double[f.length];
      try {
        for (int i = 0; i < f.length; i++) {
          row[i] = f[i].isEmpty() ? Double.NaN : Double.parseDouble(f[i]);
        }
      } catch (NumberFormatException e) {
        continue;
      }
      if (row[0] <= last) {
        out.add(row);
      }
    }
    return out;
  }

  private static String line(double[] row) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < row.length; i++) {
      sb.append(i == 0 ? "" : ",").append(format(row[i]));
    }
    return sb.toString();
  }

  /** An integer without a fraction, other values as Java prints doubles (they read back exactly). */
  private static String format(double v) {
    if (Double.isNaN(v)) {
      return "";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return Double.toString(v);
  }
}
