package dev.netspec.cli;

import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code SPEC... -d DIR [--package P]}: the arguments {@code compile} and {@code check} share. */
@Command
final class SpecsAndDir {
  @Parameters(arity = "1..*", paramLabel = "SPEC",
      description = "Spec files, or folders searched for *.yaml, *.yml and *.json.")
  List<Path> specs;

  @Option(names = "-d", required = true, paramLabel = "DIR",
      description = "The source root of the generated classes.")
  Path dir;

  @Mixin
  PackageOption packageOption;

  /** The {@code netspec compile} command line that writes what these arguments describe. */
  String compileCommand() {
    StringBuilder sb = new StringBuilder("netspec compile");
    for (Path spec : specs) {
      sb.append(' ').append(spec);
    }
    sb.append(" -d ").append(dir);
    if (packageOption.packageName() != null) {
      sb.append(" --package ").append(packageOption.packageName());
    }
    return sb.toString();
  }
}
