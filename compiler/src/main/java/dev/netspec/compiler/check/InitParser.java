package dev.netspec.compiler.check;

import dev.netspec.compiler.check.Model.InitRule;
import dev.netspec.compiler.check.Model.InitSpec;
import dev.netspec.compiler.parse.Node;
import dev.netspec.compiler.parse.Node.Entry;
import dev.netspec.compiler.parse.Node.MapNode;
import dev.netspec.compiler.parse.Node.Scalar;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads initializers: on a tensor, on a layer, and a block's rules. */
final class InitParser {
  static final List<String> INITS = List.of("zeros", "ones", "constant", "normal",
      "uniform", "xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal", "java");

  private final NodeReader nodes;

  InitParser(NodeReader nodes) {
    this.nodes = nodes;
  }

  /** A layer's {@code init: {param: initializer}}. */
  Map<String, InitSpec> layerInit(Node node) {
    Map<String, InitSpec> out = new LinkedHashMap<>();
    if (node == null) {
      return out;
    }
    MapNode map = nodes.asMap(node, "a layer's 'init'");
    if (map == null) {
      return out;
    }
    for (Entry e : map.entries().values()) {
      InitSpec init = init(e.value());
      if (init != null) {
        out.put(e.key().name(), init);
      }
    }
    return out;
  }

  /** A block's {@code init:} rules, in order. */
  List<InitRule> initRules(Node node) {
    List<InitRule> out = new ArrayList<>();
    if (node == null) {
      return out;
    }
    MapNode map = nodes.asMap(node, "'init'");
    if (map == null) {
      return out;
    }
    for (Entry e : map.entries().values()) {
      InitSpec init = init(e.value());
      if (init != null) {
        out.add(new InitRule(e.key().pos(), e.key().name(), init));
      }
    }
    return out;
  }

  /** One initializer, or null after reporting why it is wrong. */
  InitSpec init(Node node) {
    if (node instanceof Scalar s && s.value() instanceof String name) {
      switch (name) {
        case "zeros": case "ones": case "xavier_uniform": case "xavier_normal":
        case "kaiming_uniform": case "kaiming_normal":
          return new InitSpec(node.pos(), name, 0, 0, null, null);
        case "normal":
          return new InitSpec(node.pos(), name, 0, 1, null, null);
        case "uniform":
          return new InitSpec(node.pos(), name, 0, 1, null, null);
        default:
          nodes.reporter().error(node.pos(), nodes.block() + ": unknown initializer '" + name + "'" + suggest(name));
          return null;
      }
    }
    MapNode map = nodes.asMap(node, "an initializer");
    if (map == null) {
      return null;
    }
    if (map.entries().size() != 1) {
      nodes.reporter().error(map.pos(), nodes.block() + ": an initializer is one name, such as zeros or {normal: {std: 0.01}}");
      return null;
    }
    Entry e = map.entries().values().iterator().next();
    String kind = e.key().name();
    Node v = e.value();
    switch (kind) {
      case "constant": {
        Double c = nodes.number(v, "constant");
        return c == null ? null : new InitSpec(node.pos(), kind, c, 0, null, null);
      }
      case "normal":
      case "uniform": {
        boolean normal = kind.equals("normal");
        String first = normal ? "mean" : "low";
        String second = normal ? "std" : "high";
        MapNode m = nodes.asMap(v, "'" + kind + "'");
        if (m == null) {
          return null;
        }
        nodes.unknownKeys(m, List.of(first, second), nodes.block() + ": " + kind + ": ");
        Double a = m.get(first) == null ? Double.valueOf(0) : nodes.number(m.get(first), first);
        Double b = m.get(second) == null ? Double.valueOf(1) : nodes.number(m.get(second), second);
        if (a == null || b == null) {
          return null;
        }
        if (normal && b < 0) {
          nodes.reporter().error(m.get(second).pos(), nodes.block() + ": normal std must not be negative, got " + b);
          return null;
        }
        if (!normal && b < a) {
          nodes.reporter().error(m.pos(), nodes.block() + ": uniform needs low <= high, got low " + a + " and high " + b);
          return null;
        }
        return new InitSpec(node.pos(), kind, a, b, null, null);
      }
      case "java": {
        String ref = nodes.string(v, "'java'");
        if (ref == null) {
          return null;
        }
        int sep = ref.indexOf("::");
        String cls = sep < 0 ? "" : ref.substring(0, sep);
        String method = sep < 0 ? "" : ref.substring(sep + 2);
        if (!Names.isQualifiedClass(cls) || !Names.isIdentifier(method) || Names.JAVA_KEYWORDS.contains(method)) {
          nodes.reporter().error(v.pos(), nodes.block() + ": a Java initializer is written 'com.acme.Inits::myInit', got '" + ref + "'");
          return null;
        }
        return new InitSpec(node.pos(), kind, 0, 0, cls, method);
      }
      default:
        nodes.reporter().error(e.key().pos(), nodes.block() + ": unknown initializer '" + kind + "'" + suggest(kind));
        return null;
    }
  }

  /**
   * Did you mean, for PyTorch's spelling too: {@code nn.init.xavier_uniform_} and
   * {@code torch.nn.init.kaiming_normal_} are {@code xavier_uniform} and {@code kaiming_normal}.
   */
  private static String suggest(String name) {
    String bare = name.replaceFirst("^(torch\\.)?(nn\\.)?(init\\.)?", "").replaceFirst("_$", "");
    if (!bare.equals(name) && INITS.contains(bare)) {
      return "; write '" + bare + "' for PyTorch's nn.init." + bare + "_";
    }
    return Names.suggest(name, INITS);
  }
}
