package dev.netspec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.opentest4j.AssertionFailedError;

/**
 * Every bad-input class has a fixture under {@code errors/}: the expected message sits on the
 * offending line as {@code # error: <message>}, and the compiler must report exactly those
 * (line and message), all of them, without hanging and without a stack trace. Each fixture has
 * a good twin ({@code *.good.yaml}) that compiles cleanly into Java that compiles.
 *
 * <p>The bound on each compile is about hangs, not speed: {@link #CPU_BUDGET_NANOS} of the
 * compiling thread's own CPU time (which other processes on a loaded machine do not consume;
 * a loop that never ends does), with a wall-clock backstop for a compile blocked without
 * spending CPU.
 */
class ErrorFixturesTest {
  private static final Path DIR = Path.of("src/test/resources/errors");
  private static final String MARK = "# error: ";

  static Stream<String> badFixtures() throws IOException {
    try (Stream<Path> s = Files.list(DIR)) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".yaml") && !n.endsWith(".good.yaml"))
          .sorted().toList().stream();
    }
  }

  @ParameterizedTest
  @MethodSource("badFixtures")
  void reportsExactlyTheMarkedErrors(String name) throws IOException {
    String text = Files.readString(DIR.resolve(name));
    List<String> expected = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      int at = lines[i].indexOf(MARK);
      if (at >= 0) {
        expected.add((i + 1) + ": " + lines[i].substring(at + MARK.length()).strip());
      }
    }
    assertFalse(expected.isEmpty(), name + " marks no error");
    Compilation c = withoutHanging(name, CPU_BUDGET_NANOS, () -> Specs.compile("errors/" + name, text));
    List<String> actual = new ArrayList<>();
    for (Diagnostic d : c.diagnostics()) {
      assertEquals(Diagnostic.Severity.ERROR, d.severity(), d.format());
      actual.add(d.line() + ": " + d.message());
    }
    assertEquals(expected, actual, name);
    assertTrue(c.hasErrors());
    assertTrue(c.files().isEmpty(), "no files are generated from a spec with errors");
  }

  /**
   * CPU time one fixture's compile may spend on its thread: a compile takes well under a second
   * of CPU even cold (class loading and the interpreter included), so only a hang reaches 20 s.
   */
  private static final long CPU_BUDGET_NANOS = 20_000_000_000L;

  /** Wall time: the backstop for a compile that blocks without spending CPU. */
  private static final Duration WALL_BACKSTOP = Duration.ofMinutes(5);

  /** {@code work}'s result, run on its own thread; fails when it spends the CPU budget (a hang). */
  static <T> T withoutHanging(String name, long cpuBudgetNanos, Callable<T> work) {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    FutureTask<T> task = new FutureTask<>(work);
    Thread thread = new Thread(task, "compile " + name);
    thread.setDaemon(true);
    thread.start();
    long deadline = System.nanoTime() + WALL_BACKSTOP.toNanos();
    while (true) {
      try {
        return task.get(50, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        long cpu = threads.isThreadCpuTimeSupported() ? threads.getThreadCpuTime(thread.getId()) : -1;
        if (cpu > cpuBudgetNanos || System.nanoTime() - deadline > 0) {
          thread.interrupt();
          return fail(name + ": the compiler did not finish (" + cpu / 1_000_000 + " ms of CPU, "
              + "budget " + cpuBudgetNanos / 1_000_000 + " ms): it hangs on this input");
        }
      } catch (ExecutionException e) {
        if (e.getCause() instanceof RuntimeException r) {
          throw r;
        }
        if (e.getCause() instanceof Error err) {
          throw err;
        }
        throw new IllegalStateException(e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return fail("interrupted");
      }
    }
  }

  @Test
  void theBoundCatchesALoopThatNeverEnds() {
    AssertionFailedError e = assertThrows(AssertionFailedError.class,
        () -> withoutHanging("spin", 200_000_000L, () -> {
          long n = 0;
          while (!Thread.currentThread().isInterrupted()) {
            n++;
          }
          return n;
        }));
    assertTrue(e.getMessage().startsWith("spin: the compiler did not finish ("), e.getMessage());
    assertTrue(e.getMessage().endsWith("budget 200 ms): it hangs on this input"), e.getMessage());
  }

  /** Tagged: javac per fixture makes it the slowest test, which the mutation runs leave out. */
  @Tag("javac")
  @ParameterizedTest
  @MethodSource("badFixtures")
  void goodTwinCompiles(String name) throws IOException {
    String good = name.replace(".yaml", ".good.yaml");
    Path path = DIR.resolve(good);
    assertTrue(Files.exists(path), "missing good twin " + path);
    Compilation c = Specs.compileClean("errors/" + good, Files.readString(path));
    assertFalse(c.files().isEmpty());
    InMemoryJavac.compile(c.files());
  }
}
