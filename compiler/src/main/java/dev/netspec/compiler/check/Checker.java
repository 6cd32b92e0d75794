package dev.netspec.compiler.check;

import dev.netspec.compiler.check.Model.Arg;
import dev.netspec.compiler.check.Model.ArgType;
import dev.netspec.compiler.check.Model.Block;
import dev.netspec.compiler.check.Model.BlockUse;
import dev.netspec.compiler.check.Model.BuiltinUse;
import dev.netspec.compiler.check.Model.Child;
import dev.netspec.compiler.check.Model.ContainerUse;
import dev.netspec.compiler.check.Model.Copy;
import dev.netspec.compiler.check.Model.DimRef;
import dev.netspec.compiler.check.Model.FixedDim;
import dev.netspec.compiler.check.Model.InitRule;
import dev.netspec.compiler.check.Model.InitSpec;
import dev.netspec.compiler.check.Model.InputDecl;
import dev.netspec.compiler.check.Model.LayerUse;
import dev.netspec.compiler.check.Model.LazyDim;
import dev.netspec.compiler.check.Model.NamedDim;
import dev.netspec.compiler.check.Model.SameAs;
import dev.netspec.compiler.check.Model.SequentialUse;
import dev.netspec.compiler.check.Model.SpecFile;
import dev.netspec.compiler.check.Model.TensorDecl;
import dev.netspec.compiler.check.Model.Unreadable;
import dev.netspec.compiler.check.Model.Value;
import dev.netspec.compiler.diag.Position;
import dev.netspec.compiler.diag.Reporter;
import dev.netspec.compiler.infer.ArgCondition;
import dev.netspec.compiler.infer.Functions;
import dev.netspec.compiler.layers.LayerKind;
import dev.netspec.compiler.layers.LayerKinds;
import dev.netspec.compiler.parse.Ast;
import dev.netspec.compiler.parse.Ast.Expr;
import dev.netspec.compiler.parse.Ast.Stmt;
import dev.netspec.compiler.parse.ForwardParser;
import dev.netspec.compiler.parse.Limits;
import dev.netspec.compiler.parse.Node;
import dev.netspec.compiler.parse.Node.Entry;
import dev.netspec.compiler.parse.Node.ListNode;
import dev.netspec.compiler.parse.Node.MapNode;
import dev.netspec.compiler.parse.Node.Scalar;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns one file's spec tree into the checked {@link Model}: keys, types, names and
 * references. Reports every problem it finds and goes on; returns null when the file has
 * errors.
 */
public final class Checker {
  /** {@code $schema} lets JSON specs name docs/netspec.schema.json for editors; it is ignored. */
  private static final List<String> FILE_KEYS =
      List.of("$schema", "netspec", "package", "doc", "imports", "blocks", "train");
  private static final List<String> BLOCK_KEYS = List.of(
      "doc", "args", "input", "inputs", "params", "buffers", "layers", "sequential", "forward", "init", "tie", "position",
      "ignore_on_load");
  private static final List<String> TENSOR_KEYS = List.of("shape", "init", "persistent", "doc");
  private static final List<String> USE_EXTRAS = List.of("init", "doc", "when");

  private final Path path;
  private final Reporter reporter;
  private final String packageOverride;
  private final NodeReader nodes;
  private final InitParser inits;
  private final TieReader ties;
  private final UseArgs useArgs;
  private final Map<String, MapNode> blockNodes = new LinkedHashMap<>();
  private final Map<String, Position> blockKeys = new LinkedHashMap<>();
  private final Map<String, Block> blocks = new LinkedHashMap<>();
  /** The blocks of the files this one imports, by name: children may use them. */
  private final Map<String, Block> imported;
  /** Those and the blocks their files import, directly or not (their sizes count). */
  private final Map<String, Block> reachable;
  private Map<String, Arg> currentArgs = Map.of();
  /** The arguments, parameters and buffers of the current block declared with errors. */
  private Set<String> unreadable = new LinkedHashSet<>();
  /** Whether the current block's input or forward could not be read: it is not inferred. */
  private boolean unreadableBody;
  private boolean depthReported;
  private String currentBlock = "";
  /** The path of the child being read ({@code Net.encoder}, {@code Net.0.1}), which messages name. */
  private String currentPath = "";

  private Checker(Path path, Reporter reporter, String packageOverride,
      Map<String, Block> imported, Map<String, Block> reachable) {
    this.path = path;
    this.imported = imported;
    this.reachable = reachable;
    this.reporter = reporter;
    this.packageOverride = packageOverride;
    this.nodes = new NodeReader(reporter);
    this.inits = new InitParser(nodes);
    this.ties = new TieReader(nodes);
    this.useArgs = new UseArgs(reporter, nodes);
  }

  /**
   * Checks one file's tree. Returns its sound blocks (those without errors that use only
   * sound blocks), or null when nothing can be checked further; every problem is reported.
   */
  public static SpecFile check(Path path, Node root, Reporter reporter, String packageOverride) {
    return check(path, root, reporter, packageOverride, List.of(), List.of());
  }

