package dev.netspec.cli;

import dev.netspec.compiler.Inspection;
import dev.netspec.compiler.check.TrainSpec;
import dev.netspec.runtime.io.SafeTensorsException;
import dev.netspec.runtime.loss.Loss;
import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.nn.StateDictException;
import dev.netspec.runtime.optim.LRScheduler;
import dev.netspec.runtime.optim.Optimizer;
import dev.netspec.runtime.tensor.DType;
import dev.netspec.runtime.tensor.Tensor;
import dev.netspec.runtime.train.Checkpoint;
import dev.netspec.runtime.train.EpochMetrics;
import dev.netspec.runtime.train.MetricsLog;
import dev.netspec.runtime.train.Position;
import dev.netspec.runtime.train.StepMetrics;
import dev.netspec.runtime.train.TensorDataset;
import dev.netspec.runtime.train.Trainer;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code netspec train SPEC [--block B] --data D.safetensors [--validation V.safetensors]
 * [--weights W.safetensors] [--epochs N] --save-weights W2.safetensors [--checkpoint DIR]
 * [--resume]}: trains a block as its spec's {@code train:} section says.
 */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    header = "Trains a block on the tensors 'x' and 'target' of a safetensors file.",
    description = "Compiles a spec in memory, builds the block (its weights from --weights, or"
        + " initialized from --seed) and trains it as the spec's train: section says (loss,"
        + " optimizer, schedule, batch size, epochs, shuffle seed): each epoch visits the"
        + " samples of --data in a seeded shuffled order, in training mode; then the model is"
        + " evaluated on --validation, if given, in eval mode. A progress line shows the loss"
        + " and the throughput on a terminal; each epoch prints one line. With --checkpoint,"
        + " the whole run (weights, optimizer, schedule, position, random streams) is saved"
        + " atomically after each epoch (and every --checkpoint-every steps), with the metrics"
        + " as steps.csv, epochs.csv and metrics.svg; --resume continues from there and ends"
        + " with the weights an uninterrupted run would have, bit for bit.")
final class TrainCommand implements Callable<Integer> {
  @Mixin
  private SpecBlock target;

  @Option(names = "--data", required = true, paramLabel = "D.safetensors",
      description = "The training data: tensors 'x' (the block's input, one sample per row)"
          + " and 'target' (int64 class indices, or float values of the output's shape).")
  private Path data;

  @Option(names = "--validation", paramLabel = "V.safetensors",
      description = "Data to evaluate after each epoch ('x' and 'target').")
  private Path validation;

