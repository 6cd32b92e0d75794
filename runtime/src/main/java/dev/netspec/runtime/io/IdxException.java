package dev.netspec.runtime.io;

import java.io.IOException;

/**
 * An IDX file could not be read. The message is one line naming the file, the byte offset
 * (in the uncompressed data) where there is one, and the fault, such as {@code
 * train-labels.idx: byte 2: unknown element type 0x07 (expected 0x08, 0x09, 0x0b, 0x0c, 0x0d
 * or 0x0e)}.
 */
public final class IdxException extends IOException {
  private static final long serialVersionUID = 1L;

  IdxException(String source, String fault) {
    super(source + ": " + fault);
  }

  IdxException(String source, String fault, Throwable cause) {
    super(source + ": " + fault, cause);
  }
}
