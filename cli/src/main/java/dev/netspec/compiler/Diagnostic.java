package dev.netspec.compiler;

import java.nio.file.Path;

// THROWAWAY facade stub (delete before merging branch `compiler`).
public record Diagnostic(Path file, int line, int column, Severity severity, String message) {
  public String format() {
    return file + ":" + line + ":" + column + ": " + severity.name().toLowerCase() + ": " + message;
  }

  public enum Severity { ERROR, WARNING }
}
