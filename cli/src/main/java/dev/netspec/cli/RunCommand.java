package dev.netspec.cli;

import dev.netspec.compiler.Inspection;
import dev.netspec.runtime.autograd.GradMode;
import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.tensor.DType;
import dev.netspec.runtime.tensor.Tensor;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code netspec run SPEC [--block B] [--arg NAME=VALUE]... --input X.safetensors
 * [--weights W.safetensors] [--seed N] [--train] [--save-weights W2.safetensors]
 * --output Y.safetensors}.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    header = "Runs a block on the tensor 'x' (or its named inputs) of a safetensors file.",
    description = "Compiles a spec in memory (the same generated code as 'compile'), builds the block, loads its weights (strictly) or initializes them from the seed, runs one forward on the input tensor 'x' (a block with 'inputs:' reads each by its name; int64 stays int64) and writes the output as tensor 'y' (a tuple as y.0, y.1, nested y.1.0, ...). The forward runs in eval mode (PyTorch's model.eval(): dropout off) unless --train is given. Tensors stored as float64 are converted to float32, with a note on stderr.")
final class RunCommand implements Callable<Integer> {
  @Mixin
  private SpecBlock target;

  @Option(names = "--input", required = true, paramLabel = "X.safetensors",
      description = "Holds the input tensor 'x', or each named input.")
  private Path input;

  @Option(names = "--weights", paramLabel = "W.safetensors",
      description = "A state dict to load strictly (every key, no extra, same shapes).")
  private Path weights;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "0",
      description = "Seed of the spec's initializers when there are no --weights, and of the"
          + " dropout masks with --train (default 0).")
  private long seed;

  @Option(names = "--train",
      description = "Run the forward in training mode (dropout on, its masks drawn from --seed);"
          + " by default it runs in eval mode.")
  private boolean train;

  @Option(names = "--save-weights", paramLabel = "W2.safetensors",
      description = "Where to save the state dict after the forward.")
  private Path saveWeights;

  @Option(names = "--output", required = true, paramLabel = "Y.safetensors",
      description = "Where to write the output tensor 'y' (a tuple's as y.0, y.1, ...).")
  private Path output;

  @Option(names = "--sourcepath", paramLabel = "DIR", split = ",",
      description = "Folders of Java sources the spec's java: initializers live in.")
  private List<Path> sourcePath = new ArrayList<>();

  @Mixin
  private Streams streams;

  @Override
  public Integer call() throws UserException {
    TensorFiles.checkOutput(output, "--output", "y.safetensors");
    if (saveWeights != null) {
      TensorFiles.checkOutput(saveWeights, "--save-weights", "weights.safetensors");
    }
    Inspection inspection = target.inspect(streams, null, true);
    String chosen = inspection.block();
    List<Tensor> inputs = readInputs(inspection, input, streams.err());
    Tensor x = inputs.get(0);
    ModelBuilder.checkHeap(target.spec, Blocks.inspect(target.compilation, target.spec, chosen,
        target.argValues, x.shape()), Runtime.getRuntime().maxMemory());
    Map<String, Tensor> state = weights == null ? null : read(weights);

    Module model = ModelBuilder.create(target, chosen, sourcePath, streams, seed);
    if (state != null) {
      ModelBuilder.load(model, chosen, state, weights);
    }
    model.train(train);
    Map<String, Tensor> ys;
    try {
      ys = streams.timed("running " + chosen, () -> {
        try (GradMode.Scope scope = GradMode.noGrad()) { // inference: nothing records
          return ModelCall.run(model, inspection, inputs);
        }
      });
    } catch (RuntimeException e) {
      if (!ModelCall.isInputFault(e)) {
        throw e;
      }
      // The declared shapes were checked above; what is left is a lazy dim that the loaded
      // weights fixed to another size than the input has, sizes that two inputs share, or ids
      // outside an embedding's table.
      throw UserException.at(input, describe(inspection, inputs) + " does not fit " + chosen
          + (weights == null ? "" : " with the weights of " + weights) + ": " + e.getMessage());
    }
    if (saveWeights != null) {
      write(new TreeMap<>(model.stateDict()), saveWeights);
    }
    write(ys, output);
    List<String> outs = new ArrayList<>();
    ys.forEach((n, t) -> outs.add(n + " " + Arrays.toString(t.shape())));
    streams.out().println(chosen + ": " + String.join(", ", names(inspection, inputs)) + " -> "
        + String.join(", ", outs) + " (" + (train ? "training" : "eval") + " mode), written to "
        + output);
    return Netspec.OK;
  }

  /** {@code 'x' of shape [2, 20]}, or for several inputs their names and shapes. */
  static String describe(Inspection inspection, List<Tensor> inputs) {
    if (inputs.size() == 1) {
      return "'" + inspection.inputs().get(0).name() + "' of shape " + Arrays.toString(inputs.get(0).shape());
    }
    return "the inputs " + String.join(", ", names(inspection, inputs));
  }

  /** {@code x [2, 20]}, one per input. */
  static List<String> names(Inspection inspection, List<Tensor> inputs) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < inputs.size(); i++) {
      out.add(inspection.inputs().get(i).name() + " " + Arrays.toString(inputs.get(i).shape()));
    }
    return out;
  }

  /** Every input of the block, by its name in {@code input}, checked against its dtype and shape. */
  static List<Tensor> readInputs(Inspection inspection, Path input, PrintWriter err)
      throws UserException {
    Map<String, Tensor> tensors = TensorFiles.read(input, err);
    List<Tensor> out = new ArrayList<>();
    for (Inspection.Port p : inspection.inputs()) {
      Tensor x = tensors.get(p.name());
      if (x == null) {
        throw UserException.at(input, "no tensor named '" + p.name() + "' (found: "
            + String.join(", ", new TreeMap<>(tensors).keySet()) + ")"
            + (inspection.inputs().size() > 1 ? "; " + inspection.block() + " takes "
                + String.join(", ", inspection.inputs().stream().map(Inspection.Port::name).toList())
                : "; the input is read by the name '" + p.name() + "': save it as save_file({'" + p.name()
                    + "': X}, ...)"));
      }
      DType want = p.dtype().equals("int64") ? DType.INT64 : DType.FLOAT32;
      if (x.dtype() != want) {
        throw UserException.at(input, Models.dtypeMismatch(p.name(), x.dtype(), inspection.block(), p.dtype()));
      }
      if (!Models.fits(x.shape(), p.shape())) {
        throw UserException.at(input, "'" + p.name() + "' has shape " + Arrays.toString(x.shape()) + ", but "
            + inspection.block() + " takes " + InspectReport.shape(p.shape())
            + Models.reshapeHint(p.name(), x.shape(), p.shape()));
      }
      out.add(x);
    }
    return out;
  }

  private Map<String, Tensor> read(Path file) throws UserException {
    return TensorFiles.read(file, streams.err());
  }

  private static void write(Map<String, Tensor> tensors, Path file) throws UserException {
    TensorFiles.write(tensors, file);
  }
}
