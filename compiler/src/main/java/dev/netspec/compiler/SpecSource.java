package dev.netspec.compiler;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * One spec file: its path (as given; it appears in diagnostics), its text, and its name (what
 * the generated header and {@code @Generated(comments = ...)} record).
 *
 * <p>The name is the spec's path relative to its spec folder, with {@code /} between folders,
 * so it depends neither on the working directory nor on how the path was spelled: the CLI and
 * the Maven plugin, given the same folder, write identical bytes.
 *
 * @param path the spec's path, used in messages and never to decide where output goes
 * @param text the whole file as UTF-8 text
 * @param name the spec's path relative to its spec folder, such as {@code mlp.yaml} or
 *     {@code vision/cnn.yaml}
 */
public record SpecSource(Path path, String text, String name) {
  public SpecSource {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(name, "name");
    name = name.replace('\\', '/');
    if (name.isEmpty() || name.startsWith("/") || name.startsWith("../") || name.contains("/../")) {
      throw new IllegalArgumentException("spec name has to be a path inside the spec folder: " + name);
    }
  }

  /** A spec named by its file name, as if its folder were the spec folder. */
  public SpecSource(Path path, String text) {
    this(path, text, fileName(path));
  }

  /** Reads {@code file} as UTF-8, named by its file name. */
  public static SpecSource read(Path file) throws IOException {
    return new SpecSource(file, Files.readString(file, StandardCharsets.UTF_8));
  }

  /**
   * Reads {@code file}, found in the spec folder {@code root}, as UTF-8, named by its path
   * relative to {@code root}.
   *
   * @throws IllegalArgumentException when {@code file} is not inside {@code root}
   */
  public static SpecSource read(Path root, Path file) throws IOException {
    return new SpecSource(file, Files.readString(file, StandardCharsets.UTF_8), nameIn(root, file));
  }

  /** The name of {@code file} in the spec folder {@code root}: relative, {@code /}-separated. */
  public static String nameIn(Path root, Path file) {
    Path r = root.toAbsolutePath().normalize();
    Path f = file.toAbsolutePath().normalize();
    if (!f.startsWith(r) || f.equals(r)) {
      throw new IllegalArgumentException(file + " is not inside the spec folder " + root);
    }
    return r.relativize(f).toString().replace('\\', '/');
  }

  private static String fileName(Path path) {
    Path name = path.getFileName();
    return name == null ? path.toString() : name.toString();
  }
}
