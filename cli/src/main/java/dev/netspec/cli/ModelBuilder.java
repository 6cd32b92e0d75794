package dev.netspec.cli;

import dev.netspec.compiler.Inspection;
import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.nn.StateDictException;
import dev.netspec.runtime.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.ParameterException;

/**
 * Building the chosen block of a {@link SpecBlock} for the commands that run one ({@code run},
 * {@code generate}): a heap check, javac in memory, the constructor with the {@code --arg}
 * values, the weights loaded strictly. Each step's failure is worded for the user.
 */
final class ModelBuilder {
  private ModelBuilder() {}

  /**
   * A new instance of {@code block} from {@code seed}, after {@link SpecBlock#inspect}.
   *
   * @param sourcePath folders of the sources of the spec's {@code java:} initializers
   */
  static Module create(SpecBlock target, String block, List<Path> sourcePath, Streams streams,
      long seed) throws UserException {
    Models models = compile(target, sourcePath, streams);
    try {
      return models.create(block, List.copyOf(target.argValues.values()), seed);
    } catch (IllegalArgumentException e) {
      if (target.argValues.isEmpty()) {
        throw e;
      }
      // the constructor checks what the compiler cannot: the values of --arg
      throw new ParameterException(target.commandLine(), "--arg: " + block + " "
          + target.argValues + ": " + e.getMessage());
    }
  }

  /**
   * Refuses, before any input is read, {@code --arg} values that make a declared input size
   * negative ({@code input: [batch, dim]} with {@code --arg dim=-2}): the constructor refuses
   * them, and the input check alone would blame the input file. The constructor's own message
   * is the usage error, as for any value it refuses.
   */
  static void checkArgs(SpecBlock target, Inspection inspection, List<Path> sourcePath,
      Streams streams) throws UserException {
    for (Inspection.Port p : inspection.inputs()) {
      if (p.shape() != null
          && p.shape().stream().anyMatch(d -> d instanceof Number n && n.longValue() < 0)) {
        create(target, inspection.block(), sourcePath, streams, 0); // throws the constructor's refusal
        throw new ParameterException(target.commandLine(), "--arg: " + inspection.block() + " "
            + target.argValues + ": '" + p.name() + "' would have shape "
            + InspectReport.shape(p.shape()) + "; sizes must be >= 0");
      }
    }
  }

  /** Loads {@code state}, read from {@code file}, strictly: every key, no other, same shapes. */
  static void load(Module model, Map<String, Tensor> state, Path file) throws UserException {
    try {
      model.loadStateDict(state, true);
    } catch (StateDictException e) {
      throw UserException.at(file, e.getMessage());
    }
  }

  /**
   * Refuses, before allocating anything, a model whose parameters alone do not fit the JVM's maximum heap (the parameters of a 40,000 x 40,000 linear take 6.4 GB):
   * one error naming the need and how to raise the heap, instead of an OutOfMemoryError.
   */
  static void checkHeap(Path spec, Inspection atInput, long maxHeap) throws UserException {
    long need = atInput.parameterBytes();
    if (need < 0 || need < maxHeap) {
      return;
    }
    long gib = 1L << 30;
    long suggest = (need + need / 4 + gib - 1) / gib;
    throw UserException.at(spec, atInput.block() + "'s parameters need "
        + InspectReport.bytes(need) + ", more than the JVM's maximum heap of "
        + InspectReport.bytes(maxHeap) + "; raise the heap: java -Xmx" + suggest
        + "g, or NETSPEC_JAVA_OPTS=-Xmx" + suggest + "g for bin/netspec");
  }

  /** The generated classes, compiled; javac failing on a user's initializer is their error. */
  private static Models compile(SpecBlock target, List<Path> sourcePath, Streams streams)
      throws UserException {
    try {
      return Models.compile(target.compilation, sourcePath, streams);
    } catch (MemoryCompiler.Rejected e) {
      if (!target.usesJavaInitializers()) {
        throw e;
      }
      throw new UserException(target.spec + ": error: the generated code does not compile: "
          + "give the classes of its java: initializers with --sourcepath DIR"
          + System.lineSeparator() + e.getMessage());
    }
  }
}
