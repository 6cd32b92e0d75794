package dev.netspec.cli;

import java.io.PrintWriter;
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

  /**
   * A progress line for a step that may take over a second, shown only when netspec writes
   * to a terminal (never in pipes, logs or tests).
   */
  Progress progress(String what) {
    Netspec root = (Netspec) spec.root().userObject();
    return root.showsProgress() ? Progress.start(err(), what) : Progress.none();
  }
}
