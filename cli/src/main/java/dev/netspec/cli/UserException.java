package dev.netspec.cli;

import java.nio.file.Path;

/**
 * A mistake in the user's files or data, already worded for the user: the CLI prints its message
 * as is, without a stack trace, and exits with {@link Netspec#USER_ERROR}.
 */
final class UserException extends Exception {
  private static final long serialVersionUID = 1L;

  UserException(String message) {
    super(message);
  }

  /** {@code file: error: message}, for problems that have a file but no line. */
  static UserException at(Path file, String message) {
    return new UserException(file + ": error: " + message);
  }
}
