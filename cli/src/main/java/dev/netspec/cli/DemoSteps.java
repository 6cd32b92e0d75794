package dev.netspec.cli;

import java.io.PrintWriter;

/** What {@code netspec demo} prints: Java statements with the tutorial's Python beside them. */
final class DemoSteps {
  private final PrintWriter out;

  DemoSteps(PrintWriter out) {
    this.out = out;
  }

  /** One statement in Java, with what the tutorial writes in Python. */
  void step(String java, String python) {
    String line = "> " + java;
    out.println(line + " ".repeat(Math.max(2, 44 - line.length())) + "// " + python);
  }

  /** A statement's result, as the tutorial's {@code print} shows it. */
  void result(Object value) {
    out.println(value);
  }
}
