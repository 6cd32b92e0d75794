package dev.netspec.compiler.check;

import dev.netspec.compiler.check.Model.Arg;
import dev.netspec.compiler.check.Model.ArgExpr;
import dev.netspec.compiler.check.Model.ArgRef;
import dev.netspec.compiler.check.Model.ArgType;
import dev.netspec.compiler.check.Model.Block;
import dev.netspec.compiler.check.Model.Literal;
import dev.netspec.compiler.check.Model.Value;
import dev.netspec.compiler.diag.Position;
import dev.netspec.compiler.diag.Reporter;
import dev.netspec.compiler.infer.ArgArithmetic;
import dev.netspec.compiler.layers.ArgDef;
import dev.netspec.compiler.layers.LayerKind;
import dev.netspec.compiler.parse.Ast;
import dev.netspec.compiler.parse.Ast.Stmt;
import dev.netspec.compiler.parse.ForwardParser;
import dev.netspec.compiler.parse.Node;
import dev.netspec.compiler.parse.Node.Entry;
import dev.netspec.compiler.parse.Node.ListNode;
import dev.netspec.compiler.parse.Node.MapNode;
import dev.netspec.compiler.parse.Node.Scalar;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads the arguments of a layer or block use ({@code {linear: {out_features: 8}}}, {@code
 * {Block: {planes: 64}}}) for {@link Checker}: each typed and in range, or the name of one of
 * the block's arguments, or int arithmetic on them ({@code "3 * n_embd"}); every bad one is
 * reported with its position.
 */
final class UseArgs {
  private final Reporter reporter;
  private final NodeReader nodes;
  /** The block being read, which messages name. */
  private String currentBlock = "";
  /** Its arguments, which a use may name. */
  private Map<String, Arg> currentArgs = Map.of();
  /** Its arguments declared with errors (reported there, so not again here). */
  private Set<String> unreadable = new LinkedHashSet<>();

  UseArgs(Reporter reporter, NodeReader nodes) {
    this.reporter = reporter;
    this.nodes = nodes;
  }

  /** Starts reading the uses of block {@code name}, whose arguments are {@code args}. */
  void enterBlock(String name, Map<String, Arg> args, Set<String> unreadable) {
    this.currentBlock = name;
    this.currentArgs = args;
    this.unreadable = unreadable;
  }

  /**
   * A layer's arguments; every bad one is reported (null then), each layer and argument on its
   * own. {@code path} is the layer's ({@code Net.0}, {@code Net.encoder}): a value the layer
   * refuses is reported as inference reports one a block argument gives, {@code Net.0 (linear):
   * out_features must be positive, got 0}.
   */
  Map<String, Value> builtinArgs(LayerKind def, Node value, Position pos, String path) {
    Map<String, Value> out = new LinkedHashMap<>();
    Set<String> given = new LinkedHashSet<>();
    boolean ok = true;
    if (value instanceof MapNode m) {
      for (Entry e : m.entries().values()) {
        ArgDef a = def.arg(e.key().name());
        if (a == null) {
          List<String> names = new ArrayList<>();
          def.args().forEach(x -> names.add(x.name()));
          String meant = Names.meant(e.key().name(), names);
          reporter.error(e.key().pos(), currentBlock + ": " + def.name() + " has no argument '"
              + e.key().name() + "'" + (meant == null ? "" : "; did you mean '" + meant + "'?")
              + (names.isEmpty() ? "" : " (arguments: " + String.join(", ", names) + ")"));
          if (meant != null) {
            given.add(meant); // a misspelled argument is one error, not also "needs" it
          }
          ok = false;
          continue;
        }
        given.add(a.name());
        ok &= builtinArg(def, a, e.value(), out, path);
      }
    } else if (value != null && !(value instanceof Scalar s && s.value() == null)) {
      if (def.mainArg() == null && def.args().isEmpty()) {
        reporter.error(value.pos(), currentBlock + ": " + def.name() + " takes no arguments; write '"
            + def.name() + "'");
        return null;
      }
      String positional = positional(def, value);
      if (positional != null) {
        List<String> items = ((ListNode) value).items().stream().map(NodeReader::scalarText).toList();
        reporter.error(value.pos(), currentBlock + ": write '" + positional + "', not '{" + def.name() + ": ["
            + String.join(", ", items) + "]}': a layer takes "
            + (def.mainArg() == null ? "" : "one value, its " + def.mainArg() + ", or ")
            + "its arguments by name, not PyTorch's positional arguments");
        return null;
      }
      if (def.mainArg() == null) {
        ArgDef first = def.args().get(def.args().get(0).defaultValue() == null && def.args().size() > 1 ? 1 : 0);
        reporter.error(value.pos(), currentBlock + ": " + def.name() + " takes its arguments by name, such as {"
            + def.name() + ": {" + first.name() + ": ...}}");
        return null;
      }
      given.add(def.mainArg());
      ok = builtinArg(def, def.arg(def.mainArg()), value, out, path);
    }
    for (ArgDef a : def.args()) {
      if (a.required() && !given.contains(a.name())) {
        // A dim counts from the end: -1 fits every input (a size such as 8 would not).
        boolean dim = a.name().equals("dim");
        String example = dim ? "-1" : a.type() == ArgDef.Type.FLOAT || a.type() == ArgDef.Type.BOOL ? "1" : "8";
        if (!a.name().equals(def.mainArg())) {
          example = "{" + a.name() + ": " + example + "}";
        }
        reporter.error(pos, currentBlock + ": " + def.name() + " needs '" + a.name() + "', such as {"
            + def.name() + ": " + example + "}" + (dim ? " for the last dim" : ""));
        ok = false;
      }
    }
    return ok ? out : null;
  }

