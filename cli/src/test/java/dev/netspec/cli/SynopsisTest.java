package dev.netspec.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The command summaries of README.md and docs/cli.md name every option each command has, in
 * brackets exactly when it is optional.
 */
class SynopsisTest {
  /** The repository root: the cli module's parent. */
  private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();

  /** The summary's lines by command, continuation lines joined, from the first code block. */
  private static Map<String, String> synopsis(String doc, String heading) throws IOException {
    String text = Files.readString(ROOT.resolve(doc));
    int at = heading == null ? 0 : text.indexOf(heading);
    assertTrue(at >= 0, doc + " has no " + heading);
    int start = text.indexOf("```\n", at) + 4;
    String block = text.substring(start, text.indexOf("```", start));
    Map<String, String> lines = new LinkedHashMap<>();
    String command = null;
    for (String line : block.split("\n")) {
      if (line.startsWith("netspec ")) {
        command = line.split(" ")[1];
        lines.put(command, line);
      } else if (command != null) {
        lines.merge(command, line, (a, b) -> a + " " + b.strip());
      }
    }
    return lines;
  }

  @ParameterizedTest
  @ValueSource(strings = {"README.md", "docs/cli.md"})
  void theSummaryMatchesTheCommands(String doc) throws IOException {
    Map<String, String> lines = synopsis(doc, doc.equals("README.md") ? "## The CLI" : null);
    CommandLine netspec = new CommandLine(new Netspec());
    for (String command : new String[] {"compile", "check", "inspect", "run", "grad", "generate",
        "train", "idx", "demo"}) {
      String line = lines.get(command);
      assertTrue(line != null, doc + " does not list " + command);
      for (OptionSpec o : netspec.getSubcommands().get(command).getCommandSpec().options()) {
        if (o.usageHelp() || o.versionHelp()) {
          continue;
        }
        String name = o.longestName();
        assertTrue(line.contains(name + " ") || line.contains(name + "]"),
            doc + ": " + command + " lacks " + name + ": " + line);
        assertTrue(line.contains("[" + name) != o.required(), doc + ": " + command + "'s " + name
            + (o.required() ? " is required: no brackets" : " is optional: brackets")
            + ": " + line);
      }
    }
  }
}
