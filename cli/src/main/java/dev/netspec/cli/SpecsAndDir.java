package dev.netspec.cli;

import java.nio.file.Files;
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

  /**
   * {@code -d DIR}, refused (a usage error) when it is a file: {@code netspec compile -d
   * mlp.yaml src/main/java}, the spec and the folder swapped.
   */
  Path dir() throws UserException {
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw UserException.at(dir, "is a file, not a folder; -d names the folder the Java sources go"
          + " into, such as -d src/main/java").asUsage();
    }
    return dir;
  }

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
