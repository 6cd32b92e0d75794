package dev.netspec.cli;

import dev.netspec.compiler.Compilation;
import dev.netspec.compiler.GeneratedSources;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code netspec check SPEC... -d DIR}: exit 1 when DIR is not what compile would write. */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    header = "Exit 1 if DIR is not what compile would write.",
    description = "Checks that DIR holds exactly what 'netspec compile' would write there, for generated sources checked into an app. Lists every stale or missing file and exits with 1 when there is one.")
final class CheckCommand implements Callable<Integer> {
  @Mixin
  private SpecsAndDir args;

  @Mixin
  private Streams streams;

  @Override
  public Integer call() throws UserException {
    Path dir = args.dir(); // first: a spec given as -d is the spec and the folder swapped
    Compilation compilation = SpecCompiler.compile(SpecFiles.read(args.specs),
        args.packageOption.packageName(), streams);
    List<GeneratedSources.Mismatch> mismatches;
    try {
      mismatches = GeneratedSources.diff(compilation.files(), dir);
    } catch (IOException e) {
      throw UserException.at(args.dir, "cannot read generated sources: " + SpecFiles.describe(e));
    }
    if (!mismatches.isEmpty()) {
      throw new UserException(report(mismatches));
    }
    int n = compilation.files().size();
    streams.out().println(args.dir + ": up to date (" + n + (n == 1 ? " class)" : " classes)"));
    return Netspec.OK;
  }

  private String report(List<GeneratedSources.Mismatch> mismatches) {
    StringBuilder sb = new StringBuilder();
    for (GeneratedSources.Mismatch m : mismatches) {
      String what = m.difference() == GeneratedSources.Difference.MISSING
          ? "missing: 'netspec compile' would write it"
          : "stale: differs from what 'netspec compile' writes";
      sb.append(args.dir.resolve(m.relativePath())).append(": error: ").append(what)
          .append(System.lineSeparator());
    }
    sb.append("netspec: ").append(mismatches.size())
        .append(mismatches.size() == 1 ? " file is" : " files are")
        .append(" out of date; to fix, run: ").append(args.compileCommand());
    return sb.toString();
  }
}
