package dev.netspec.cli;

import dev.netspec.compiler.Compilation;
import dev.netspec.compiler.Inspection;
import dev.netspec.compiler.SpecSource;
import java.nio.file.Path;
import java.util.ArrayList;
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

  /** The specs compiled: {@link #spec}, and the specs beside it when it uses them. */
  private List<SpecSource> sources = List.of();

  /** The command line of the command this mixin belongs to (for usage errors). */
  picocli.CommandLine commandLine() {
    return command.commandLine();
  }

  private static final java.util.regex.Pattern JAVA_INIT =
      java.util.regex.Pattern.compile("[{,]\\s*\"?java\"?\\s*:");

  /** Whether a compiled spec names a hand-written Java initializer ({@code {java: ...}}). */
  boolean usesJavaInitializers() {
    return sources.stream().anyMatch(s -> JAVA_INIT.matcher(s.text()).find());
  }

  /**
   * Compiles the spec, chooses the block, reads its {@code --arg}s and inspects it.
   *
   * @param inputShape a concrete input shape, or null for the block's declared one
   * @param requireAllArgs whether every argument of the block must be given (to build it)
   */
  Inspection inspect(Streams streams, int[] inputShape, boolean requireAllArgs)
      throws UserException {
    compilation = compileWithSiblings(streams);
    String chosen = Blocks.choose(compilation, spec, block);
    argValues = BlockArgs.parse(command.commandLine(), chosen, compilation.args(chosen), args,
        requireAllArgs);
    return Blocks.inspect(compilation, spec, chosen, argValues, inputShape);
  }

  /**
   * Compiles the spec alone or, when it uses blocks of the specs beside it (and so does not
   * compile alone), together with them. The errors reported are the spec's own.
   */
  private Compilation compileWithSiblings(Streams streams) throws UserException {
    SpecSource source = SpecFiles.readOne(spec);
    try {
      sources = List.of(source);
      return SpecCompiler.compile(sources, packageOption.packageName(), streams);
    } catch (UserException alone) {
      Path folder = spec.toAbsolutePath().getParent();
      List<SpecSource> withSiblings = new ArrayList<>(List.of(source));
      for (Path sibling : SpecFiles.specsIn(folder)) {
        if (!sibling.equals(spec.toAbsolutePath().normalize())) {
          withSiblings.add(SpecFiles.readOne(sibling));
        }
      }
      if (withSiblings.size() == 1) {
        throw alone;
      }
      try {
        sources = withSiblings;
        return SpecCompiler.compile(withSiblings, packageOption.packageName(), streams);
      } catch (UserException together) {
        throw alone;
      }
    }
  }
}
