package dev.netspec.cli;

import dev.netspec.compiler.Inspection;
import dev.netspec.runtime.autograd.Autograd;
import dev.netspec.runtime.autograd.GradMode;
import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.nn.Parameter;
import dev.netspec.runtime.optim.SGD;
import dev.netspec.runtime.tensor.DType;
import dev.netspec.runtime.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code netspec grad SPEC [--block B] [--arg NAME=VALUE]... --input X.safetensors --weights
 * W.safetensors --upstream G.safetensors --output GRADS.safetensors [--sgd-lr LR
 * --save-weights W2.safetensors]}: one forward and one backward of L = sum(y * g), or of
 * the sum over a tuple's outputs ({@link Upstream}).
 */
@Command(
    name = "grad",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    header = "Runs a block forward and backward: the gradients of L = sum(y * g) for its input and parameters.",
    description = "Compiles a spec in memory, builds the block, loads its weights strictly, runs one forward on the input tensor 'x' (a block with 'inputs:' reads each by its name), takes L = sum(y * g) with g the tensor 'g' of --upstream (y's shape) and backpropagates, as PyTorch's y.backward(g); a block returning a tuple, whose outputs are named y.0, y.1.0, ... as 'run' names them, takes one upstream tensor per output, g.0, g.1.0, ..., and L = sum(y.0 * g.0) + sum(y.1.0 * g.1.0) + ... Writes the outputs ('y' or 'y.0', ...), 'grad.x' (for 'inputs:', 'grad.<name>' of each float input) and 'grad.<name>' for every parameter of the state dict (a shared parameter under each of its names, with the gradient of all its uses; a parameter the forward did not use gets zeros; buffers get none). With --sgd-lr it then takes one plain SGD step (p -= lr * grad, a shared parameter once) and saves the whole state dict to --save-weights. Eval mode unless --train.")
final class GradCommand implements Callable<Integer> {
  @Mixin
  private SpecBlock target;

  @Option(names = "--input", required = true, paramLabel = "X.safetensors",
      description = "Holds the input tensor 'x', or each named input.")
  private Path input;

  @Option(names = "--weights", required = true, paramLabel = "W.safetensors",
      description = "The state dict to load strictly (every key, no extra, same shapes).")
  private Path weights;

  @Option(names = "--upstream", required = true, paramLabel = "G.safetensors",
      description = "Holds 'g', the gradient of L with respect to y (y's shape); for a tuple,"
          + " 'g.0', 'g.1.0', ... for the outputs y.0, y.1.0, ...")
  private Path upstream;

  @Option(names = "--output", required = true, paramLabel = "GRADS.safetensors",
      description = "Where to write the outputs, 'grad.x' and 'grad.<name>' of every parameter.")
  private Path output;

  @Option(names = "--sgd-lr", paramLabel = "LR",
      description = "After the backward, one SGD step p -= LR * grad (needs --save-weights).")
  private Double sgdLr;