  /**
   * {@link #check(Path, Node, Reporter, String)} for a file whose children may use the blocks
   * {@code imported} (those of the files it imports); {@code reachable} adds the blocks those
   * files import in turn. A block of this file named as one of them is an error.
   */
  public static SpecFile check(Path path, Node root, Reporter reporter, String packageOverride,
      List<Block> imported, List<Block> reachable) {
    Map<String, Block> direct = new LinkedHashMap<>();
    imported.forEach(b -> direct.put(b.name(), b));
    Map<String, Block> all = new LinkedHashMap<>(direct);
    reachable.forEach(b -> all.putIfAbsent(b.name(), b));
    return new Checker(path, reporter, packageOverride, direct, all).file(root);
  }

  private SpecFile file(Node root) {
    MapNode map = asMap(root, "a spec");
    if (map == null) {
      return null;
    }
    unknownKeys(map, FILE_KEYS, "");
    Node version = map.get("netspec");
    if (version == null) {
      reporter.error(map.pos(), "missing 'netspec: 1' (the format version)");
    } else if (!(version instanceof Scalar s && Long.valueOf(1).equals(s.value()))) {
      reporter.error(version.pos(), "unsupported netspec version " + scalarText(version)
          + "; this compiler reads version 1");
    }
    String pkg = packageOverride;
    Node pkgNode = map.get("package");
    if (pkgNode != null) {
      String p = string(pkgNode, "package");
      if (p != null && !Names.isValidPackage(p)) {
        reporter.error(pkgNode.pos(), "'" + p + "' is not a valid Java package name"
            + " (lowercase identifiers separated by dots, no Java keywords)");
      } else if (pkg == null) {
        pkg = p;
      }
    } else if (pkg == null) {
      reporter.error(map.pos(), "missing 'package:' (the Java package of the generated classes),"
          + " or pass --package (<packageName> in the Maven plugin)");
    }
    String doc = optionalString(map.get("doc"), "doc");
    optionalString(map.get("$schema"), "$schema");
    Entry trainEntry = map.entries().get("train");
    TrainSpec train = trainEntry == null ? null
        : new TrainReader(nodes).read(trainEntry.key().pos(), trainEntry.value());
    Node blocksNode = map.get("blocks");
    if (blocksNode == null) {
      String block = map.entries().keySet().stream().filter(Names::isBlockName).findFirst().orElse(null);
      reporter.error(map.pos(), "missing 'blocks:'" + (block == null ? ""
          : "; '" + block + "' looks like a block: blocks go under 'blocks:', indented below it"));
      return null;
    }
    MapNode blocksMap = asMap(blocksNode, "'blocks'");
    if (blocksMap == null) {
      return null;
    }
    for (Entry e : blocksMap.entries().values()) {
      String name = e.key().name();
      if (!Names.isBlockName(name)) {
        reporter.error(e.key().pos(), "block name '" + name
            + "' must be UpperCamelCase letters and digits, such as 'Mlp'");
        continue;
      }
      Block other = reachable.get(name);
      if (other != null) {
        reporter.error(e.key().pos(), name + ": a block of this name is imported from "
            + other.file().toString().replace('\\', '/') + ":" + other.pos().line()
            + "; rename one of them");
        continue;
      }
      MapNode body = asMap(e.value(), "block '" + name + "'");
      if (body != null) {
        blockNodes.put(name, body);
        blockKeys.put(name, e.key().pos());
      }
    }
    List<Block> out = new ArrayList<>();
    Set<String> broken = new LinkedHashSet<>();
    for (Map.Entry<String, MapNode> e : blockNodes.entrySet()) {
      Block b = block(e.getKey(), e.getValue(), pkg);
      blocks.put(b.name(), b);
      out.add(b);
      if (unreadableBody) {
        broken.add(b.name());
      }
    }
    int beforeCycles = reporter.errorCount();
    checkCycles();
    if (reporter.errorCount() > beforeCycles) {
      return null;
    }
    Map<String, Long> sizes = new LinkedHashMap<>();
    for (Block b : out) {
      long n = expandedSize(b.children(), sizes);
      sizes.put(b.name(), n);
      if (n > Limits.MAX_MODULES) {
        reporter.error(b.pos(), b.name() + ": expands to more than " + Limits.MAX_MODULES
            + " layers (repeats multiply)");
        return null;
      }
    }
    // Blocks with errors still go on to shape inference, what could not be read taken as
    // unknown, so a file's shape errors are reported along with its other errors.
    return new SpecFile(path, pkg, doc, out, broken, train, List.copyOf(reachable.values()));
  }

  // ------------------------------------------------------------------ blocks

