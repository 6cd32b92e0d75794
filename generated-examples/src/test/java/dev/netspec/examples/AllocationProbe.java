package dev.netspec.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the allocation tests share: a child JVM ({@link #bytesOnceWarm}) whose main warms one
 * call and prints what 20 calls allocate on its thread ({@link #printBytesOnceWarm}), so that
 * no other test's profile is in it.
 */
final class AllocationProbe {
  private AllocationProbe() {}

  /** Runs {@code main} with {@code args} in a fresh JVM and returns the bytes it printed. */
  static long bytesOnceWarm(Class<?> main, int seconds, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--add-modules", "jdk.incubator.vector",
        "-cp", System.getProperty("java.class.path"), main.getName()));
    command.addAll(List.of(args));
    Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    List<String> lines = child.inputReader().lines().toList();
    assertTrue(child.waitFor(seconds + 120L, TimeUnit.SECONDS), "the child finishes");
    assertEquals(1, lines.size(), "one line: bytes and calls, got " + lines);
    String[] fields = lines.get(0).strip().split(" ");
    assertTrue(Long.parseLong(fields[1]) > 0, "calls run");
    return Long.parseLong(fields[0]);
  }

  /**
   * In the child: runs {@code call} {@code first} times, then rounds of a pause (the JIT
   * compiles meanwhile) and 20 measured calls, until the 20 allocate nothing on this thread or
   * {@code budget} calls in all were made; prints the last bytes and the calls made. The calls,
   * not the time, are bounded: a Vector API method allocates until C2 compiles it, and C2 takes
   * a method only after hundreds of calls of it, however long they take.
   */
  static void printBytesWithinCalls(Runnable call, int first, int budget)
      throws InterruptedException {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    int calls = 0;
    for (; calls < first; calls++) {
      call.run();
    }
    long bytes = Long.MAX_VALUE;
    while (bytes != 0 && calls + 20 <= budget) {
      Thread.sleep(1_000);
      long before = threads.getCurrentThreadAllocatedBytes();
      for (int i = 0; i < 20; i++) {
        call.run();
      }
      bytes = threads.getCurrentThreadAllocatedBytes() - before;
      calls += 20;
    }
    System.out.println(bytes + " " + calls);
  }

  /**
   * In the child: runs {@code call} {@code warm} times, then prints the bytes the next {@code
   * measured} calls allocate on this thread and on the kernels' pool workers ({@code
   * netspec-kernels-*} threads) together, and the calls made.
   */
  static void printBytesWithWorkers(Runnable call, int warm, int measured) {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    for (int i = 0; i < warm; i++) {
      call.run();
    }
    long[] ids = kernelThreadIds();
    // Reading the counters allocates their result array on this thread: take that off.
    long probe = -total(threads.getThreadAllocatedBytes(ids))
        + total(threads.getThreadAllocatedBytes(ids));
    long before = total(threads.getThreadAllocatedBytes(ids));
    for (int i = 0; i < measured; i++) {
      call.run();
    }
    long bytes = total(threads.getThreadAllocatedBytes(ids)) - before - probe;
    System.out.println(bytes + " " + (warm + measured));
  }

  /** This thread's id, then the ids of the live {@code netspec-kernels-*} workers. */
  private static long[] kernelThreadIds() {
    List<Long> ids = new ArrayList<>(List.of(Thread.currentThread().getId()));
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("netspec-kernels-")) {
        ids.add(t.getId());
      }
    }
    return ids.stream().mapToLong(Long::longValue).toArray();
  }

  private static long total(long[] bytes) {
    long sum = 0;
    for (long b : bytes) {
      sum += Math.max(0, b); // -1: a thread that ended
    }
    return sum;
  }

  /**
   * In the child: runs {@code call} in rounds of 100 then 20 measured, until the 20 allocate
   * nothing on this thread or {@code seconds} pass; prints the last bytes and the calls made.
   */
  static void printBytesOnceWarm(Runnable call, long seconds, String suffix) {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    long bytes = Long.MAX_VALUE;
    long calls = 0;
    while (bytes != 0 && System.nanoTime() < deadline) {
      for (int i = 0; i < 100; i++) {
        call.run();
      }
      long before = threads.getCurrentThreadAllocatedBytes();
      for (int i = 0; i < 20; i++) {
        call.run();
      }
      bytes = threads.getCurrentThreadAllocatedBytes() - before;
      calls += 120;
    }
    System.out.println(bytes + " " + calls + suffix);
  }
}
