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
