package dev.netspec.runtime.train;

import dev.netspec.runtime.autograd.GradMode;
import dev.netspec.runtime.io.SafeTensorsException;
import dev.netspec.runtime.loss.Loss;
import dev.netspec.runtime.loss.Reduction;
import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.optim.ClipGrad;
import dev.netspec.runtime.optim.LRScheduler;
import dev.netspec.runtime.optim.Optimizer;
import dev.netspec.runtime.tensor.Tensor;
import java.nio.file.Path;

/**
 * The training loop PyTorch users write by hand, once: for each epoch, the samples in a
 * seeded shuffled order ({@link DataOrder}) in batches; for each batch {@code zeroGrad},
 * forward in training mode, the loss, {@code backward}, optional gradient clipping and the
 * optimizer's step; after each epoch the validation data in eval mode without recording,
 * then the schedule's step. Where {@link TrainStep} covers the model and loss (a Sequential
 * of Linear layers and activations, say) the forward, loss and backward run on it rather
 * than on the tape ({@link #fastStep}). Metrics go to a {@link Listener} per step and per epoch.
 *
 * <pre>{@code
 * Trainer trainer = new Trainer(model, new CrossEntropyLoss(), new SGD(model.parameters(), 0.1),
 *     null, new Trainer.Options(64, 10, true, 0, 0, 0));
 * trainer.fit(train, validation, listener);
 * }</pre>
 *
 * <p>With a checkpoint file ({@link #checkpointTo}), the run saves its whole state ({@link
 * Checkpoint}) after every epoch and every {@code checkpointEvery} steps; {@link #resumeFrom}
 * restores it, and the resumed run ends with the same weights, bit for bit, as one that never
 * stopped: the data order of each epoch comes from the shuffle seed and the epoch alone, and
 * the model, optimizer, schedule and dropout streams are restored exactly.
 */
public final class Trainer {
  /**
   * How to train: the batch size, the number of epochs, whether (and from which seed) to
   * shuffle, the maximum gradient norm ({@code clip_grad_norm_}; 0: no clipping) and how
   * often to checkpoint within an epoch (0: only at the end of epochs).
   */
  public record Options(int batchSize, int epochs, boolean shuffle, long shuffleSeed,
      double clipGradNorm, int checkpointEvery) {
    public Options {
      if (batchSize <= 0) {
        throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
      }
      if (epochs < 0) {
        throw new IllegalArgumentException("epochs must be 0 or more, got " + epochs);
      }
      if (!(clipGradNorm >= 0)) {
        throw new IllegalArgumentException("clip_grad_norm must be 0 or more, got "
            + clipGradNorm);
      }
      if (checkpointEvery < 0) {
        throw new IllegalArgumentException("checkpoint interval must be 0 or more, got "
            + checkpointEvery);
      }
    }
  }

  /** What a run reports as it goes; every method does nothing by default. */
  public interface Listener {
    /** After each optimizer step. */
    default void onStep(StepMetrics step) {}

    /** After each epoch's validation and schedule step. */
    default void onEpoch(EpochMetrics epoch) {}

    /** After a checkpoint has been written. */
    default void onCheckpoint(Path file, Position position) {}
  }

  private static final int EVAL_BATCH = 1000;

  private final Module model;
  private final Loss loss;
  private final Optimizer optimizer;
  private final LRScheduler scheduler;
  private final Options options;
  private Path checkpoint;
  private Position position = Position.START;
  /** The tape-free step, for a model and loss it covers ({@link TrainStep#supports}), or null. */
  private TrainStep fast;

  /** A trainer of {@code model}; {@code scheduler} may be null (a constant learning rate). */
  public Trainer(Module model, Loss loss, Optimizer optimizer, LRScheduler scheduler,
      Options options) {
    if (loss.reduction() == Reduction.NONE) {
      throw new IllegalArgumentException("the training loss must reduce to a scalar"
          + " (reduction 'mean' or 'sum'), got 'none'");
    }
    this.model = model;
    this.loss = loss;
    this.optimizer = optimizer;
    this.scheduler = scheduler;
    this.options = options;
    this.fast = TrainStep.supports(model, loss) ? TrainStep.of(model, loss) : null;
  }

  /**
   * Whether steps run on the tape-free {@link TrainStep} (the default where it covers the
   * model and loss) or on the tape ({@code false}: every model); returns this trainer. Both
   * compute PyTorch's gradients; the fast step allocates nothing and runs the backward's
   * products on the packed GEMM.
   */
  public Trainer fastStep(boolean enabled) {
    fast = enabled && TrainStep.supports(model, loss) ? TrainStep.of(model, loss) : null;
    return this;
  }

  /** Whether steps run on the tape-free {@link TrainStep} (see {@link #fastStep}). */
  public boolean usesFastStep() {
    return fast != null;
  }

  /** Saves checkpoints to {@code file} (null: none); returns this trainer. */
  public Trainer checkpointTo(Path file) {
    this.checkpoint = file;
    return this;
  }

