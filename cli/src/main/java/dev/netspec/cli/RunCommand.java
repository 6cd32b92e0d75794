package dev.netspec.cli;

import dev.netspec.compiler.Inspection;
import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.tensor.DType;
import dev.netspec.runtime.tensor.Tensor;
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
    header = "Runs a block on the tensor 'x' of a safetensors file.",
    description = "Compiles a spec in memory (the same generated code as 'compile'), builds the block, loads its weights (strictly) or initializes them from the seed, runs one forward on the input tensor 'x' and writes the output as tensor 'y'. The forward runs in eval mode (PyTorch's model.eval(): dropout off) unless --train is given. Tensors stored as float64 are converted to float32, with a note on stderr.")
final class RunCommand implements Callable<Integer> {
  @Mixin
  private SpecBlock target;

  @Option(names = "--input", required = true, paramLabel = "X.safetensors",
      description = "Holds the input tensor 'x'.")
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
      description = "Where to write the output tensor 'y'.")
  private Path output;

  @Option(names = "--sourcepath", paramLabel = "DIR", split = ",",
      description = "Folders of Java sources the spec's java: initializers live in.")
  private List<Path> sourcePath = new ArrayList<>();

  @Mixin
  private Streams streams;

  @Override
  public Integer call() throws UserException {
    Inspection inspection = target.inspect(streams, null, true);
    String chosen = inspection.block();
    Tensor x = readInput(inspection);
    ModelBuilder.checkHeap(target.spec, Blocks.inspect(target.compilation, target.spec, chosen,
        target.argValues, x.shape()), Runtime.getRuntime().maxMemory());
    Map<String, Tensor> state = weights == null ? null : read(weights);

    Module model = ModelBuilder.create(target, chosen, sourcePath, streams, seed);
    if (state != null) {
      ModelBuilder.load(model, state, weights);
    }
    model.train(train);
    Tensor y;
    try {
      y = streams.timed("running " + chosen, () -> model.forward(x));
    } catch (IllegalArgumentException e) {
      // The declared shape was checked above; what is left is a lazy dim that the loaded
      // weights fixed to another size than the input has.
      throw UserException.at(input, "'x' of shape " + Arrays.toString(x.shape())
          + " does not fit " + chosen + (weights == null ? "" : " with the weights of " + weights)
          + ": " + e.getMessage());
    }
    if (saveWeights != null) {
      write(new TreeMap<>(model.stateDict()), saveWeights);
    }
    write(Map.of("y", y), output);
    streams.out().println(chosen + ": x " + Arrays.toString(x.shape()) + " -> y "
        + Arrays.toString(y.shape()) + " (" + (train ? "training" : "eval") + " mode), written to "
        + output);
    return Netspec.OK;
  }

  private Tensor readInput(Inspection inspection) throws UserException {
    Map<String, Tensor> tensors = read(input);
    Tensor x = tensors.get("x");
    if (x == null) {
      throw UserException.at(input, "no tensor named 'x' (found: "
          + String.join(", ", new TreeMap<>(tensors).keySet()) + ")");
    }
    if (x.dtype() != DType.FLOAT32) {
      throw UserException.at(input, "'x' is " + x.dtype() + ", but " + inspection.block()
          + " takes a float32 input");
    }
    if (!Models.fits(x.shape(), inspection.inputShape())) {
      throw UserException.at(input, "'x' has shape " + Arrays.toString(x.shape()) + ", but "
          + inspection.block() + " takes " + InspectReport.shape(inspection.inputShape()));
    }
    return x;
  }

  private Map<String, Tensor> read(Path file) throws UserException {
    return TensorFiles.read(file, streams.err());
  }

  private static void write(Map<String, Tensor> tensors, Path file) throws UserException {
    TensorFiles.write(tensors, file);
  }
}
