package dev.netspec.compiler;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * One spec file: its path (as given; it appears in diagnostics and in the generated header)
 * and its text.
 *
 * @param path the spec's path, used in messages and never to decide where output goes
 * @param text the whole file as UTF-8 text
 */
public record SpecSource(Path path, String text) {
  public SpecSource {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(text, "text");
  }

  /** Reads {@code p} as UTF-8. */
  public static SpecSource read(Path p) throws IOException {
    return new SpecSource(p, Files.readString(p, StandardCharsets.UTF_8));
  }
}
