package dev.netspec.cli;

import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.nn.StateDictException;
import dev.netspec.runtime.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.ParameterException;

/**
 * Building the chosen block of a {@link SpecBlock} for the commands that run one ({@code run},
 * {@code generate}): javac in memory, the constructor with the {@code --arg} values, the
 * weights loaded strictly. Each step's failure is worded for the user.
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

  /** Loads {@code state}, read from {@code file}, strictly: every key, no other, same shapes. */
  static void load(Module model, Map<String, Tensor> state, Path file) throws UserException {
    try {
      model.loadStateDict(state, true);
    } catch (StateDictException e) {
      throw UserException.at(file, e.getMessage());
    }
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
