package dev.netspec.compiler;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

// THROWAWAY facade stub (delete before merging branch `compiler`).
public record SpecSource(Path path, String text) {
  public static SpecSource read(Path p) throws IOException {
    return new SpecSource(p, Files.readString(p));
  }
}