  /**
   * {@code {linear: {in_features: 784, out_features: 256}}} for {@code {linear: [784, 256]}},
   * PyTorch's {@code nn.Linear(784, 256)} written as a list; null for anything else, such as
   * {@code {conv2d: ...}}'s {@code kernel_size: [3, 5]} or a layer norm's shape.
   */
  private static String positional(LayerKind def, Node value) {
    if (!(value instanceof ListNode l) || l.items().size() < 2
        || def.mainArg() != null && def.arg(def.mainArg()).type() != ArgDef.Type.INT
        || !l.items().stream().allMatch(i -> i instanceof Scalar s && s.value() != null)) {
      return null;
    }
    List<String> items = l.items().stream().map(NodeReader::scalarText).toList();
    return LayerCallText.instead(def.name() + "(" + String.join(", ", items) + ")");
  }

  /** One argument of a layer, typed and in range; false after reporting why not. */
  private boolean builtinArg(LayerKind def, ArgDef a, Node node, Map<String, Value> out, String path) {
    String label = path + " (" + def.name() + ")";
    Value v = layerValue(def.name() + " " + a.name(), a.type(), a.size() ? label + ": " + a.name() : null, node);
    if (v == null) {
      return false;
    }
    String range = v instanceof Literal l ? def.outOfRange(a.name(), l.value()) : null;
    if (range != null) {
      reporter.error(node.pos(), label + ": " + range);
      return false;
    }
    out.put(a.name(), v);
    return true;
  }

  /**
   * One value of a layer's or block's argument; {@code size} (or null when it is none) names a
   * size in messages, {@code Net.0 (linear): out_features}.
   */
  private Value layerValue(String what, ArgDef.Type type, String size, Node node) {
    Object v = node instanceof Scalar s ? s.value() : null;
    if (v instanceof String name && unreadable.contains(name)) {
      return null; // an argument declared with errors, reported there
    }
    if (v instanceof String name && currentArgs.containsKey(name)) {
      ArgType t = currentArgs.get(name).type();
      boolean ok = switch (type) {
        case INT, INT_LIST, INT_LIST_OR_STRING -> t == ArgType.INT;
        case FLOAT -> t != ArgType.BOOL;
        case BOOL -> t == ArgType.BOOL;
        case STRING -> false;
      };
      if (!ok) {
        reporter.error(node.pos(), currentBlock + ": " + what + " cannot take argument '" + name + "' of type "
            + t.name().toLowerCase(Locale.ROOT));
        return null;
      }
      return new ArgRef(name, node.pos());
    }
    if (v instanceof String text && type != ArgDef.Type.STRING && type != ArgDef.Type.BOOL
        && type != ArgDef.Type.FLOAT && text.matches(".*[-+*].*")) {
      return argExpr(what, text, (Scalar) node);
    }
    switch (type) {
      case INT:
        if (v instanceof Long n) {
          return positiveIfSize(what, n, node, size) ? new Literal(n, node.pos()) : null;
        }
        break;
      case FLOAT:
        if (v instanceof Long || v instanceof Double) {
          return new Literal(((Number) v).doubleValue(), node.pos());
        }
        break;
      case BOOL:
        if (v instanceof Boolean) {
          return new Literal(v, node.pos());
        }
        break;
      case INT_LIST:
      case INT_LIST_OR_STRING:
        if (v instanceof Long n) {
          return positiveIfSize(what, n, node, size) ? new Literal(n, node.pos()) : null;
        }
        if (v instanceof String && type == ArgDef.Type.INT_LIST_OR_STRING) {
          return new Literal(v, node.pos());
        }
        if (node instanceof ListNode l && !l.items().isEmpty()) {
          List<Long> items = new ArrayList<>();
          for (Node item : l.items()) {
            if (!(item instanceof Scalar s && s.value() instanceof Long n)) {
              nodes.typeError(item, what, "an int");
              return null;
            }
            if (!positiveIfSize(what, n, item, size)) {
              return null;
            }
            items.add(n);
          }
          return new Literal(items, node.pos());
        }
        break;
      case STRING:
        if (v instanceof String) {
          return new Literal(v, node.pos());
        }
        break;
    }
    String expected = switch (type) {
      case INT -> "an int";
      case FLOAT -> "a number";
      case BOOL -> "true or false";
      case STRING -> "a string";
      case INT_LIST -> "an int or a list of ints";
      case INT_LIST_OR_STRING -> "an int, a list of ints or a string";
    };
    if (v instanceof String name) {
      boolean number = name.strip().matches("[-+]?[0-9]+(\\.[0-9]*)?([eE][-+]?[0-9]+)?")
          && type != ArgDef.Type.STRING;
      String tuple = name.strip();
      boolean list = tuple.startsWith("(") && tuple.endsWith(")")
          && (type == ArgDef.Type.INT_LIST || type == ArgDef.Type.INT_LIST_OR_STRING);
      reporter.error(node.pos(), currentBlock + ": " + what + " expects " + expected + ", got '" + name
          + "'" + (number ? " (a string); write it without quotes: " + name.strip()
              : list ? "; a tuple is a list in YAML: write [" + tuple.substring(1, tuple.length() - 1).strip() + "]"
              : currentArgs.isEmpty() ? "" : Names.suggest(name, currentArgs.keySet())));
      return null;
    }
    nodes.typeError(node, what, expected);
    return null;
  }

