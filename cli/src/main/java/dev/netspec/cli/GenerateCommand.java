package dev.netspec.cli;

import dev.netspec.compiler.Inspection;
import dev.netspec.runtime.generate.CausalLM;
import dev.netspec.runtime.generate.Generation;
import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.tensor.DType;
import dev.netspec.runtime.tensor.Tensor;
import java.io.PrintWriter;
import java.nio.file.Path;
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
 * {@code netspec generate SPEC [--block B] --weights W.safetensors --prompt P.safetensors
 * --max-new-tokens N --output O.safetensors [--temperature T] [--top-k K] [--seed S]}.
 */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    header = "Generates tokens with a causal language model from the prompt 'ids'.",
    description = "Compiles a spec in memory, builds the block (ids [batch, seq] -> logits [batch, seq, vocab]), loads its weights strictly, and extends each prompt of the int64 tensor 'ids' by --max-new-tokens tokens: the most likely one at each step (greedy), or with --temperature one drawn from the softmax of the logits over T, keeping the --top-k most likely, from --seed. Writes the prompts and their new tokens as 'ids' [batch, n + N]. The block runs in eval mode, on the whole sequence at each step unless it keeps a KV cache.")
final class GenerateCommand implements Callable<Integer> {
  @Mixin
  private SpecBlock target;

  @Option(names = "--weights", required = true, paramLabel = "W.safetensors",
      description = "The state dict to load strictly (every key, no extra, same shapes).")
  private Path weights;

  @Option(names = "--prompt", required = true, paramLabel = "P.safetensors",
      description = "Holds the prompts: int64 tensor 'ids' [batch, n].")
  private Path prompt;

  @Option(names = "--max-new-tokens", required = true, paramLabel = "N",
      description = "How many tokens to add to each prompt.")
  private int maxNewTokens;

  @Option(names = "--output", required = true, paramLabel = "O.safetensors",
      description = "Where to write 'ids' [batch, n + N]: the prompts and their new tokens.")
  private Path output;

  @Option(names = "--temperature", paramLabel = "T",
      description = "Sample at this temperature (> 0; below 1 sharpens, above flattens);"
          + " without it, decoding is greedy.")
  private Double temperature;

  @Option(names = "--top-k", paramLabel = "K",
      description = "With --temperature: draw only among the K most likely tokens.")
  private Integer topK;

  @Option(names = "--seed", paramLabel = "S",
      description = "With --temperature: the seed of the draws (default 0); one seed, one"
          + " output.")
  private Long seed;

  @Mixin
  private Streams streams;

  @Override
  public Integer call() throws UserException {
    Generation generation = generation();
    TensorFiles.checkOutput(output, "--output", "ids.safetensors");
    Inspection inspection = target.inspect(streams, null, true);
    String block = inspection.block();
    int context = checkBlock(inspection);
    Tensor ids = readPrompt(context, block);
    ModelBuilder.checkHeap(target.spec, inspection, Runtime.getRuntime().maxMemory());
    Map<String, Tensor> state = TensorFiles.read(weights, streams.err());

    Module model = ModelBuilder.create(target, block, List.of(), streams, 0);
    ModelBuilder.load(model, block, state, weights);
    model.eval();
    // A block with its own cache decodes incrementally; any other is run on the whole
    // sequence at each step, its history sized to what the prompt and new tokens need.
    CausalLM lm = model instanceof CausalLM cached ? cached
        : CausalLM.recomputing(model, Math.min(context, ids.size(1) + maxNewTokens));
    long start = System.nanoTime();
    Tensor out;
    try {
      out = generation.generate(lm, ids, maxNewTokens, progress());
    } catch (RuntimeException e) {
      throw promptFault(e, prompt, block, ids);
    }
    reportSpeed(ids.size(0), System.nanoTime() - start);
    TensorFiles.write(Map.of("ids", out), output);
    streams.out().println(block + ": ids " + Arrays.toString(ids.shape()) + " -> ids "
        + Arrays.toString(out.shape()) + " (" + generation + "), written to " + output);
    return Netspec.OK;
  }

