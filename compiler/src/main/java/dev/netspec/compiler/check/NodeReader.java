package dev.netspec.compiler.check;

import dev.netspec.compiler.diag.Reporter;
import dev.netspec.compiler.parse.Node;
import dev.netspec.compiler.parse.Node.Entry;
import dev.netspec.compiler.parse.Node.MapNode;
import dev.netspec.compiler.parse.Node.Scalar;
import java.util.List;

/**
 * Typed access to spec-tree nodes: each accessor reports a wrong type (with the block being
 * checked as the message prefix) and returns null.
 */
final class NodeReader {
  private final Reporter reporter;
  private String block = "";

  NodeReader(Reporter reporter) {
    this.reporter = reporter;
  }

  Reporter reporter() {
    return reporter;
  }

  /** The block being checked ({@code ""} outside blocks). */
  String block() {
    return block;
  }

  void enterBlock(String name) {
    block = name;
  }

  /** Reports every key of {@code map} not in {@code allowed}, with a suggestion. */
  void unknownKeys(MapNode map, List<String> allowed, String prefix) {
    unknownKeys(map, allowed, prefix, false);
  }

  /**
   * {@link #unknownKeys(MapNode, List, String)} for the arguments of a call ({@code sgd:
   * {learning_rate: 0.1}}): the suggestion knows other libraries' names of PyTorch's arguments,
   * and the message lists the arguments.
   */
  void unknownArguments(MapNode map, List<String> allowed, String prefix) {
    unknownKeys(map, allowed, prefix, true);
  }

  private void unknownKeys(MapNode map, List<String> allowed, String prefix, boolean arguments) {
    for (Entry e : map.entries().values()) {
      String key = e.key().name();
      if (!allowed.contains(key)) {
        reporter.error(e.key().pos(), prefix + "unknown key '" + key + "'" + (arguments
            ? Names.suggestArgument(key, allowed) + " (arguments: " + String.join(", ", allowed) + ")"
            : Names.suggest(key, allowed)));
      }
    }
  }

  MapNode asMap(Node node, String what) {
    if (node instanceof MapNode m) {
      return m;
    }
    typeError(node, what, "a mapping");
    return null;
  }

  String string(Node node, String what) {
    if (node instanceof Scalar s && s.value() instanceof String str) {
      return str;
    }
    typeError(node, what, "a string");
    return null;
  }

  Double number(Node node, String what) {
    if (node instanceof Scalar s && s.value() instanceof Number n) {
      return n.doubleValue();
    }
    typeError(node, what, "a number");
    return null;
  }

  void typeError(Node node, String what, String expected) {
    String prefix = block.isEmpty() ? "" : block + ": ";
    reporter.error(node.pos(), prefix + what + " must be " + expected + ", got " + node.describe());
  }

  static String scalarText(Node node) {
    return node instanceof Scalar s ? String.valueOf(s.value()) : node.describe();
  }
}
