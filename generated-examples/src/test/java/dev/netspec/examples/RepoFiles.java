package dev.netspec.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Paths in the repository the tests read: specs/, docs/, this module's sources. */
final class RepoFiles {
  private RepoFiles() {}

  /** The repository root: the nearest folder at or above the working directory with specs/. */
  static Path root() {
    Path dir = Path.of("").toAbsolutePath();
    for (Path p = dir; p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("specs")) && Files.isDirectory(p.resolve("docs"))) {
        return p;
      }
    }
    throw new IllegalStateException("no specs/ and docs/ folders at or above " + dir);
  }

  /** Every spec file (.yaml, .yml, .json) below specs/, as paths relative to the root, sorted. */
  static List<Path> specs() {
    Path root = root();
    try (Stream<Path> files = Files.walk(root.resolve("specs"))) {
      return files.filter(Files::isRegularFile)
          .filter(p -> isSpec(p.getFileName().toString()))
          .map(root::relativize)
          .sorted()
          .collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static boolean isSpec(String fileName) {
    return fileName.endsWith(".yaml") || fileName.endsWith(".yml") || fileName.endsWith(".json");
  }

  /** A path relative to the root as text with forward slashes, on every OS. */
  static String slashed(Path relative) {
    return relative.toString().replace('\\', '/');
  }
}
