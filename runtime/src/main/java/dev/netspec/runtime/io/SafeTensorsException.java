package dev.netspec.runtime.io;

import java.io.IOException;

/**
 * A safetensors file could not be read or written. The message is one line that names the
 * file and the fault, such as {@code model.safetensors: tensor '0.weight': data_offsets [0, 96)
 * do not match shape [8, 4] of F32 (128 bytes)}; {@link #source()} and {@link #fault()} give
 * the two parts.
 */
public final class SafeTensorsException extends IOException {
  private static final long serialVersionUID = 1L;

  private final String source;
  private final String fault;

  SafeTensorsException(String source, String fault) {
    this(source, fault, null);
  }

  SafeTensorsException(String source, String fault, Throwable cause) {
    super(source + ": " + fault, cause);
    this.source = source;
    this.fault = fault;
  }

  /** The file (as the caller named it) or the name given to a parsed buffer. */
  public String source() {
    return source;
  }

  /** What is wrong, without the source. */
  public String fault() {
    return fault;
  }
}
