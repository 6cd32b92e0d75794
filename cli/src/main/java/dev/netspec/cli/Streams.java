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
}
