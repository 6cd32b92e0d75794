package dev.netspec.runtime.kernels;

import java.lang.System.Logger.Level;

/**
 * Chooses the backend once. The vector backend is loaded by name, and only after the
 * {@code jdk.incubator.vector} module has been found in the boot layer, so a JVM started
 * without {@code --add-modules jdk.incubator.vector} never touches a Vector API class: it logs
 * one warning and runs the scalar kernels. {@code -Dnetspec.kernels=scalar} forces the scalar
 * backend.
 */
final class Backends {
  static final String VECTOR_MODULE = "jdk.incubator.vector";
  static final String PROPERTY = "netspec.kernels";

  private static final String VECTOR_CLASS = "dev.netspec.runtime.kernels.VectorBackend";

  private Backends() {}

  /** The backend for this JVM, from the system property and the boot module layer. */
  static Backend select() {
    boolean present = ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
    return select(System.getProperty(PROPERTY, "auto"), present);
  }

  /**
   * The backend for a requested mode ({@code auto}, {@code vector} or {@code scalar}) given
   * whether the Vector API module is present.
   */
  static Backend select(String requested, boolean vectorModulePresent) {
    String mode = requested.trim();
    if (mode.equals("scalar")) {
      return new ScalarBackend();
    }
    if (!mode.equals("auto") && !mode.equals("vector")) {
      warn("-D" + PROPERTY + "=" + requested + " is not one of auto, vector, scalar;"
          + " using auto");
    }
    if (!vectorModulePresent) {
      warn("module " + VECTOR_MODULE + " is not available; netspec kernels fall back to"
          + " scalar loops (run java with --add-modules " + VECTOR_MODULE + " for speed)");
      return new ScalarBackend();
    }
    try {
      return (Backend) Class.forName(VECTOR_CLASS).getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
      warn("cannot load the Vector API kernels (" + e + "); using scalar loops");
      return new ScalarBackend();
    }
  }

  private static void warn(String message) {
    System.getLogger("dev.netspec.runtime.kernels").log(Level.WARNING, message);
  }
}
