package dev.netspec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.Command;

/**
 * Exit code 3: what escapes a command, or picocli itself, is reported as a bug in one line
 * that names the file holding the stack trace. Runs netspec's real top-level handling with
 * commands that fail the way a bug would.
 */
class InternalErrorTest {
  private static final Pattern REPORT = Pattern.compile(
      "netspec: internal error: (.*) \\(a bug in netspec: please report it with (\\S+)\\)");

  /** A command with a bug. */
  @Command(name = "crash")
  static final class Crash implements Callable<Integer> {
    @Override
    public Integer call() {
      throw new IllegalStateException("index 7 out of bounds\nsecond line");
    }
  }

  /** A command that reports a user's mistake. */
  @Command(name = "mistake")
  static final class Mistake implements Callable<Integer> {
    @Override
    public Integer call() throws UserException {
      throw new UserException("spec.yaml:1:1: error: bad");
    }
  }

  private record Result(int code, List<String> errLines, String out) {}

  private static Result execute(Object command) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Netspec.execute(command, new String[0], new PrintWriter(out, true),
        new PrintWriter(err, true));
    return new Result(code, err.toString().lines().toList(), out.toString());
  }

  /** Expects exit 3 and the one line of an internal error; returns its parts. */
  private static Matcher internalError(Result r) {
    assertEquals(Netspec.INTERNAL, r.code(), r::toString);
    assertEquals(1, r.errLines().size(), r::toString);
    Matcher m = REPORT.matcher(r.errLines().get(0));
    assertTrue(m.matches(), r::toString);
    return m;
  }

  @Test
  void anExceptionFromACommandIsExitThreeWithOneLineAndTheTraceInAFile() throws IOException {
    Matcher m = internalError(execute(new Crash()));
    assertEquals("java.lang.IllegalStateException: index 7 out of bounds", m.group(1));
    Path report = Path.of(m.group(2));
    try {
      String trace = Files.readString(report);
      assertTrue(trace.startsWith("netspec "), trace);
      assertTrue(trace.contains("java.lang.IllegalStateException: index 7 out of bounds\n"
          + "second line\n\tat "), trace);
      assertTrue(trace.contains(Crash.class.getName() + ".call"), trace);
    } finally {
      Files.deleteIfExists(report);
    }
  }

  @Test
  void aFailureOfPicocliItselfIsExitThreeToo() throws IOException {
    // not a @Command: picocli refuses it while building the command line
    Matcher m = internalError(execute(new Object()));
    assertTrue(m.group(1).startsWith("picocli.CommandLine$InitializationException: "),
        m.group(1));
    Files.deleteIfExists(Path.of(m.group(2)));
  }

  @Test
  void aUserExceptionIsExitOneWithItsMessageOnly() {
    Result r = execute(new Mistake());
    assertEquals(Netspec.USER_ERROR, r.code(), r::toString);
    assertEquals(List.of("spec.yaml:1:1: error: bad"), r.errLines());
  }

  @Test
  void reportsGoToOneFolderThatKeepsOnlyTheNewest(@TempDir Path tmp) throws IOException {
    String tmpdir = System.getProperty("java.io.tmpdir");
    System.setProperty("java.io.tmpdir", tmp.toString());
    try {
      List<Path> reports = new ArrayList<>();
      for (int i = 0; i < CrashReport.KEPT + 3; i++) {
        Path report = Path.of(internalError(execute(new Crash())).group(2));
        assertEquals(tmp.resolve("netspec"), report.getParent());
        // distinct modification times, oldest first, as crashes days apart would have
        Files.setLastModifiedTime(report, FileTime.fromMillis(1_000_000_000_000L + i * 60_000L));
        reports.add(report);
      }
      try (Stream<Path> left = Files.list(tmp.resolve("netspec"))) {
        assertEquals(Set.copyOf(reports.subList(3, reports.size())), Set.copyOf(left.toList()));
      }
    } finally {
      System.setProperty("java.io.tmpdir", tmpdir);
    }
  }
}
