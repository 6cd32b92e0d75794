package dev.netspec.cli;

import dev.netspec.compiler.Compilation;
import dev.netspec.compiler.Inspection;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code SPEC [--block B]}: one block of one spec, for {@code inspect} and {@code run}. */
@Command
final class SpecBlock {
  @Parameters(paramLabel = "SPEC", description = "The spec file.")
  Path spec;

  @Option(names = "--block", paramLabel = "B",
      description = "The block (default: the file's one top-level block).")
  String block;

  /** The compilation of {@link #spec}, once {@link #inspect} has run. */
  Compilation compilation;

  /**
   * Compiles the spec, chooses the block and inspects it.
   *
   * @param inputShape a concrete input shape, or null for the block's declared one
   */
  Inspection inspect(PrintWriter err, int[] inputShape) throws UserException {
    compilation = SpecCompiler.compile(List.of(SpecFiles.readOne(spec)), null, err);
    String chosen = Blocks.choose(compilation, spec, block);
    return Blocks.inspect(compilation, spec, chosen, inputShape);
  }
}
