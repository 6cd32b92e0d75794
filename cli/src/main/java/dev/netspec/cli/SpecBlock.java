package dev.netspec.cli;

import dev.netspec.compiler.Compilation;
import dev.netspec.compiler.Inspection;
import dev.netspec.compiler.SpecSource;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code SPEC [--block B] [--arg NAME=VALUE]... [--package P]}: one block of one spec, for
 * {@code inspect} and {@code run}.
 */
@Command
final class SpecBlock {
  @Spec(Spec.Target.MIXEE)
  private CommandSpec command;

  @Parameters(paramLabel = "SPEC", description = "The spec file.")
  Path spec;

  @Option(names = "--block", paramLabel = "B",
      description = "The block (default: the file's one top-level block, or its only one).")
  String block;

  @Option(names = "--arg", paramLabel = "NAME=VALUE",
      description = "A value for one of the block's arguments (its args:), such as --arg dim=32;"
          + " once per argument.")
  Map<String, String> args = new LinkedHashMap<>();

  @Mixin
  PackageOption packageOption;

  /** The compilation of {@link #spec}, once {@link #inspect} has run. */
  Compilation compilation;

  /** The values of the block's arguments, in declaration order, once {@link #inspect} has run. */
  Map<String, Object> argValues = Map.of();

  /** The spec compiled (the compiler reads its imports itself). */
  private List<SpecSource> sources = List.of();

  /** The command line of the command this mixin belongs to (for usage errors). */
  picocli.CommandLine commandLine() {
    return command.commandLine();
  }

  private static final java.util.regex.Pattern JAVA_INIT =
      java.util.regex.Pattern.compile("[{,]\\s*\"?java\"?\\s*:");

  /** Whether the spec or a file it imports names a hand-written Java initializer ({@code {java: ...}}). */
  boolean usesJavaInitializers() {
    if (sources.stream().anyMatch(s -> JAVA_INIT.matcher(s.text()).find())) {
      return true;
    }
    for (Path imported : compilation == null ? List.<Path>of() : compilation.imports(spec)) {
      try {
        if (JAVA_INIT.matcher(java.nio.file.Files.readString(imported)).find()) {
          return true;
        }
      } catch (java.io.IOException e) {
        // read by the compiler a moment ago; a file gone since names no initializer
      }
    }
    return false;
  }

  /**
   * Compiles the spec, chooses the block, reads its {@code --arg}s and inspects it.
   *
   * @param inputShape a concrete input shape, or null for the block's declared one
   * @param requireAllArgs whether every argument of the block must be given (to build it)
   */
  Inspection inspect(Streams streams, int[] inputShape, boolean requireAllArgs)
      throws UserException {
    compilation = compileWithImports(streams);
    String chosen = Blocks.choose(compilation, spec, block);
    argValues = BlockArgs.parse(command.commandLine(), chosen, compilation.args(chosen), args,
        requireAllArgs);
    if (!argValues.isEmpty()) {
      // The spec compiled, so what the block refuses at these values is the command line's
      // mistake: the compiler's located errors ("size must be positive, got 0 (from dim)"), exit 2.
      Inspection withArgs;
      try {
        withArgs = Blocks.inspect(compilation, spec, chosen, argValues, null);
      } catch (UserException e) {
        throw e.asUsage();
      }
      if (inputShape == null) {
        return withArgs;
      }
    }
    return Blocks.inspect(compilation, spec, chosen, argValues, inputShape);
  }

  /** Compiles the spec; the compiler reads the files it imports. */
  private Compilation compileWithImports(Streams streams) throws UserException {
    sources = List.of(SpecFiles.readOne(spec));
    return SpecCompiler.compile(sources, packageOption.packageName(), streams);
  }
}
