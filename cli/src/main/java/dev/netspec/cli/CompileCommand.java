package dev.netspec.cli;

import dev.netspec.compiler.Compilation;
import dev.netspec.compiler.GeneratedSources;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code netspec compile SPEC... -d DIR [--package P]}. */
@Command(
    name = "compile",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    header = "Generates one Java class per block.",
    description = "Generates one Java class per block of the specs into DIR, in the folders of its package. Files that are already up to date are left untouched; nothing is written when a spec has an error.")
final class CompileCommand implements Callable<Integer> {
  @Mixin
  private SpecsAndDir args;

  @Mixin
  private Streams streams;

  @Override
  public Integer call() throws UserException {
    Path dir = args.dir(); // first: a spec given as -d is the spec and the folder swapped
    Compilation compilation = SpecCompiler.compile(SpecFiles.read(args.specs),
        args.packageOption.packageName(), streams);
    GeneratedSources.WriteResult result;
    try {
      result = GeneratedSources.write(compilation.files(), dir);
    } catch (IOException e) {
      throw UserException.at(args.dir, "cannot write generated sources: " + SpecFiles.describe(e));
    }
    for (String path : result.written()) {
      streams.out().println("wrote " + args.dir.resolve(path));
    }
    streams.out().println(summary(result, args.dir));
    return Netspec.OK;
  }

  private static String summary(GeneratedSources.WriteResult result, Path dir) {
    int total = result.written().size() + result.unchanged().size();
    return total + (total == 1 ? " class" : " classes") + " in " + dir + ": "
        + result.written().size() + " written, " + result.unchanged().size() + " up to date";
  }
}
