package dev.netspec.compiler.check;

import dev.netspec.compiler.check.Model.Tie;
import dev.netspec.compiler.parse.Node;
import dev.netspec.compiler.parse.Node.Entry;
import dev.netspec.compiler.parse.Node.MapNode;
import dev.netspec.compiler.parse.Node.Scalar;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads a block's {@code tie: {lm_head.weight: transformer.wte.weight}}: each key is a
 * parameter that becomes the value's parameter, as PyTorch's
 * {@code self.lm_head.weight = self.transformer.wte.weight}. Only the spelling is checked
 * here; inference checks that both name parameters of one shape.
 */
final class TieReader {
  private final NodeReader nodes;

  TieReader(NodeReader nodes) {
    this.nodes = nodes;
  }

  List<Tie> ties(Node node) {
    List<Tie> out = new ArrayList<>();
    if (node == null) {
      return out;
    }
    MapNode map = nodes.asMap(node, "'tie'");
    if (map == null) {
      return out;
    }
    Set<String> targets = new LinkedHashSet<>();
    for (Entry e : map.entries().values()) {
      String path = e.key().name();
      String source = e.value() instanceof Scalar s && s.value() instanceof String v ? v : null;
      if (source == null) {
        nodes.typeError(e.value(), "the source of tie '" + path + "'",
            "a parameter path such as transformer.wte.weight");
        continue;
      }
      if (!isPath(path)) {
        error(e.key(), "tie '" + path + "' is not a parameter path such as lm_head.weight");
      } else if (!isPath(source)) {
        error(e.value(), "tie source '" + source + "' is not a parameter path such as transformer.wte.weight");
      } else if (path.equals(source)) {
        error(e.value(), "tie '" + path + "' names itself");
      } else if (!targets.add(path)) {
        error(e.key(), "'" + path + "' is tied twice");
      } else {
        out.add(new Tie(path, e.key().pos(), source, e.value().pos()));
      }
    }
    List<Tie> sound = new ArrayList<>();
    for (Tie t : out) {
      if (targets.contains(t.source())) {
        error(t.sourcePos(), "tie source '" + t.source() + "' is itself tied; name the parameter it is tied to");
      } else {
        sound.add(t);
      }
    }
    return sound;
  }

  private void error(Node at, String message) {
    error(at.pos(), message);
  }

  private void error(Node.Key at, String message) {
    error(at.pos(), message);
  }

  private void error(dev.netspec.compiler.diag.Position at, String message) {
    nodes.reporter().error(at, nodes.block() + ": " + message);
  }

  private static boolean isPath(String s) {
    String[] parts = s.split("\\.", -1);
    for (int i = 0; i < parts.length; i++) {
      if (!(i == parts.length - 1 ? Names.isIdentifier(parts[i]) : Names.isChildName(parts[i]))) {
        return false;
      }
    }
    return true;
  }
}