  @Option(names = "--weights", paramLabel = "W.safetensors",
      description = "A state dict to start from, loaded strictly (default: initialized from"
          + " --seed).")
  private Path weights;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "0",
      description = "Seed of the spec's initializers when there are no --weights, and of the"
          + " dropout masks (default 0). The shuffle seed is the train: section's seed.")
  private long seed;

  @Option(names = "--epochs", paramLabel = "N",
      description = "The number of epochs (default: the train: section's epochs).")
  private Integer epochs;

  @Option(names = "--save-weights", required = true, paramLabel = "W2.safetensors",
      description = "Where to save the trained state dict.")
  private Path saveWeights;

  @Option(names = "--checkpoint", paramLabel = "DIR",
      description = "A folder for the run's checkpoint (" + Checkpoint.FILE + ") and metrics.")
  private Path checkpoint;

  @Option(names = "--checkpoint-every", paramLabel = "STEPS", defaultValue = "0",
      description = "Also checkpoint every STEPS optimizer steps within an epoch (default 0:"
          + " after each epoch only).")
  private int checkpointEvery;

  @Option(names = "--resume",
      description = "Continue the run saved in --checkpoint DIR (same spec, data and settings).")
  private boolean resume;

  @Option(names = "--sourcepath", paramLabel = "DIR", split = ",",
      description = "Folders of Java sources the spec's java: initializers live in.")
  private List<Path> sourcePath = new ArrayList<>();

  @Mixin
  private Streams streams;

  @Override
  public Integer call() throws UserException {
    if (resume && checkpoint == null) {
      throw new ParameterException(target.commandLine(), "--resume needs --checkpoint DIR");
    }
    if (epochs != null && epochs < 0 || checkpointEvery < 0) {
      throw new ParameterException(target.commandLine(), (checkpointEvery < 0
          ? "--checkpoint-every" : "--epochs") + " must be 0 or more");
    }
    TensorFiles.checkOutput(saveWeights, "--save-weights", "weights.safetensors");
    if (checkpoint != null && Files.exists(checkpoint) && !Files.isDirectory(checkpoint)) {
      throw UserException.at(checkpoint, "is a file; give --checkpoint a folder (it is created if missing)");
    }
    Inspection inspection = target.inspect(streams, null, true);
    String chosen = inspection.block();
    TrainSpec spec = target.compilation.train(target.spec);
    if (spec == null) {
      throw UserException.at(target.spec, "no 'train:' section: say how to train (loss,"
          + " optimizer, batch_size, epochs; see docs/spec/train-section.md)");
    }
    if (inspection.inputs().size() != 1) {
      throw UserException.at(target.spec, chosen + " takes " + inspection.inputs().size()
          + " inputs; netspec train trains blocks of one input");
    }
    TensorDataset train = dataset(data, inspection);
    TensorDataset check = validation == null ? null : dataset(validation, inspection);
    Path checkpointFile = checkpoint == null ? null : checkpoint.resolve(Checkpoint.FILE);
    if (resume && !Files.isRegularFile(checkpointFile)) {
      throw UserException.at(checkpointFile, "no checkpoint to resume from");
    }
    ModelBuilder.checkHeap(target.spec, Blocks.inspect(target.compilation, target.spec, chosen,
        target.argValues, train.x().shape()), Runtime.getRuntime().maxMemory());
    Module model = ModelBuilder.create(target, chosen, sourcePath, streams, seed);
    if (weights != null) {
      ModelBuilder.load(model, chosen, TensorFiles.read(weights, streams.err()),
          weights);
    }
    Loss loss = TrainSetup.loss(spec.loss());
    Optimizer optimizer = TrainSetup.optimizer(spec.optimizer(), model.parameters());
    LRScheduler schedule = TrainSetup.schedule(spec.schedule(), optimizer);
    int total = epochs == null ? spec.epochs() : epochs;
    Trainer trainer = new Trainer(model, loss, optimizer, schedule, new Trainer.Options(
        spec.batchSize(), total, spec.shuffle(), spec.seed(), spec.clipGradNorm(),
        checkpointEvery)).checkpointTo(checkpointFile);
    if (resume) {
      try {
        trainer.resumeFrom(checkpointFile);
      } catch (SafeTensorsException e) {
        throw UserException.at(checkpointFile, e.fault());
      } catch (IllegalArgumentException e) {
        throw UserException.at(checkpointFile, e.getCause() instanceof StateDictException s
            ? "the checkpoint's model does not fit " + ModelBuilder.mismatch(s, chosen)
            : e.getMessage());
      }
    }
    Position start = trainer.position();
    MetricsLog metrics = checkpoint == null ? null
        : new MetricsLog(checkpoint, resume ? start : null);
    PrintWriter out = streams.out();
    out.println("training " + chosen + " on " + train.size() + " samples"
        + (check == null ? "" : ", validating on " + check.size()) + ": "
        + TrainSetup.describe(spec, total)
        + (resume ? "; resumed at epoch " + (start.epoch() + 1) + ", step " + start.step() : ""));
    Report report = new Report(out, streams.err(), streams.showsProgress(), total, metrics);
    try {
      trainer.fit(train, check, report);
    } catch (SafeTensorsException e) {
      throw UserException.at(checkpointFile, e.fault());
    } catch (RuntimeException e) {
      if (!ModelCall.isInputFault(e)) {
        throw e;
      }
      // the loss refuses targets of the wrong kind or shape, the block an input it cannot take;
      // after an epoch's last step the trainer evaluates --validation
      boolean validating = report.validating() && validation != null;
      throw UserException.at(validating ? validation : data, "cannot " + (validating ? "validate "
          : "train ") + chosen + " with " + spec.loss().name() + " on this data: "
          + e.getMessage());
    }
    report.close();
    TensorFiles.write(new TreeMap<>(model.stateDict()), saveWeights);
    out.println("saved the weights to " + saveWeights
        + (metrics == null ? "" : "; metrics in " + metrics.stepsFile() + ", "
            + metrics.epochsFile() + " and " + metrics.chartFile()));
    return Netspec.OK;
  }

  /** The tensors 'x' and 'target' of {@code file}, checked against the block's input. */
  private TensorDataset dataset(Path file, Inspection inspection) throws UserException {
    Map<String, Tensor> tensors = TensorFiles.read(file, streams.err());
    for (String name : List.of("x", "target")) {
      if (!tensors.containsKey(name)) {
        throw UserException.at(file, "no tensor named '" + name + "' (found: "
            + String.join(", ", new TreeMap<>(tensors).keySet()) + "); training data holds"
            + " 'x' and 'target'");
      }
    }
    Tensor x = tensors.get("x");
    Inspection.Port port = inspection.inputs().get(0);
    DType want = port.dtype().equals("int64") ? DType.INT64 : DType.FLOAT32;
    if (x.dtype() != want) {
      throw UserException.at(file, Models.dtypeMismatch("x", x.dtype(), inspection.block(), port.dtype()));
    }
    if (!Models.fits(x.shape(), port.shape())) {
      throw UserException.at(file, "'x' has shape " + Arrays.toString(x.shape()) + ", but "
          + inspection.block() + " takes " + InspectReport.shape(port.shape())
          + Models.reshapeHint("x", x.shape(), port.shape()));
    }
    try {
      return new TensorDataset(x, tensors.get("target"));
    } catch (IllegalArgumentException e) {
      throw UserException.at(file, e.getMessage());
    }
  }

  /**
   * What the run shows: on a terminal a progress line rewritten in place (epoch, batch, the
   * last loss, samples per second), one line per epoch on stdout, and the metrics files.
   */
  /**
   * A learning rate to 6 significant digits: {@code 0.00009}, not the {@code
   * 8.999999999999999E-5} that 0.001 * 0.3 * 0.3 is in binary.
   */
  static String lr(double lr) {
    return Double.isFinite(lr) ? new BigDecimal(lr).round(new MathContext(6))
        .stripTrailingZeros().toString() : Double.toString(lr);
  }

  private static final class Report implements Trainer.Listener {
    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean progress;
    private final int epochs;
    private final MetricsLog metrics;
    private long epochStart = System.nanoTime();
    private long samples;
    private boolean lineOpen;
    private boolean validating;

    Report(PrintWriter out, PrintWriter err, boolean progress, int epochs, MetricsLog metrics) {
      this.out = out;
      this.err = err;
      this.progress = progress;
      this.epochs = epochs;
      this.metrics = metrics;
    }

    @Override
    public void onStep(StepMetrics m) {
      if (metrics != null) {
        metrics.onStep(m);
      }
      samples += m.samples();
      validating = m.batch() + 1 == m.batches();
      if (progress) {
        double seconds = (System.nanoTime() - epochStart) / 1e9;
        int width = 24;
        int filled = (int) ((long) width * (m.batch() + 1) / m.batches());
        err.print(String.format(Locale.ROOT, "\rnetspec: epoch %d/%d [%s%s] %d/%d loss %.4f"
            + " %.0f samples/s ", m.epoch() + 1, epochs, "=".repeat(filled),
            " ".repeat(width - filled), m.batch() + 1, m.batches(), m.loss(),
            samples / Math.max(seconds, 1e-9)));
        err.flush();
        lineOpen = true;
      }
    }

    /**
     * Whether the trainer is between an epoch's last step and its end, where it evaluates the
     * validation data (and steps the schedule).
     */
    boolean validating() {
      return validating;
    }

    @Override
    public void onEpoch(EpochMetrics m) {
      validating = false;
      if (metrics != null) {
        metrics.onEpoch(m);
      }
      close();
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
          "epoch %d/%d: loss %.4f", m.epoch(), epochs, m.trainLoss()));
      if (!Double.isNaN(m.trainAccuracy())) {
        line.append(String.format(Locale.ROOT, ", accuracy %.2f%%", 100 * m.trainAccuracy()));
      }
      if (!Double.isNaN(m.validationLoss())) {
        line.append(String.format(Locale.ROOT, ", validation loss %.4f", m.validationLoss()));
      }
      if (!Double.isNaN(m.validationAccuracy())) {
        line.append(String.format(Locale.ROOT, ", validation accuracy %.2f%%",
            100 * m.validationAccuracy()));
      }
      line.append(String.format(Locale.ROOT, ", lr %s (%.1f s, %.0f samples/s)",
          lr(m.lr()), m.seconds(), samples / Math.max(m.seconds(), 1e-9)));
      out.println(line);
      out.flush();
      epochStart = System.nanoTime();
      samples = 0;
    }

    void close() {
      if (lineOpen) {
        err.print("\r\033[K");
        err.flush();
        lineOpen = false;
      }
    }
  }
}
