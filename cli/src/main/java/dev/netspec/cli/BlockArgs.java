package dev.netspec.cli;

import dev.netspec.compiler.check.Names;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * {@code --arg NAME=VALUE}: the values of a block's arguments ({@code args:}), typed by the
 * block's declaration. A wrong name, a value of the wrong type or (where all are needed) a
 * missing argument is a usage error that names the block's arguments.
 */
final class BlockArgs {
  private BlockArgs() {}

  /**
   * The values of {@code given} for {@code block}, in the block's declaration order: an Integer
   * for an int argument, a Double for a float, a Boolean for a bool.
   *
   * @param declared the block's arguments and their types ({@code Compilation.args})
   * @param requireAll whether every argument must be given (to build the block)
   */
  static Map<String, Object> parse(CommandLine cmd, String block, Map<String, String> declared,
      Map<String, String> given, boolean requireAll) {
    for (String name : given.keySet()) {
      if (!declared.containsKey(name)) {
        throw new ParameterException(cmd, declared.isEmpty()
            ? "--arg " + name + ": block " + block + " takes no arguments"
            : "--arg " + name + ": block " + block + " has no argument '" + name + "'"
                + Names.suggest(name, declared.keySet()) + " (its arguments are " + describe(declared) + ")");
      }
    }
    Map<String, Object> values = new LinkedHashMap<>();
    List<String> missing = new ArrayList<>();
    for (Map.Entry<String, String> a : declared.entrySet()) {
      String text = given.get(a.getKey());
      if (text == null) {
        missing.add("--arg " + a.getKey() + "=" + placeholder(a.getValue()));
      } else {
        values.put(a.getKey(), value(cmd, a.getKey(), a.getValue(), text));
      }
    }
    if (requireAll && !missing.isEmpty()) {
      throw new ParameterException(cmd, "block " + block + " takes arguments "
          + describe(declared) + "; give " + String.join(" ", missing));
    }
    return values;
  }

  /** {@code dim (int), p (float)}. */
  static String describe(Map<String, String> declared) {
    List<String> parts = new ArrayList<>();
    declared.forEach((name, type) -> parts.add(name + " (" + type + ")"));
    return String.join(", ", parts);
  }

  private static String placeholder(String type) {
    return switch (type) {
      case "int" -> "N";
      case "float" -> "X";
      default -> "true|false";
    };
  }

  private static Object value(CommandLine cmd, String name, String type, String text) {
    try {
      switch (type) {
        case "int":
          return Integer.valueOf(text);
        case "float":
          double d = Double.parseDouble(text);
          if (Double.isFinite(d) && !text.strip().isEmpty()) {
            return d;
          }
          break;
        case "bool":
          if (text.equals("true") || text.equals("false")) {
            return Boolean.valueOf(text);
          }
          break;
        default:
          throw new IllegalStateException("argument " + name + " has unknown type " + type);
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new ParameterException(cmd, "--arg " + name + ": '" + text + "' is not "
        + (type.equals("int") ? "an int" : type.equals("float") ? "a float" : "true or false"));
  }
}
