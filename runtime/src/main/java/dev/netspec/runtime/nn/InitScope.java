package dev.netspec.runtime.nn;

/**
 * Where {@link Module#initialize} does nothing, on this thread: while a generated block builds
 * its children (their own {@code initialize(seed)}, at the end of their constructors, would be
 * redone by the block's, which covers the whole tree) and while a replica is built (its
 * parameters are its original's). Scopes nest.
 */
final class InitScope {
  private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);

  private InitScope() {}

  static void enter() {
    DEPTH.get()[0]++;
  }

  static void exit() {
    int[] depth = DEPTH.get();
    if (--depth[0] == 0) {
      DEPTH.remove();
    }
  }

  /** Whether {@code initialize} is skipped on this thread now. */
  static boolean skipping() {
    return DEPTH.get()[0] > 0;
  }
}
