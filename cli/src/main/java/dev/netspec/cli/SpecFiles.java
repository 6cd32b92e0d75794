package dev.netspec.cli;

import dev.netspec.compiler.SpecSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Turns the {@code SPEC...} arguments (files, or folders searched for specs) into sources. */
final class SpecFiles {
  private SpecFiles() {}

  /** Whether {@code file} is named like a spec: {@code .yaml}, {@code .yml} or {@code .json}. */
  static boolean isSpec(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    return name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json");
  }

  /**
   * Reads every spec named by {@code args}: a file is read whatever its name, a folder gives
   * every spec file below it. A spec is named (in the generated header) by its path relative
   * to the folder argument that found it, or by its file name when given as a file, so the
   * name does not depend on the working directory. The result is sorted by path and has no
   * duplicates (the first argument that names a file wins).
   *
   * @throws UserException for a path that does not exist, cannot be read or holds no spec
   */
  static List<SpecSource> read(List<Path> args) throws UserException {
    Map<Path, Path> rootOf = new TreeMap<>();
    Map<Path, Path> typed = new HashMap<>();
    for (Path arg : args) {
      List<Path> found;
      Path root;
      if (Files.isDirectory(arg)) {
        found = specsBelow(arg);
        if (found.isEmpty()) {
          throw UserException.at(arg, "no spec files (*.yaml, *.yml, *.json) in this folder");
        }
        root = arg;
      } else if (Files.isRegularFile(arg)) {
        found = List.of(arg.normalize());
        root = null;
      } else {
        throw UserException.at(arg, "no such file or folder");
      }
      for (Path file : found) {
        Path key = file.toAbsolutePath().normalize();
        if (!typed.containsKey(key)) {
          typed.put(key, file);
          rootOf.put(key, root == null ? key.getParent() : root);
        }
      }
    }
    List<SpecSource> sources = new ArrayList<>();
    for (Map.Entry<Path, Path> e : rootOf.entrySet()) {
      sources.add(read(e.getValue(), typed.get(e.getKey())));
    }
    return sources;
  }

  private static SpecSource read(Path root, Path file) throws UserException {
    try {
      return SpecSource.read(root, file);
    } catch (IOException e) {
      throw UserException.at(file, "cannot read: " + describe(e));
    }
  }

  /** Reads one spec file. */
  static SpecSource readOne(Path file) throws UserException {
    if (!Files.isRegularFile(file)) {
      throw UserException.at(file, Files.isDirectory(file) ? "is a folder, not a spec file"
          : "no such file");
    }
    try {
      return SpecSource.read(file);
    } catch (IOException e) {
      throw UserException.at(file, "cannot read: " + describe(e));
    }
  }

  /** The spec files directly in {@code dir} (not below it), as normalized absolute paths. */
  static List<Path> specsIn(Path dir) throws UserException {
    try (Stream<Path> list = Files.list(dir)) {
      return list.filter(Files::isRegularFile).filter(SpecFiles::isSpec)
          .map(p -> p.toAbsolutePath().normalize()).sorted().toList();
    } catch (IOException | java.io.UncheckedIOException e) {
      throw UserException.at(dir, "cannot list: " + describe(e));
    }
  }

  private static List<Path> specsBelow(Path dir) throws UserException {
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile).filter(SpecFiles::isSpec).map(Path::normalize)
          .sorted().toList();
    } catch (IOException | java.io.UncheckedIOException e) {
      throw UserException.at(dir, "cannot list: " + describe(e));
    }
  }

  /** The useful part of an I/O exception's message. */
  static String describe(Exception e) {
    Throwable cause = e instanceof java.io.UncheckedIOException && e.getCause() != null
        ? e.getCause() : e;
    String msg = cause.getMessage();
    String name = cause.getClass().getSimpleName();
    if (cause instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    if (cause instanceof java.nio.file.NoSuchFileException) {
      return "no such file";
    }
    if (cause instanceof java.nio.charset.CharacterCodingException) {
      return "not UTF-8 text";
    }
    if (cause instanceof java.nio.file.FileAlreadyExistsException) {
      return "a file is in the way";
    }
    return msg == null ? name : msg;
  }
}
