package dev.netspec.compiler.diag;

import java.nio.file.Path;

/**
 * A place in a spec file: 1-based line and column.
 *
 * @param file the spec file
 * @param line 1-based line
 * @param column 1-based column
 */
public record Position(Path file, int line, int column) {
  /** The position {@code columns} characters to the right on the same line. */
  public Position shift(int columns) {
    return new Position(file, line, column + columns);
  }
}
