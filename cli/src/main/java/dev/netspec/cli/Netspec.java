package dev.netspec.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;

/**
 * The {@code netspec} command. {@link #main} is a thin shell over {@link #run}, which tests call
 * with their own streams.
 *
 * <p>Exit codes: {@link #OK} when the command did its job, {@link #USER_ERROR} for a mistake in
 * the user's files (a bad spec, a bad input, stale sources for {@code check}), {@link #USAGE}
 * for a bad command line and {@link #INTERNAL} for a bug in netspec.
 */
@Command(
    name = "netspec",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = "Compiles declarative model specs (YAML or JSON) to Java Module classes.",
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {
      CompileCommand.class,
      CheckCommand.class,
      InspectCommand.class,
      RunCommand.class,
      GradCommand.class,
      GenerateCommand.class,
      TrainCommand.class,
      IdxCommand.class,
      DemoCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Netspec implements Runnable {
  /** The command did its job. */
  public static final int OK = 0;
  /** A mistake in the user's files: a bad spec, a bad input, stale sources. */
  public static final int USER_ERROR = 1;
  /** A bad command line. */
  public static final int USAGE = 2;
  /** A bug in netspec. */
  public static final int INTERNAL = 3;

  @CommandLine.Spec
  private CommandLine.Model.CommandSpec spec;

  private boolean showProgress;

  /** Runs the command and exits the JVM with its exit code. */
  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /**
   * Runs {@code netspec args}, printing results to {@code out} and messages to {@code err}.
   *
   * @return the exit code: {@link #OK}, {@link #USER_ERROR}, {@link #USAGE} or {@link #INTERNAL}
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    PrintWriter errWriter = new PrintWriter(err, true, charsetOf(err));
    PrintWriter outWriter = new PrintWriter(out, true, charsetOf(out));
    try {
      Netspec netspec = new Netspec();
      netspec.showProgress = err == System.err && System.console() != null;
      return execute(netspec, args, outWriter, errWriter);
    } finally {
      outWriter.flush();
      errWriter.flush();
    }
  }

  /**
   * Runs the picocli {@code command} (netspec's top-level command) on {@code args} and turns
   * whatever goes wrong into an exit code and a message on {@code err}: a usage error, a
   * {@link UserException}, or anything else (from the command or from picocli itself) as
   * {@link #INTERNAL}.
   */
  static int execute(Object command, String[] args, PrintWriter out, PrintWriter err) {
    try {
      CommandLine cmd = new CommandLine(command);
      cmd.setOut(out);
      cmd.setErr(err);
      cmd.setParameterExceptionHandler(Netspec::usageError);
      cmd.setExecutionExceptionHandler((e, line, parsed) -> failure(e, err));
      return cmd.execute(args);
    } catch (RuntimeException e) {
      return failure(e, err);
    }
  }

  /** Whether slow steps show a progress line: only on a terminal. */
  boolean showsProgress() {
    return showProgress;
  }

  /** Without a command: print the usage and fail as a usage error. */
  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "missing command");
  }

  private static int usageError(ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    PrintWriter err = cmd.getErr();
    String unknown = UsageHints.unknownWord(cmd, args);
    err.println("netspec: error: " + (unknown != null ? unknown : UsageHints.reworded(e.getMessage())));
    if (unknown != null || !CommandLine.UnmatchedArgumentException.printSuggestions(e, err)) {
      err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more.");
    }
    return USAGE;
  }

  private static int failure(Exception e, PrintWriter err) {
    if (e instanceof UserException u) {
      err.println(u.getMessage());
      return u.exitCode();
    }
    String what = e.toString().lines().findFirst().orElse(e.getClass().getName());
    Path report = CrashReport.write(e);
    if (report != null) {
      err.println("netspec: internal error: " + what + " (a bug in netspec: please report it"
          + " with " + report + ")");
    } else {
      err.println("netspec: internal error: " + what + " (a bug in netspec: please report it"
          + " with the stack trace below)");
      e.printStackTrace(err);
    }
    return INTERNAL;
  }

  private static Charset charsetOf(PrintStream s) {
    // PrintStream.charset() is Java 18+; the streams netspec is given are UTF-8 or the console.
    return s == System.out || s == System.err
        ? Charset.defaultCharset()
        : StandardCharsets.UTF_8;
  }
}
