package dev.netspec.compiler.check;

import dev.netspec.compiler.diag.Position;
import dev.netspec.compiler.diag.Reporter;
import dev.netspec.compiler.parse.Node;
import dev.netspec.compiler.parse.Node.ListNode;
import dev.netspec.compiler.parse.Node.MapNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a spec's {@code imports:}, a list of spec files relative to the importing file, such as
 * {@code imports: [common/blocks.yaml]}. Bad entries are reported and left out.
 */
public final class ImportReader {
  private ImportReader() {}

  /** One entry of {@code imports:}: the path as written, and where it is written. */
  public record Import(String path, Position pos) {}

  /** The imports of a spec tree; empty when it has none or is not a mapping. */
  public static List<Import> read(Node root, Reporter reporter) {
    if (!(root instanceof MapNode map) || map.get("imports") == null) {
      return List.of();
    }
    NodeReader nodes = new NodeReader(reporter);
    Node value = map.get("imports");
    if (!(value instanceof ListNode list)) {
      nodes.typeError(value, "'imports'", "a list of spec files, such as [common/blocks.yaml]");
      return List.of();
    }
    List<Import> out = new ArrayList<>();
    for (Node item : list.items()) {
      String path = nodes.string(item, "an import");
      if (path == null) {
        continue;
      }
      String problem = problem(path);
      if (problem != null) {
        reporter.error(item.pos(), "import '" + path.replace("\0", "\\0") + "': " + problem);
      } else {
        out.add(new Import(path, item.pos()));
      }
    }
    return out;
  }

  /** Why {@code path} cannot be imported, or null. */
  private static String problem(String path) {
    if (path.isBlank()) {
      return "an empty path";
    }
    if (path.startsWith("/") || path.startsWith("\\") || path.matches("^[A-Za-z]:.*")) {
      return "imports are paths relative to the importing file, not absolute";
    }
    if (path.contains("\\")) {
      return "separate folders with '/'";
    }
    try {
      java.nio.file.Path.of(path);
    } catch (java.nio.file.InvalidPathException e) {
      return "not a valid path";
    }
    return null;
  }
}
