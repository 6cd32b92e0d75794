package dev.netspec.cli;

import dev.netspec.compiler.check.Names;
import java.util.Arrays;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The commonest slips on a command line, a misspelled command or option, named directly: picocli
 * alone reports {@code rnu} as "Unmatched arguments from index 0" and a misspelled
 * {@code --inptu} as the required {@code --input} missing.
 */
final class UsageHints {
  /** picocli's message for a map option's value without {@code =}. */
  private static final Pattern NO_EQUALS = Pattern.compile(
      "Value for option option '(--[\\w-]+)' \\(NAME=VALUE\\) should be in KEY=VALUE format"
          + " but was (.*)");

  /** picocli's message for required options or parameters not given. */
  private static final Pattern MISSING = Pattern.compile("Missing required (?:options?|parameters?|options and parameters): (.*)");

  /** picocli's message for a size of {@code --input-shape} that is not an int ({@code 2x20}). */
  private static final Pattern SHAPE =
      Pattern.compile("Invalid value for option '--input-shape' \\([^)]*\\): '(.*)' is not an int");

  private UsageHints() {}

  /**
   * {@code message}, or for {@code --arg dim} what it lacks: {@code --arg dim: expected
   * NAME=VALUE, such as --arg dim=32}; for required options not given, what to write: {@code
   * missing --input X.safetensors and --output Y.safetensors} (picocli: {@code Missing required
   * options: '--input=X.safetensors', ...}).
   */
  static String reworded(String message) {
    Matcher m = NO_EQUALS.matcher(message);
    if (m.matches()) {
      return m.group(1) + " " + m.group(2) + ": expected NAME=VALUE, such as " + m.group(1) + " "
          + m.group(2) + "=32";
    }
    m = SHAPE.matcher(message);
    if (m.matches()) {
      return "--input-shape: '" + m.group(1) + "' is not a size; give the input's sizes as ints separated by"
          + " commas, such as --input-shape 2,1,28,28";
    }
    m = MISSING.matcher(message);
    if (m.matches()) { // picocli: "Missing required options: '--input=X.safetensors', '--output=...'"
      String[] items = m.group(1).split(", ");
      for (int i = 0; i < items.length; i++) {
        items[i] = items[i].replaceAll("^'|'$", "").replaceFirst("=", " ");
      }
      return "missing " + String.join(" and ", items);
    }
    return message;
  }

  /**
   * {@code unknown command 'rnu'; did you mean 'run'?} or {@code unknown option '--inptu'; did
   * you mean '--input'?} for the first unknown word of {@code args} where {@code cmd} (the
   * command picocli was parsing when it failed) takes none, or {@code null}.
   */
  static String unknownWord(CommandLine cmd, String[] args) {
    CommandSpec spec = cmd.getCommandSpec();
    if (spec.parent() == null) {
      for (String arg : args) {
        if (!arg.startsWith("-")) {
          Set<String> commands = cmd.getSubcommands().keySet();
          return commands.contains(arg) ? null
              : "unknown command '" + arg + "'" + Names.suggest(arg, commands);
        }
      }
      return null;
    }
    int at = Arrays.asList(args).indexOf(spec.name());
    Set<String> options = spec.optionsMap().keySet();
    for (String arg : Arrays.copyOfRange(args, at + 1, args.length)) {
      String name = arg.split("=", 2)[0];
      if (name.startsWith("--") && name.length() > 2 && !options.contains(name)) {
        return "unknown option '" + name + "'" + Names.suggest(name, options);
      }
    }
    return null;
  }
}