  /** Restores a {@link Checkpoint} written by a run with these options; returns this trainer. */
  public Trainer resumeFrom(Path file) throws SafeTensorsException {
    position = Checkpoint.load(file, model, optimizer, scheduler, options);
    return this;
  }

  /** Where the run is: the next batch, the steps taken. */
  public Position position() {
    return position;
  }

  /**
   * Trains until {@code options.epochs()} epochs are done (from where a resumed run was).
   * {@code validation} may be null.
   *
   * @throws IllegalStateException if the model's output records no gradient (a forward
   *     that does not record on the tape)
   */
  public void fit(TensorDataset train, TensorDataset validation, Listener listener)
      throws SafeTensorsException {
    int n = train.size();
    int batches = (n + options.batchSize() - 1) / options.batchSize();
    while (position.epoch() < options.epochs()) {
      int epoch = position.epoch();
      int[] order = DataOrder.of(n, options.shuffle(), options.shuffleSeed(), epoch);
      double lr = optimizer.paramGroups().get(0).lr();
      long start = System.nanoTime();
      model.train();
      while (position.batch() < batches) {
        int from = position.batch() * options.batchSize();
        int to = Math.min(n, from + options.batchSize());
        StepMetrics m = step(train.x(order, from, to), train.target(order, from, to),
            train.classification(), epoch, batches, lr);
        listener.onStep(m);
        if (options.checkpointEvery() > 0 && position.step() % options.checkpointEvery() == 0
            && position.batch() < batches) {
          save(listener);
        }
      }
      double trainLoss = position.lossSum() / position.seen();
      double trainAccuracy = train.classification()
          ? (double) position.correct() / position.seen() : Double.NaN;
      double[] val = validation == null ? new double[] {Double.NaN, Double.NaN}
          : evaluate(validation);
      if (scheduler != null) {
        scheduler.step();
      }
      position = position.nextEpoch();
      listener.onEpoch(new EpochMetrics(epoch + 1, trainLoss, trainAccuracy, val[0], val[1],
          lr, (System.nanoTime() - start) / 1e9));
      save(listener);
    }
  }

  private StepMetrics step(Tensor x, Tensor target, boolean classification, int epoch,
      int batches, double lr) {
    optimizer.zeroGrad();
    Tensor y;
    double value;
    if (fast != null) {
      value = fast.forwardBackward(x, target);
      y = fast.output();
    } else {
      y = model.forward(x);
      if (!y.requiresGrad()) {
        throw new IllegalStateException(model.getClass().getSimpleName() + "'s forward did not"
            + " record its operations for a backward pass (its output has no grad_fn)");
      }
      Tensor l = loss.forward(y, target);
      l.backward();
      value = l.item();
    }
    if (options.clipGradNorm() > 0) {
      ClipGrad.clipGradNorm(model.parameters(), options.clipGradNorm());
    }
    optimizer.step();
    int samples = x.size(0);
    long correct = classification ? correct(y, target) : 0;
    int batch = position.batch();
    position = position.next(perSample(value, samples), correct, samples);
    return new StepMetrics(position.step(), epoch, batch, batches, samples, value,
        classification ? (double) correct / samples : Double.NaN, lr);
  }

  /** The loss summed over a batch's samples, from its reduced value. */
  private double perSample(double value, int samples) {
    return loss.reduction() == Reduction.MEAN ? value * samples : value;
  }

  /**
   * The mean loss and the accuracy (NaN for targets that are not class indices) of the model
   * on {@code data}, in eval mode, without recording; leaves the model in eval mode.
   */
  public double[] evaluate(TensorDataset data) {
    model.eval();
    int n = data.size();
    int[] order = DataOrder.of(n, false, 0, 0);
    double sum = 0;
    long correct = 0;
    try (GradMode.Scope s = GradMode.noGrad()) {
      for (int from = 0; from < n; from += EVAL_BATCH) {
        int to = Math.min(n, from + EVAL_BATCH);
        Tensor x = data.x(order, from, to);
        Tensor t = data.target(order, from, to);
        Tensor y = model.forward(x);
        sum += perSample(loss.forward(y, t).item(), to - from);
        if (data.classification()) {
          correct += correct(y, t);
        }
      }
    }
    return new double[] {sum / n, data.classification() ? (double) correct / n : Double.NaN};
  }

  /** How many rows of {@code y} (N, C) have their largest value at the target class. */
  static long correct(Tensor y, Tensor target) {
    if (y.dim() != 2 || target.dim() != 1) {
      return 0;
    }
    long[] predicted = y.argmax(1, false).toLongArray();
    long[] t = target.toLongArray();
    long correct = 0;
    for (int i = 0; i < t.length; i++) {
      if (predicted[i] == t[i]) {
        correct++;
      }
    }
    return correct;
  }

  private void save(Listener listener) throws SafeTensorsException {
    if (checkpoint != null) {
      Checkpoint.save(checkpoint, model, optimizer, scheduler, options, position);
      listener.onCheckpoint(checkpoint, position);
    }
  }
}
