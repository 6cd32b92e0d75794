package dev.netspec.runtime.nn;

import java.lang.management.ManagementFactory;

/** How many bytes a warm forward allocates, for the allocation-free tests of the runtime. */
public final class Allocations {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private Allocations() {}

  /**
   * The bytes {@code calls} runs of {@code forward} allocate on this thread after
   * {@code warmup} runs, measured again until 0 or for 60 s: escape analysis removes the
   * kernels' temporaries only in compiled code, and the JIT may take a while on a busy machine.
   */
  public static long steadyStateBytes(Runnable forward, int warmup, int calls) {
    return steadyStateBytes(forward, warmup, calls, 60);
  }

  /** As {@link #steadyStateBytes(Runnable, int, int)}, measured again for up to {@code seconds}. */
  public static long steadyStateBytes(Runnable forward, int warmup, int calls, int seconds) {
    long bytes = Long.MAX_VALUE;
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    while (bytes != 0 && System.nanoTime() < deadline) {
      for (int i = 0; i < warmup; i++) {
        forward.run();
      }
      long before = THREADS.getCurrentThreadAllocatedBytes();
      for (int i = 0; i < calls; i++) {
        forward.run();
      }
      bytes = THREADS.getCurrentThreadAllocatedBytes() - before;
    }
    return bytes;
  }
}