  private Block block(String name, MapNode map, String pkg) {
    currentBlock = name;
    currentPath = name;
    nodes.enterBlock(name);
    unreadable = new LinkedHashSet<>();
    unreadableBody = false;
    unknownKeys(map, BLOCK_KEYS, name + ": ");
    String doc = optionalString(map.get("doc"), "doc");
    currentArgs = args(map.get("args"));
    useArgs.enterBlock(name, currentArgs, unreadable);
    Set<String> taken = new LinkedHashSet<>(currentArgs.keySet());
    Node inputNode = map.get("input");
    List<InputDecl> inputs = BlockInputs.read(map, reporter, currentBlock, taken, this::inputShape);
    unreadableBody |= inputs == null;
    if (inputs == null) {
      inputs = List.of();
    }
    if (inputNode == null && !inputs.isEmpty()) {
      inputNode = map.get("inputs");
    }
    List<DimRef> input = inputs.isEmpty() ? null : inputs.get(0).shape();
    Map<String, TensorDecl> params = tensors(map.get("params"), "parameter", false, taken);
    Map<String, TensorDecl> buffers = tensors(map.get("buffers"), "buffer", true, taken);
    Node layers = map.get("layers");
    Node sequential = map.get("sequential");
    List<Child> children = List.of();
    if (layers != null && sequential != null) {
      reporter.error(sequential.pos(), name + ": a block has either 'layers' or 'sequential', not both");
      unreadableBody = true;
    } else if (layers != null) {
      children = namedChildren(layers, taken);
    } else if (sequential != null) {
      children = sequentialChildren(sequential, taken);
    }
    List<Stmt> forward = null;
    Scalar forwardText = null;
    Node forwardNode = map.get("forward");
    if (forwardNode != null) {
      if (sequential != null) {
        reporter.error(forwardNode.pos(), name + ": a 'sequential' block runs its children in order;"
            + " use 'layers' to write a forward");
        unreadableBody = true;
      }
      if (forwardNode instanceof Scalar s && s.value() instanceof String text) {
        forwardText = s;
        try {
          forward = ForwardParser.parse(text);
        } catch (ForwardParser.SyntaxError e) {
          reporter.error(s.at(e.loc().line(), e.loc().column()), name + ": " + e.getMessage());
          unreadableBody = true;
        }
      } else {
        typeError(forwardNode, "'forward'", "a string");
        unreadableBody = true;
      }
    } else if (!params.isEmpty() || !buffers.isEmpty()) {
      reporter.error(blockKeys.get(name), name + ": a block with parameters or buffers needs a 'forward'");
    } else if (children.isEmpty() && layers == null && sequential == null
        && BLOCK_KEYS.containsAll(map.entries().keySet())) {
      reporter.error(blockKeys.get(name), name + ": a block needs 'sequential', 'layers' or a 'forward'");
    }
    List<InitRule> rules = inits.initRules(map.get("init"));
    String position = position(map.get("position"), inputs, taken);
    return new Block(name, blockKeys.get(name), path, pkg, doc, currentArgs, input,
        inputNode == null ? null : inputNode.pos(), params, buffers, sequential != null, children,
        forward, forwardText, rules, unreadable, ties.ties(map.get("tie")), inputs, position,
        ignoredOnLoad(map.get("ignore_on_load"), params, buffers, children));
  }

  /**
   * A block's {@code position: start}: the int its forward reads as the position of its
   * inputs' first token; null when absent or (reported) wrong.
   */
  private String position(Node node, List<InputDecl> inputs, Set<String> taken) {
    if (node == null) {
      return null;
    }
    if (!(node instanceof Scalar s) || !(s.value() instanceof String name) || !name.matches("[a-z_][A-Za-z0-9_]*")) {
      typeError(node, "'position'", "the name of the int holding the first token's position, such as 'start'");
      return null;
    }
    if (inputs.isEmpty()) {
      reporter.error(node.pos(), currentBlock + ": 'position' needs the token ids as 'input:' or 'inputs:'");
      return null;
    }
    boolean sizeName = inputs.stream().anyMatch(in -> in.shape().stream()
        .anyMatch(d -> d instanceof NamedDim n && n.name().equals(name)));
    if (taken.contains(name) || sizeName) {
      reporter.error(node.pos(), currentBlock + ": position '" + name + "' is already the name of an argument,"
          + " input, size, layer, parameter or buffer");
      return null;
    }
    return name;
  }

