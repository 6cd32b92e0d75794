package dev.netspec.cli;

import java.nio.file.Path;

/**
 * A mistake in the user's files or data, already worded for the user: the CLI prints its message
 * as is, without a stack trace, and exits with {@link Netspec#USER_ERROR}.
 */
final class UserException extends Exception {
  private static final long serialVersionUID = 1L;

  private final int exitCode;

  UserException(String message) {
    this(message, Netspec.USER_ERROR);
  }

  private UserException(String message, int exitCode) {
    super(message);
    this.exitCode = exitCode;
  }

  /**
   * The same message as a bad command line (exit {@link Netspec#USAGE}): the spec is right, and
   * a value given on the command line ({@code --arg dim=0}) is what it refuses.
   */
  UserException asUsage() {
    return new UserException(getMessage(), Netspec.USAGE);
  }

  /** {@link Netspec#USER_ERROR}, or {@link Netspec#USAGE} for {@link #asUsage}. */
  int exitCode() {
    return exitCode;
  }

  /** {@code file: error: message}, for problems that have a file but no line. */
  static UserException at(Path file, String message) {
    return new UserException(file + ": error: " + message);
  }
}