  @Option(names = "--save-weights", paramLabel = "W2.safetensors",
      description = "Where to save the state dict after the SGD step (needs --sgd-lr).")
  private Path saveWeights;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "0",
      description = "Seed of the dropout masks with --train (default 0).")
  private long seed;

  @Option(names = "--train",
      description = "Run the forward in training mode (dropout on, its masks drawn from --seed);"
          + " by default it runs in eval mode.")
  private boolean train;

  @Option(names = "--sourcepath", paramLabel = "DIR", split = ",",
      description = "Folders of Java sources the spec's java: initializers live in.")
  private List<Path> sourcePath = new ArrayList<>();

  @Mixin
  private Streams streams;

  @Spec
  private CommandSpec spec;

  @Override
  public Integer call() throws UserException {
    if ((sgdLr == null) != (saveWeights == null)) {
      throw new ParameterException(spec.commandLine(),
          "--sgd-lr and --save-weights go together: the step's weights are saved there");
    }
    if (sgdLr != null && !(sgdLr >= 0 && Double.isFinite(sgdLr))) {
      throw new ParameterException(spec.commandLine(),
          "--sgd-lr must be a finite number >= 0, got " + sgdLr);
    }
    TensorFiles.checkOutput(output, "--output", "grads.safetensors");
    if (saveWeights != null) {
      TensorFiles.checkOutput(saveWeights, "--save-weights", "weights.safetensors");
    }
    Inspection inspection = target.inspect(streams, null, true);
    String chosen = inspection.block();
    List<Tensor> inputs = RunCommand.readInputs(inspection, input, streams.err());
    ModelBuilder.checkHeap(target.spec, Blocks.inspect(target.compilation, target.spec, chosen,
        target.argValues, inputs.get(0).shape()), Runtime.getRuntime().maxMemory());
    Map<String, Tensor> state = TensorFiles.read(weights, streams.err());
    Map<String, Tensor> g = Upstream.read(upstream, inspection.outputs(), streams.err());
    Module model = ModelBuilder.create(target, chosen, sourcePath, streams, seed);
    ModelBuilder.load(model, chosen, state, weights);
    model.train(train);
    for (Tensor x : inputs) {
      if (x.dtype() == DType.FLOAT32) {
        x.requiresGrad_(true);
      }
    }
    Map<String, Tensor> ys;
    try (GradMode.Scope scope = GradMode.enableGrad()) { // recording, whatever the caller's mode
      ys = forward(model, inspection, inputs);
      Upstream.Roots roots = Upstream.roots(upstream, input, ys, g);
      streams.timed("backward of " + chosen, () -> {
        Autograd.backward(roots.tensors(), roots.gradients());
        return ys;
      });
    }
    Map<String, Tensor> result = new LinkedHashMap<>();
    ys.forEach((name, y) -> result.put(name, y.detach()));
    for (int i = 0; i < inputs.size(); i++) {
      Tensor x = inputs.get(i);
      if (x.dtype() == DType.FLOAT32) {
        result.put("grad." + inspection.inputs().get(i).name(), grad(x.grad(), x));
      }
    }
    parameterGrads(model).forEach((name, grad) -> result.put("grad." + name, grad));
    TensorFiles.write(result, output);
    if (sgdLr != null) {
      new SGD(model.parameters(), sgdLr).step(); // a shared parameter is in the list once
      TensorFiles.write(new TreeMap<>(model.stateDict()), saveWeights);
    }
    List<String> outs = new ArrayList<>();
    ys.forEach((n, t) -> outs.add(n + " " + Arrays.toString(t.shape())));
    streams.out().println(chosen + ": " + String.join(", ", RunCommand.names(inspection, inputs))
        + " -> " + String.join(", ", outs) + ", backward of " + Upstream.loss(ys.keySet()) + " ("
        + (train ? "training" : "eval") + " mode): " + (result.size() - ys.size()) + " gradients"
        + " written to " + output + (sgdLr == null ? "" : "; one SGD step (lr " + sgdLr
            + "), weights saved to " + saveWeights));
    return Netspec.OK;
  }

  /** The forward, its argument errors as the user's (a lazy size the weights fixed otherwise). */
  private Map<String, Tensor> forward(Module model, Inspection inspection, List<Tensor> inputs)
      throws UserException {
    try {
      return streams.timed("running " + inspection.block(),
          () -> ModelCall.run(model, inspection, inputs));
    } catch (RuntimeException e) {
      if (!ModelCall.isInputFault(e)) {
        throw e;
      }
      throw UserException.at(input, RunCommand.describe(inspection, inputs) + " does not fit "
          + inspection.block() + " with the weights of " + weights + ": " + e.getMessage());
    }
  }

  /**
   * {@code grad.<name>} for every parameter entry of the state dict, in its order: a tied
   * parameter under each of its names (one tensor, the sum of all its uses), zeros where the
   * forward did not use the parameter; buffers are skipped.
   */
  static Map<String, Tensor> parameterGrads(Module model) {
    Map<Tensor, Parameter> params = new IdentityHashMap<>();
    model.namedParameters().values().forEach(p -> params.put(p.data(), p));
    Map<String, Tensor> out = new LinkedHashMap<>();
    model.stateDict().forEach((name, values) -> {
      Parameter p = params.get(values);
      if (p != null) {
        out.put(name, grad(p.grad(), values));
      }
    });
    return out;
  }

  private static Tensor grad(Tensor grad, Tensor of) {
    return grad == null ? Tensor.zeros(of.shape()) : grad;
  }
}