  /**
   * The prompt's one-line error for a decoding failure that is the user's: an id past the
   * embedding's rows, a block that does not take int64 ids or cannot decode ({@link
   * ModelCall#isInputFault}, or an IllegalStateException); anything else, an array index out of
   * bounds included, is a bug in netspec and is rethrown.
   */
  static UserException promptFault(RuntimeException e, Path prompt, String block, Tensor ids) {
    if (!(e instanceof IllegalStateException) && !ModelCall.isInputFault(e)) {
      throw e;
    }
    return UserException.at(prompt, block + " cannot generate from 'ids' "
        + Arrays.toString(ids.shape()) + ": " + e.getMessage());
  }

  /** Greedy, or sampling with the options; an option that only sampling takes needs --temperature. */
  private Generation generation() {
    if (maxNewTokens < 0) {
      throw usage("--max-new-tokens must not be negative, got " + maxNewTokens);
    }
    if (temperature == null) {
      if (topK != null || seed != null) {
        throw usage((topK != null ? "--top-k" : "--seed") + " applies to sampling: give"
            + " --temperature T too (without it, decoding is greedy)");
      }
      return Generation.greedy();
    }
    if (!(temperature > 0) || temperature.isInfinite()) {
      throw usage("--temperature must be a positive number, got " + temperature
          + " (leave it out for greedy decoding)");
    }
    if (topK != null && topK < 1) {
      throw usage("--top-k must be at least 1, got " + topK);
    }
    return Generation.sampling(temperature, topK == null ? 0 : topK, seed == null ? 0 : seed);
  }

  private ParameterException usage(String message) {
    return new ParameterException(target.commandLine(), message);
  }

  /**
   * The block must take {@code [batch, seq]} and give {@code [batch, seq, vocab]}; returns its
   * context: the declared {@code seq} if it is a number, else unbounded.
   */
  private int checkBlock(Inspection inspection) throws UserException {
    List<Object> in = inspection.inputShape();
    List<Object> out = inspection.outputShape();
    if (in != null && in.size() != 2 || out != null && out.size() != 3) {
      throw UserException.at(target.spec, inspection.block() + " maps "
          + InspectReport.shape(in) + " to " + InspectReport.shape(out) + "; generate needs a"
          + " causal language model: token ids [batch, seq] to logits [batch, seq, vocab]");
    }
    return in != null && in.get(1) instanceof Number n ? n.intValue() : Integer.MAX_VALUE;
  }

  private Tensor readPrompt(int context, String block) throws UserException {
    Map<String, Tensor> tensors = TensorFiles.read(prompt, streams.err());
    Tensor ids = tensors.get("ids");
    if (ids == null) {
      throw UserException.at(prompt, "no tensor named 'ids' (found: "
          + String.join(", ", new TreeMap<>(tensors).keySet()) + ")");
    }
    if (ids.dtype() != DType.INT64) {
      throw UserException.at(prompt, "'ids' is " + ids.dtype() + "; the prompt's token ids"
          + " must be int64 (torch.long)");
    }
    if (ids.dim() != 2 || ids.size(0) == 0 || ids.size(1) == 0) {
      throw UserException.at(prompt, "'ids' has shape " + Arrays.toString(ids.shape())
          + "; the prompt must be token ids [batch, n] with at least one token");
    }
    int n = ids.size(1);
    if ((long) n + maxNewTokens > context) {
      throw UserException.at(prompt, "the prompt's " + n + " tokens and " + maxNewTokens
          + " new tokens (" + ((long) n + maxNewTokens) + ") exceed " + block
          + "'s context of " + context + " tokens");
    }
    return ids;
  }

  /** On a terminal, a line counting the tokens as they come, rewritten in place. */
  private Generation.Progress progress() {
    if (!streams.showsProgress()) {
      return null;
    }
    PrintWriter err = streams.err();
    return (done, total) -> {
      err.print("\rnetspec: generating: " + done + "/" + total + " tokens");
      err.flush();
    };
  }

  /** The closing progress line: how many tokens, how fast. */
  private void reportSpeed(int batch, long nanos) {
    double seconds = nanos / 1e9;
    String line = String.format(Locale.ROOT, "netspec: generated %d new tokens for %d %s in %.1f"
        + " s (%.1f tokens/s)", maxNewTokens, batch, batch == 1 ? "sequence" : "sequences",
        seconds, maxNewTokens * (double) batch / Math.max(seconds, 1e-9));
    streams.err().println((streams.showsProgress() ? "\r" : "") + line);
  }
}
