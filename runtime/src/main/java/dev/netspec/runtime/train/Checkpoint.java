package dev.netspec.runtime.train;

import dev.netspec.runtime.io.SafeTensors;
import dev.netspec.runtime.io.SafeTensorsException;
import dev.netspec.runtime.io.SafeTensorsFile;
import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.nn.StateDictException;
import dev.netspec.runtime.optim.LRScheduler;
import dev.netspec.runtime.optim.Optimizer;
import dev.netspec.runtime.optim.OptimizerState;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything a training run needs to continue as if it had never stopped, in one safetensors
 * file: the model's state dict ({@code model.<key>}), the optimizer's moments and step counts
 * ({@code optimizer.state.<i>.<name>}, its options in the metadata as {@code
 * optimizer.param_groups.<g>.<option>}), the schedule ({@code scheduler.last_epoch}, ...),
 * the random streams of dropout ({@code generator.<module>.mask}, int64 {@code [3]}) and the
 * {@link Position} with the run's batch size and shuffle seed ({@code train.*}). The metadata
 * is the file's JSON {@code __metadata__} object; numbers are written so that they read back
 * exactly.
 *
 * <p>The file is written atomically ({@link SafeTensors#save}: a temporary file beside it,
 * fsync, rename, fsync of the folder), so a crash at any moment leaves the previous
 * checkpoint whole.
 */
public final class Checkpoint {
  /** The file name in a checkpoint folder. */
  public static final String FILE = "checkpoint.safetensors";

  private Checkpoint() {}

  /** Writes the checkpoint of a run at {@code position} to {@code file}, atomically. */
  public static void save(Path file, Module model, Optimizer optimizer, LRScheduler scheduler,
      Trainer.Options options, Position position) throws SafeTensorsException {
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("format", "netspec-checkpoint-1");
    model.stateDict().forEach((k, v) -> tensors.put("model." + k, v));
    OptimizerState os = optimizer.stateDict();
    os.tensors().forEach((k, v) -> tensors.put("optimizer." + k, v));
    os.metadata().forEach((k, v) -> meta.put("optimizer." + k, v));
    if (scheduler != null) {
      scheduler.stateDict().forEach((k, v) -> meta.put("scheduler." + k, v));
    }
    model.namedGenerators().forEach((k, g) ->
        tensors.put("generator." + k, Tensor.ofLongs(g.getState())));
    meta.put("train.epoch", Integer.toString(position.epoch()));
    meta.put("train.batch", Integer.toString(position.batch()));
    meta.put("train.step", Long.toString(position.step()));
    meta.put("train.loss_sum", Double.toString(position.lossSum()));
    meta.put("train.correct", Long.toString(position.correct()));
    meta.put("train.seen", Long.toString(position.seen()));
    meta.put("train.batch_size", Integer.toString(options.batchSize()));
    meta.put("train.shuffle", Boolean.toString(options.shuffle()));
    meta.put("train.shuffle_seed", Long.toString(options.shuffleSeed()));
    SafeTensors.save(tensors, meta, file);
  }

  /**
   * Restores a checkpoint into a model, optimizer and schedule built as the run that wrote
   * it built them, and returns where that run was. The file's kind, the run's settings, the
   * random streams and the position are checked before anything changes; the model's state is
   * then loaded (all or nothing), then the optimizer's and the schedule's. If one of those
   * last two fails the model has changed already: do not train on after a failed load.
   *
   * @throws SafeTensorsException if the file cannot be read
   * @throws IllegalArgumentException if it is not a checkpoint of this model and run (another
   *     batch size or shuffle seed, missing or extra keys), saying what differs
   */
  public static Position load(Path file, Module model, Optimizer optimizer,
      LRScheduler scheduler, Trainer.Options options) throws SafeTensorsException {
    SafeTensorsFile f = SafeTensors.load(file);
    Map<String, String> meta = f.metadata();
    if (!"netspec-checkpoint-1".equals(meta.get("format"))) {
      throw new IllegalArgumentException("not a netspec training checkpoint (no format"
          + " netspec-checkpoint-1 in its metadata)");
    }
    same(meta, "train.batch_size", Integer.toString(options.batchSize()), "batch size");
    same(meta, "train.shuffle", Boolean.toString(options.shuffle()), "shuffle");
    same(meta, "train.shuffle_seed", Long.toString(options.shuffleSeed()), "shuffle seed");
    Map<String, Tensor> modelState = new LinkedHashMap<>();
    Map<String, Tensor> optTensors = new LinkedHashMap<>();
    Map<String, long[]> generators = new LinkedHashMap<>();
    f.tensors().forEach((k, v) -> {
      if (k.startsWith("model.")) {
        modelState.put(k.substring(6), v);
      } else if (k.startsWith("optimizer.")) {
        optTensors.put(k.substring(10), v);
      } else if (k.startsWith("generator.")) {
        generators.put(k.substring(10), v.toLongArray());
      } else {
        throw new IllegalArgumentException("unexpected tensor '" + k + "' in the checkpoint");
      }
    });
    Map<String, String> optMeta = strip(meta, "optimizer.");
    Map<String, String> schedMeta = strip(meta, "scheduler.");
    Map<String, Generator> live = model.namedGenerators();
    if (!live.keySet().equals(generators.keySet())) {
      throw new IllegalArgumentException("the checkpoint's random streams " + generators.keySet()
          + " are not the model's " + live.keySet());
    }
    if ((scheduler == null) != schedMeta.isEmpty()) {
      throw new IllegalArgumentException(scheduler == null
          ? "the checkpoint has a learning-rate schedule, this run has none"
          : "the checkpoint has no learning-rate schedule, this run has one");
    }
    Position position;
    try {
      position = new Position(Integer.parseInt(meta.get("train.epoch")),
          Integer.parseInt(meta.get("train.batch")), Long.parseLong(meta.get("train.step")),
          Double.parseDouble(meta.get("train.loss_sum")),
          Long.parseLong(meta.get("train.correct")), Long.parseLong(meta.get("train.seen")));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("the checkpoint's position (train.*) is unreadable: "
          + e.getMessage());
    }
    // the model's load is all or nothing
    try {
      model.loadStateDict(modelState, true);
    } catch (StateDictException e) {
      throw new IllegalArgumentException("the checkpoint's model does not fit: "
          + e.getMessage(), e);
    }
    optimizer.loadStateDict(new OptimizerState(optTensors, optMeta));
    if (scheduler != null) {
      scheduler.loadStateDict(schedMeta);
    }
    generators.forEach((k, s) -> live.get(k).setState(s));
    return position;
  }

  private static void same(Map<String, String> meta, String key, String want, String what) {
    String got = meta.get(key);
    if (!want.equals(got)) {
      throw new IllegalArgumentException("the checkpoint was written with " + what + " " + got
          + ", this run uses " + want + "; resume with the same settings");
    }
  }

  private static Map<String, String> strip(Map<String, String> meta, String prefix) {
    Map<String, String> out = new LinkedHashMap<>();
    meta.forEach((k, v) -> {
      if (k.startsWith(prefix)) {
        out.put(k.substring(prefix.length()), v);
      }
    });
    return out;
  }
}