  /**
   * {@code ignore_on_load: [position_ids]}: state-dict keys, relative to the block, that a load
   * neither copies nor reports (a constant an older checkpoint saved). Each is a dotted key
   * that names none of the block's own parameters, buffers or children.
   */
  private List<String> ignoredOnLoad(Node node, Map<String, TensorDecl> params, Map<String, TensorDecl> buffers,
      List<Child> children) {
    if (node == null) {
      return List.of();
    }
    if (!(node instanceof ListNode list)) {
      typeError(node, "'ignore_on_load'", "a list of state-dict keys, such as [position_ids]");
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (Node item : list.items()) {
      String key = item instanceof Scalar s && s.value() instanceof String t ? t : null;
      String head = key == null ? null : key.split("\\.", 2)[0];
      if (key == null || !key.matches("([A-Za-z_][A-Za-z0-9_]*|[0-9]+)(\\.([A-Za-z_][A-Za-z0-9_]*|[0-9]+))*")) {
        reporter.error(item.pos(), currentBlock + ": 'ignore_on_load' takes state-dict keys such as"
            + " position_ids, got " + scalarText(item));
      } else if (params.containsKey(head) || buffers.containsKey(head)
          || children.stream().anyMatch(c -> c.name().equals(head))) {
        reporter.error(item.pos(), currentBlock + ": 'ignore_on_load' key '" + key + "' is in the block's own"
            + " state; a load would never see it as unexpected");
      } else if (out.contains(key)) {
        reporter.error(item.pos(), currentBlock + ": 'ignore_on_load' lists '" + key + "' twice");
      } else {
        out.add(key);
      }
    }
    return List.copyOf(out);
  }

  private Map<String, Arg> args(Node node) {
    Map<String, Arg> out = new LinkedHashMap<>();
    if (node == null) {
      return out;
    }
    MapNode map = asMap(node, "'args'");
    if (map == null) {
      return out;
    }
    for (Entry e : map.entries().values()) {
      String n = e.key().name();
      if (!Names.isIdentifier(n)) {
        reporter.error(e.key().pos(), currentBlock + ": argument name '" + n + "' is not a valid identifier");
        continue;
      }
      String type = string(e.value(), "argument type");
      if (type == null) {
        unreadable.add(n);
        continue;
      }
      ArgType t;
      switch (type) {
        case "int": t = ArgType.INT; break;
        case "float": t = ArgType.FLOAT; break;
        case "bool": t = ArgType.BOOL; break;
        default:
          reporter.error(e.value().pos(), currentBlock + ": unknown argument type '" + type + "'"
              + Names.suggest(type, List.of("int", "float", "bool")) + " (int, float or bool)");
          unreadable.add(n);
          continue;
      }
      out.put(n, new Arg(n, t, e.key().pos()));
    }
    return out;
  }

  /** An input's shape (dtype already taken off), or null after reporting why there is none. */
  private List<DimRef> inputShape(Node node, String what) {
    List<DimRef> dims = shape(node, true, what);
    return dims == null || dims.size() > 8 ? null : dims;
  }

  private List<DimRef> shape(Node node, boolean allowLazy, String what) {
    ListNode list = node instanceof ListNode l ? l : null;
    if (list == null) { // "'input'", "input 'ids'", "a parameter's 'shape'"
      String named = what.equals("input") ? "'input'" : what.startsWith("input ") ? what : "a " + what + "'s 'shape'";
      typeError(node, named, "a list of sizes");
      return null;
    }
    List<DimRef> out = new ArrayList<>();
    long elements = 1;
    boolean overflow = false;
    for (Node item : list.items()) {
      DimRef d = dim(item, allowLazy, what);
      if (d instanceof FixedDim f) {
        elements *= f.size();
        overflow |= elements > Integer.MAX_VALUE;
        elements = Math.min(elements, 1L << 40);
      }
      if (d != null) {
        out.add(d);
      } else if (allowLazy) {
        out.add(new LazyDim(item.pos())); // reported; an input keeps its rank, so inference goes on
      }
    }
    if (out.size() > 8) {
      reporter.error(node.pos(), currentBlock + ": " + what + " has " + out.size()
          + " dims; the runtime supports at most 8");
    }
    if (overflow) {
      reporter.error(node.pos(), currentBlock + ": " + what + " has more than "
          + Integer.MAX_VALUE + " elements");
    }
    return out;
  }

  /**
   * Why a declared size is refused: {@code Block: parameter sizes must be positive, got 0},
   * for a literal here and for a block argument's value ({@code infer.DeclaredSizes}).
   */
  public static String nonPositiveSize(String block, String what, long size) {
    return block + ": " + what + " sizes must be positive, got " + size;
  }

  /** One size of a shape, or null after reporting why it is not one. */
  private DimRef dim(Node item, boolean allowLazy, String what) {
    Object v = item instanceof Scalar s ? s.value() : null;
    if (v instanceof Long n) {
      if (n <= 0) {
        reporter.error(item.pos(), nonPositiveSize(currentBlock, what, n));
        return null;
      }
      if (n > Integer.MAX_VALUE) {
        reporter.error(item.pos(), currentBlock + ": size " + n + " is larger than " + Integer.MAX_VALUE);
        return null;
      }
      return new FixedDim(n.intValue(), item.pos());
    }
    if ("?".equals(v)) {
      if (!allowLazy) {
        reporter.error(item.pos(), currentBlock + ": a " + what + " needs known sizes; '?' is only for 'input'");
        return null;
      }
      return new LazyDim(item.pos());
    }
    if (v instanceof String s && Names.isIdentifier(s)) {
      Arg arg = currentArgs.get(s);
      if (arg != null && arg.type() != ArgType.INT) {
        reporter.error(item.pos(), currentBlock + ": argument '" + s + "' is a "
            + arg.type().name().toLowerCase(java.util.Locale.ROOT) + ", not an int size");
        return null;
      }
      if (arg == null && !allowLazy && !unreadable.contains(s)) {
        reporter.error(item.pos(), currentBlock + ": unknown size '" + s + "'"
            + Names.suggest(s, currentArgs.keySet()) + " (a size is a number or an int argument)");
        return null;
      }
      return new NamedDim(s, item.pos());
    }
    if (item instanceof MapNode m && m.entries().size() == 1 && m.get("") instanceof Scalar k && k.value() == null) {
      // A bare '- ?' is YAML's mark of a complex key, read as {null: null}.
      reporter.error(item.pos(), currentBlock + ": '?' must be quoted; write \"?\" for a lazy dim, as in - \"?\"");
      return null;
    }
    typeError(item, "a size", "a positive int, a name or \"?\"");
    return null;
  }

  private Map<String, TensorDecl> tensors(Node node, String kind, boolean buffers, Set<String> taken) {
    Map<String, TensorDecl> out = new LinkedHashMap<>();
    if (node == null) {
      return out;
    }
    MapNode map = asMap(node, "'" + kind + "s'");
    if (map == null) {
      return out;
    }
    for (Entry e : map.entries().values()) {
      String n = e.key().name();
      if (!checkMemberName(n, e.key().pos(), kind, taken, false)) {
        continue;
      }
      int before = reporter.errorCount();
      TensorDecl t = tensor(n, e, kind, buffers);
      if (t != null && reporter.errorCount() == before) {
        out.put(n, t);
      } else {
        unreadable.add(n);
      }
    }
    return out;
  }

  /** One parameter or buffer declaration, or null after reporting why not. */
  private TensorDecl tensor(String n, Entry e, String kind, boolean buffers) {
    MapNode decl = asMap(e.value(), kind + " '" + n + "'");
    if (decl == null) {
      return null;
    }
    unknownKeys(decl, buffers ? TENSOR_KEYS : List.of("shape", "init", "doc"), currentBlock + "." + n + ": ");
    Node shapeNode = decl.get("shape");
    if (shapeNode == null) {
      reporter.error(decl.pos(), currentBlock + "." + n + ": missing 'shape'");
      return null;
    }
    List<DimRef> shape = shape(shapeNode, false, kind);
    Node initNode = decl.get("init");
    InitSpec init = initNode == null ? new InitSpec(decl.pos(), "zeros", 0, 0, null, null) : inits.init(initNode);
    boolean persistent = true;
    Node p = decl.get("persistent");
    if (p != null) {
      if (p instanceof Scalar s && s.value() instanceof Boolean b) {
        persistent = b;
      } else {
        typeError(p, "'persistent'", "true or false");
      }
    }
    if (shape == null || init == null) {
      return null;
    }
    return new TensorDecl(n, e.key().pos(), shape, init, persistent, optionalString(decl.get("doc"), "doc"));
  }

  private boolean checkMemberName(String n, Position pos, String kind, Set<String> taken,
      boolean child) {
    if (!(child ? Names.isChildName(n) : Names.isIdentifier(n))) {
      reporter.error(pos, currentBlock + ": " + kind + " name '" + n + "' is not valid"
          + " (letters, digits and '_', not starting with a digit" + (child ? ", or an index" : "") + ")");
      return false;
    }
    if (!taken.add(n)) {
      reporter.error(pos, currentBlock + ": duplicate name '" + n + "'");
      return false;
    }
    return true;
  }

  // ------------------------------------------------------------------ children

  private List<Child> namedChildren(Node node, Set<String> taken) {
    List<Child> out = new ArrayList<>();
    MapNode map = asMap(node, "'layers'");
    if (map == null) {
      return out;
    }
    for (Entry e : map.entries().values()) {
      String n = e.key().name();
      if (!checkMemberName(n, e.key().pos(), "layer", taken, true)) {
        continue;
      }
      LayerUse use = use(e.value(), out, n);
      Node when = e.value() instanceof MapNode m ? m.get("when") : null;
      Expr condition = when == null ? null : when(when);
      out.add(new Child(n, e.key().pos(), use != null ? use : new Unreadable(e.value().pos()), condition,
          condition == null ? null : (String) ((Scalar) when).value()));
    }
    return out;
  }

  /**
   * A child's {@code when}: a condition on the block's arguments, in the forward language
   * ({@code "stride != 1 or in_planes != planes"}); null (reported) when it is not one.
   */
  private Expr when(Node node) {
    if (!(node instanceof Scalar s) || !(s.value() instanceof String text)) {
      typeError(node, "'when'", "a condition on the block's arguments, such as \"stride != 1\"");
      return null;
    }
    try {
      List<Stmt> parsed = ForwardParser.parseValue(text);
      if (parsed.size() == 1 && parsed.get(0) instanceof Ast.Return r) {
        String wrong = ArgCondition.notOnArgs(r.value(), currentArgs.keySet());
        Set<String> bools = new LinkedHashSet<>();
        currentArgs.values().stream().filter(a -> a.type() == ArgType.BOOL).forEach(a -> bools.add(a.name()));
        if (wrong == null && ArgCondition.isTest(r.value(), bools)) {
          return r.value();
        }
        if (wrong == null) {
          reporter.error(s.pos(), currentBlock + ": 'when' must be a test such as \"stride != 1\" (a comparison,"
              + " a bool argument, and/or/not of such), got \"" + text.strip() + "\"");
          return null;
        }
        Ast.Loc at = ArgCondition.wrongPart(r.value(), currentArgs.keySet()).loc();
        reporter.error(s.at(at.line(), at.column()), currentBlock + ": 'when': " + wrong
            + (currentArgs.isEmpty() ? "" : " (arguments: " + String.join(", ", currentArgs.keySet()) + ")"));
        return null;
      }
      reporter.error(s.pos(), currentBlock + ": 'when' is one condition, such as \"stride != 1\"");
    } catch (ForwardParser.SyntaxError e) {
      reporter.error(s.at(e.loc().line(), e.loc().column()), currentBlock + ": 'when': " + e.getMessage());
    }
    return null;
  }

  private List<Child> sequentialChildren(Node node, Set<String> taken) {
    List<Child> out = new ArrayList<>();
    if (!(node instanceof ListNode list)) {
      if (node instanceof MapNode) { // nn.Sequential(OrderedDict(fc1=..., act=...))
        reporter.error(node.pos(), currentBlock + ": 'sequential' must be a list of layers, got a mapping;"
            + " for named children, as nn.Sequential(OrderedDict(...)) has, write them under 'layers:',"
            + " which run in order when there is no 'forward'");
        return out;
      }
      typeError(node, "'sequential'", "a list of layers");
      return out;
    }
    for (Node item : list.items()) {
      if (item instanceof MapNode m && m.get("repeat") != null) {
        repeat(m, out, taken);
        continue;
      }
      if (item instanceof MapNode m && m.get("when") != null) {
        reporter.error(m.get("when").pos(), currentBlock + ": 'when' is for a child of 'layers', whose name"
            + " stays the same whether it exists or not; a 'sequential' numbers its children");
      }
      String n = Integer.toString(out.size());
      LayerUse use = use(item, out, n);
      if (checkMemberName(n, item.pos(), "layer", taken, true)) {
        out.add(new Child(n, item.pos(), use != null ? use : new Unreadable(item.pos())));
      }
    }
    return out;
  }

  private void repeat(MapNode m, List<Child> out, Set<String> taken) {
    unknownKeys(m, List.of("repeat", "name", "layer"), currentBlock + ": ");
    Node countNode = m.get("repeat");
    Long count = countNode instanceof Scalar s && s.value() instanceof Long n ? n : null;
    if (count == null || count <= 0 || count > Limits.MAX_REPEAT) {
      reporter.error(countNode.pos(), currentBlock + ": 'repeat' needs a count from 1 to "
          + Limits.MAX_REPEAT + ", got " + (count != null ? count : countNode.describe()));
      return;
    }
    String template = optionalString(m.get("name"), "name");
    if (template != null && !template.contains("{i}")) {
      reporter.error(m.get("name").pos(), currentBlock + ": a repeat 'name' needs '{i}', such as 'block{i}'");
      return;
    }
    Node layer = m.get("layer");
    if (layer == null) {
      reporter.error(m.pos(), currentBlock + ": 'repeat' needs a 'layer'");
      return;
    }
    int offset = out.size();
    for (int i = 0; i < count; i++) {
      String n = template == null ? Integer.toString(out.size()) : template.replace("{i}", Integer.toString(i));
      LayerUse use = use(layer, out, n);
      if (use == null) {
        return;
      }
      if (use instanceof SameAs) {
        reporter.error(layer.pos(), currentBlock + ": 'repeat' makes new layers; it cannot repeat 'same_as'");
        return;
      }
      if (!checkMemberName(n, m.pos(), "layer", taken, true)) {
        return;
      }
      out.add(new Child(n, m.pos(), use, null, null, new Copy(i, count.intValue(), template, offset)));
    }
  }

  /** The use of child {@code name} of the child being read (or of the block). */
  private LayerUse use(Node node, List<Child> siblings, String name) {
    String parent = currentPath;
    currentPath = parent + "." + name;
    try {
      return use(node, siblings);
    } finally {
      currentPath = parent;
    }
  }

  /** A layer use: {@code relu}, {@code {linear: 8}}, {@code {Block: {..}}}, ... */
  private LayerUse use(Node node, List<Child> siblings) {
    if (node instanceof Scalar s && s.value() instanceof String name) {
      return namedUse(name, null, node.pos(), Map.of(), null);
    }
    MapNode map = asMap(node, "a layer");
    if (map == null) {
      return null;
    }
    List<Entry> kinds = new ArrayList<>();
    for (Entry e : map.entries().values()) {
      if (!USE_EXTRAS.contains(e.key().name())) {
        kinds.add(e);
      }
    }
    if (kinds.isEmpty()) {
      reporter.error(map.pos(), currentBlock + ": a layer needs a type, such as {linear: 8}");
      return null;
    }
    if (kinds.size() > 1) {
      Entry second = kinds.get(1);
      if (isKnownType(second.key().name())) {
        reporter.error(second.key().pos(), currentBlock + ": a layer has one type, but '"
            + kinds.get(0).key().name() + "' and '" + second.key().name() + "' are both given");
      } else {
        reporter.error(second.key().pos(), currentBlock + ": unknown key '" + second.key().name()
            + "' in a layer" + Names.suggest(second.key().name(), USE_EXTRAS) + " (a layer has one type and"
            + " optional 'init', 'doc' and 'when')");
      }
      return null;
    }
    Entry kind = kinds.get(0);
    String type = kind.key().name();
    Map<String, InitSpec> init = inits.layerInit(map.get("init"));
    String doc = optionalString(map.get("doc"), "doc");
    switch (type) {
      case "sequential":
        if (map.get("init") != null) {
          reporter.error(map.get("init").pos(), currentBlock + ": an inline sequential takes no 'init';"
              + " put it on its layers or use block 'init' rules");
        }
        return new SequentialUse(kind.key().pos(), sequentialChildren(kind.value(), new LinkedHashSet<>()));
      case "module_list":
      case "module_dict":
        if (map.get("init") != null) {
          reporter.error(map.get("init").pos(), currentBlock + ": a " + type + " takes no 'init';"
              + " put it on its layers or use block 'init' rules");
        }
        return container(type, kind.value(), kind.key().pos());
      case "same_as": {
        String target = string(kind.value(), "'same_as'");
        if (target == null) {
          return null;
        }
        List<String> names = new ArrayList<>();
        for (Child c : siblings) {
          names.add(c.name());
        }
        if (!names.contains(target)) {
          reporter.error(kind.value().pos(), currentBlock + ": 'same_as' names no earlier layer '"
              + target + "'" + Names.suggest(target, names));
          return null;
        }
        return new SameAs(kind.key().pos(), target);
      }
      default:
        return namedUse(type, kind.value(), kind.key().pos(), init, doc);
    }
  }

  private boolean isKnownType(String name) {
    return LayerKinds.get(name) != null || blockNodes.containsKey(name) || imported.containsKey(name)
        || name.equals("sequential") || name.equals("same_as")
        || name.equals("module_list") || name.equals("module_dict");
  }

  /**
   * {@code {module_list: [...]}} (items as in a {@code sequential}, {@code repeat} included;
   * one {@code {repeat: n, layer: ...}} alone needs no list) or {@code {module_dict: {...}}}
   * (named children as in {@code layers}).
   */
  private ContainerUse container(String type, Node value, Position pos) {
    boolean list = type.equals("module_list");
    Model.Container kind = list ? Model.Container.MODULE_LIST : Model.Container.MODULE_DICT;
    boolean shaped = list ? value instanceof ListNode || value instanceof MapNode m && m.get("repeat") != null
        : value instanceof MapNode;
    if (!shaped) {
      typeError(value, "'" + type + "'", list ? "a list of layers, or {repeat: n, layer: ...}"
          : "a mapping of names to layers");
      return new ContainerUse(pos, kind, List.of());
    }
    List<Child> children;
    if (list) {
      Node items = value instanceof MapNode m && m.get("repeat") != null ? new ListNode(m.pos(), List.of(m)) : value;
      if (items instanceof ListNode l) {
        for (Node item : l.items()) {
          if (item instanceof MapNode m && m.get("name") != null && m.get("repeat") != null) {
            reporter.error(m.get("name").pos(), currentBlock + ": a module_list names its items 0, 1, ...;"
                + " a repeat 'name' is for a 'sequential'");
          }
        }
      }
      children = sequentialChildren(items, new LinkedHashSet<>());
    } else {
      children = namedChildren(value, new LinkedHashSet<>());
    }
    for (Child c : children) {
      if (c.use() instanceof SameAs) {
        reporter.error(c.pos(), currentBlock + ": 'same_as' is for a block's own 'sequential' or 'layers',"
            + " not inside a " + type);
      } else if (c.when() != null) {
        reporter.error(c.pos(), currentBlock + ": 'when' is for a child of a block's 'layers', not inside a "
            + type);
      }
    }
    return new ContainerUse(pos, kind, children);
  }

  private LayerUse namedUse(String type, Node value, Position pos, Map<String, InitSpec> init, String doc) {
    LayerKind def = LayerKinds.get(type);
    if (def != null) {
      Map<String, Value> args = useArgs.builtinArgs(def, value, pos, currentPath);
      if (args == null) {
        return null;
      }
      for (String p : init.keySet()) {
        if (!def.params().contains(p)) {
          reporter.error(pos, currentBlock + ": " + type + " has no parameter '" + p + "'"
              + Names.suggest(p, def.params()));
          return null;
        }
      }
      return new BuiltinUse(pos, def, args, init, doc);
    }
    MapNode target = blockNodes.get(type);
    Block importedTarget = imported.get(type);
    if (target != null || importedTarget != null) {
      Map<String, String> types = target != null ? UseArgs.declaredArgs(target) : UseArgs.declaredArgs(importedTarget);
      Map<String, Value> args = useArgs.blockArgs(type, types, value, pos);
      return args == null ? null : new BlockUse(pos, type, args, init, doc);
    }
    if (reachable.containsKey(type)) {
      reporter.error(pos, currentBlock + ": block " + type + " is in "
          + reachable.get(type).file().toString().replace('\\', '/')
          + ", which this file does not import itself; add it to 'imports'");
      return null;
    }
    String called = LayerCallText.instead(type);
    if (called != null) {
      reporter.error(pos, currentBlock + ": write '" + called + "', not '" + type + "': a layer is"
          + " declared as YAML, with its arguments by name, and called in 'forward'");
      return null;
    }
    LayerKind pytorch = LayerKinds.byPyTorchName(type);
    if (pytorch != null) {
      reporter.error(pos, currentBlock + ": unknown layer '" + type + "'; write '" + pytorch.name()
          + "' for PyTorch's nn." + pytorch.runtimeClass() + " (layers are named in snake_case,"
          + " without 'nn.')");
      return null;
    }
    String function = functionNamed(type);
    if (function != null) {
      reporter.error(pos, currentBlock + ": unknown layer '" + type + "'; '" + function + "' is a function of the"
          + " forward, not a layer: call it in 'forward', as in h = " + function + "(h)");
      return null;
    }
    List<String> candidates = new ArrayList<>(LayerKinds.names());
    candidates.addAll(blockNodes.keySet());
    candidates.addAll(imported.keySet());
    candidates.add("sequential");
    candidates.add("same_as");
    candidates.add("module_list");
    candidates.add("module_dict");
    String what = !type.isEmpty() && Character.isUpperCase(type.charAt(0)) ? "block" : "layer";
    reporter.error(pos, currentBlock + ": unknown " + what + " '" + type + "'" + Names.suggest(type, candidates));
    return null;
  }

  /**
   * The forward function that layer name {@code type} means ({@code silu} for {@code silu},
   * {@code nn.SiLU} or {@code LeakyReLU()}'s {@code leaky_relu}), when there is no such layer;
   * else null.
   */
  private static String functionNamed(String type) {
    String bare = type.strip().replaceFirst("^(torch\\.)?(nn\\.)?", "").replaceFirst("\\(\\)$", "");
    String key = bare.replace("_", "").toLowerCase(Locale.ROOT);
    for (String f : Functions.names()) {
      if (f.replace("_", "").equals(key) && LayerKinds.get(f) == null) {
        return f;
      }
    }
    return null;
  }

  // ------------------------------------------------------------------ cycles

  private void checkCycles() {
    Map<String, Integer> state = new LinkedHashMap<>();
    for (String name : blocks.keySet()) {
      visit(name, new ArrayList<>(), state);
    }
  }

  private void visit(String name, List<String> stack, Map<String, Integer> state) {
    Integer s = state.get(name);
    if (s != null && s == 2) {
      return;
    }
    Block b = blocks.get(name);
    if (b == null) {
      return;
    }
    state.put(name, 1);
    stack.add(name);
    for (BlockUse use : blockUses(b.children())) {
      Integer t = state.get(use.blockName());
      if (t != null && t == 1) {
        List<String> cycle = new ArrayList<>(stack.subList(stack.indexOf(use.blockName()), stack.size()));
        cycle.add(use.blockName());
        reporter.error(use.pos(), name + ": cyclic block reference: " + String.join(" -> ", cycle));
        continue;
      }
      if (stack.size() >= Limits.MAX_BLOCK_DEPTH) {
        if (depthReported) {
          continue;
        }
        depthReported = true;
        reporter.error(use.pos(), name + ": blocks are nested more than " + Limits.MAX_BLOCK_DEPTH
            + " deep (" + stack.get(0) + " -> ... -> " + name + " -> " + use.blockName() + ")");
        continue;
      }
      visit(use.blockName(), stack, state);
    }
    stack.remove(stack.size() - 1);
    state.put(name, 2);
  }

  /** The number of modules {@code children} build, blocks expanded (saturating). */
  private long expandedSize(List<Child> children, Map<String, Long> sizes) {
    long n = 0;
    for (Child c : children) {
      long k;
      if (c.use() instanceof BlockUse u) {
        Long known = sizes.get(u.blockName());
        Block target = blocks.containsKey(u.blockName()) ? blocks.get(u.blockName()) : reachable.get(u.blockName());
        k = 1 + (known != null ? known : expandedSize(target.children(), sizes));
        sizes.putIfAbsent(u.blockName(), k - 1);
      } else if (c.use() instanceof SequentialUse s) {
        k = 1 + expandedSize(s.children(), sizes);
      } else if (c.use() instanceof ContainerUse s) {
        k = 1 + expandedSize(s.children(), sizes);
      } else {
        k = c.use() instanceof SameAs ? 0 : 1;
      }
      n = Math.min(n + k, Long.MAX_VALUE / 2);
    }
    return n;
  }

  /** Every block used in {@code children}, inline sequentials included. */
  public static List<BlockUse> blockUses(List<Child> children) {
    List<BlockUse> out = new ArrayList<>();
    for (Child c : children) {
      if (c.use() instanceof BlockUse u) {
        out.add(u);
      } else if (c.use() instanceof SequentialUse s) {
        out.addAll(blockUses(s.children()));
      } else if (c.use() instanceof ContainerUse s) {
        out.addAll(blockUses(s.children()));
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ helpers

  private void unknownKeys(MapNode map, List<String> allowed, String prefix) {
    nodes.unknownKeys(map, allowed, prefix);
  }

  private MapNode asMap(Node node, String what) {
    return nodes.asMap(node, what);
  }

  private String string(Node node, String what) {
    return nodes.string(node, what);
  }

  private String optionalString(Node node, String what) {
    return node == null ? null : nodes.string(node, what);
  }

  private void typeError(Node node, String what, String expected) {
    nodes.typeError(node, what, expected);
  }

  private static String scalarText(Node node) {
    return NodeReader.scalarText(node);
  }
}