  /**
   * An int value written as arithmetic on the block's int arguments ({@code "3 * n_embd"}), or
   * null after reporting why it is not one.
   */
  private Value argExpr(String what, String text, Scalar node) {
    try {
      List<Stmt> parsed = ForwardParser.parseValue(text);
      if (parsed.size() == 1 && parsed.get(0) instanceof Ast.Return r) {
        Set<String> ints = new LinkedHashSet<>();
        currentArgs.values().stream().filter(a -> a.type() == ArgType.INT).forEach(a -> ints.add(a.name()));
        String wrong = ArgArithmetic.notArithmetic(r.value(), ints);
        if (wrong == null) {
          return new ArgExpr(r.value(), text.strip(), node.pos());
        }
        Ast.Loc at = ArgArithmetic.wrongPart(r.value(), ints).loc();
        reporter.error(node.at(at.line(), at.column()), currentBlock + ": " + what
            + ": " + wrong + (ints.isEmpty() ? "" : " (int arguments: " + String.join(", ", ints) + ")"));
        return null;
      }
      reporter.error(node.pos(), currentBlock + ": " + what + " expects an int, got '" + text + "'");
    } catch (ForwardParser.SyntaxError e) {
      reporter.error(node.at(e.loc().line(), e.loc().column()), currentBlock + ": " + what + ": " + e.getMessage());
    }
    return null;
  }

  private boolean positiveIfSize(String what, long n, Node node, String size) {
    boolean isSize = size != null;
    if (isSize && n <= 0) {
      reporter.error(node.pos(), size + " must be positive, got " + n); // as LayerKind.refused says it
      return false;
    }
    if (isSize && n > Integer.MAX_VALUE) {
      reporter.error(node.pos(), currentBlock + ": " + what + " " + n + " is larger than " + Integer.MAX_VALUE);
      return false;
    }
    if (!isSize && (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE)) {
      reporter.error(node.pos(), currentBlock + ": " + what + " " + n + " does not fit an int");
      return false;
    }
    return true;
  }

  /** The argument types a block of this file declares ({@code int}, ...), read from its tree. */
  static Map<String, String> declaredArgs(MapNode target) {
    Map<String, String> types = new LinkedHashMap<>();
    if (target.get("args") instanceof MapNode d) {
      for (Entry e : d.entries().values()) {
        if (e.value() instanceof Scalar s && s.value() instanceof String t) {
          types.put(e.key().name(), t);
        }
      }
    }
    return types;
  }

  /** The argument types of an imported block, checked with its file. */
  static Map<String, String> declaredArgs(Block target) {
    Map<String, String> types = new LinkedHashMap<>();
    target.args().values().forEach(a -> types.put(a.name(), a.type().name().toLowerCase(Locale.ROOT)));
    return types;
  }

  Map<String, Value> blockArgs(String type, Map<String, String> types, Node value, Position pos) {
    Map<String, Value> out = new LinkedHashMap<>();
    if (value instanceof MapNode m) {
      for (Entry e : m.entries().values()) {
        String t = types.get(e.key().name());
        if (t == null) {
          reporter.error(e.key().pos(), currentBlock + ": block " + type + " has no argument '"
              + e.key().name() + "'" + Names.suggest(e.key().name(), types.keySet()));
          return null;
        }
        ArgDef.Type lt = switch (t) {
          case "float" -> ArgDef.Type.FLOAT;
          case "bool" -> ArgDef.Type.BOOL;
          default -> ArgDef.Type.INT;
        };
        Value v = layerValue(type + " " + e.key().name(), lt, null, e.value());
        if (v == null) {
          return null;
        }
        out.put(e.key().name(), v);
      }
    } else if (value != null && !(value instanceof Scalar s && s.value() == null)) {
      nodes.typeError(value, "the arguments of block " + type, "a mapping such as {" + String.join(": 1, ", types.keySet())
          + (types.isEmpty() ? "" : ": 1") + "}");
      return null;
    }
    List<String> missing = new ArrayList<>();
    for (String a : types.keySet()) {
      if (!out.containsKey(a)) {
        missing.add(a);
      }
    }
    if (!missing.isEmpty()) {
      reporter.error(pos, currentBlock + ": block " + type + " needs argument" + (missing.size() > 1 ? "s " : " ")
          + String.join(", ", missing));
      return null;
    }
    return out;
  }
}
