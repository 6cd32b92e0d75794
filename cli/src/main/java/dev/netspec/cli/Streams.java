package dev.netspec.cli;

import java.io.PrintWriter;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A command's output and error streams, as {@link Netspec#run} set them up (a mixin). */
@Command
final class Streams {
  @Spec(Spec.Target.MIXEE)
  private CommandSpec spec;

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }

  /** Whether progress lines are shown: only when stderr is a terminal. */
  boolean showsProgress() {
    return ((Netspec) spec.root().userObject()).showsProgress();
  }

  /**
   * Runs a step that may take over a second, with a progress line when netspec writes to a
   * terminal (never in pipes, logs or tests).
   */
  <T> T timed(String what, Supplier<T> step) {
    Progress progress = showsProgress() ? Progress.start(err(), what) : null;
    try {
      return step.get();
    } finally {
      if (progress != null) {
        progress.close();
      }
    }
  }
}
