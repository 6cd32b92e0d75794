package dev.netspec.cli;

import dev.netspec.compiler.Compilation;
import dev.netspec.compiler.Compiler;
import dev.netspec.compiler.CompilerOptions;
import dev.netspec.compiler.Diagnostic;
import dev.netspec.compiler.SpecSource;
import java.util.List;
import java.util.stream.Collectors;

/** Runs the netspec compiler for a command and reports its diagnostics. */
final class SpecCompiler {
  private SpecCompiler() {}

  /**
   * Compiles {@code sources}; prints warnings to stderr.
   *
   * @param packageOverride the Java package for every block, or null for the specs' own
   * @throws UserException carrying every diagnostic, one per line, when there are errors
   */
  static Compilation compile(List<SpecSource> sources, String packageOverride, Streams streams)
      throws UserException {
    String what = sources.size() == 1 ? sources.get(0).path().toString()
        : sources.size() + " specs";
    Compilation compilation = streams.timed("compiling " + what,
        () -> new Compiler(new CompilerOptions(packageOverride)).compile(sources));
    if (compilation.hasErrors()) {
      throw new UserException(compilation.diagnostics().stream().map(Diagnostic::format)
          .collect(Collectors.joining(System.lineSeparator())));
    }
    for (Diagnostic d : compilation.diagnostics()) {
      streams.err().println(d.format());
    }
    return compilation;
  }
}
