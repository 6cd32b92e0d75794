package dev.netspec.compiler.check;

import dev.netspec.compiler.diag.Position;
import dev.netspec.compiler.infer.DType;
import dev.netspec.compiler.layers.LayerKind;
import dev.netspec.compiler.parse.Ast.Expr;
import dev.netspec.compiler.parse.Ast.Stmt;
import dev.netspec.compiler.parse.Node;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The checked spec: every name resolved, every value of the right type. Later phases read it
 * and never see the raw tree again.
 */
public final class Model {
  private Model() {}

  /**
   * One spec file.
   *
   * @param blocks every block that could be read, in file order
   * @param broken blocks whose input or forward could not be read: not inferred (the other
   *     blocks with errors are, so their shape errors are reported with the rest)
   * @param train the checked {@code train:} section, or null (none, or with errors)
   * @param imported the blocks of the files it imports, directly or not: its blocks may use
   *     them, and they are generated with their own file
   */
  public record SpecFile(Path path, String packageName, String doc, List<Block> blocks,
      Set<String> broken, TrainSpec train, List<Block> imported) {
    public SpecFile {
      blocks = List.copyOf(blocks);
      broken = Set.copyOf(broken);
      imported = List.copyOf(imported);
    }

    /** A file without a {@code train:} section or imports. */
    public SpecFile(Path path, String packageName, String doc, List<Block> blocks,
        Set<String> broken) {
      this(path, packageName, doc, blocks, broken, null, List.of());
    }

    /** Every block its blocks may refer to: its own, then the imported ones. */
    public List<Block> scope() {
      List<Block> all = new java.util.ArrayList<>(blocks);
      all.addAll(imported);
      return all;
    }
  }

  /**
   * A block: one generated class. {@code unreadable} names the arguments, parameters and
   * buffers declared with errors (reported): inference takes them as unknown, silently.
   * {@code inputs} are the declared inputs in order (empty without {@code input:} or {@code
   * inputs:}); {@code input} is the first one's shape, or null. {@code position} is the name
   * of the int the block's {@code position:} declares (the position of the inputs' first token
   * in a decoder that caches keys and values), or null.
   */
  public record Block(
      String name,
      Position pos,
      Path file,
      String packageName,
      String doc,
      Map<String, Arg> args,
      List<DimRef> input,
      Position inputPos,
      Map<String, TensorDecl> params,
      Map<String, TensorDecl> buffers,
      boolean sequential,
      List<Child> children,
      List<Stmt> forward,
      Node.Scalar forwardText,
      List<InitRule> initRules,
      Set<String> unreadable,
      List<Tie> ties,
      List<InputDecl> inputs,
      String position,
      List<String> ignoredOnLoad) {

    /** Whether the block declares {@code inputs:} (named, possibly several), not {@code input:}. */
    public boolean namedInputs() {
      return inputs.size() > 1 || inputs.size() == 1 && !inputs.get(0).name().equals(InputDecl.DEFAULT_NAME);
    }

    /** A block made only of {@code sequential:}: it prints as {@code Sequential(...)}. */
    public boolean sequentialOnly() {
      return sequential && params.isEmpty() && buffers.isEmpty() && forward == null;
    }

    @Override
    public String toString() {
      return name;
    }

    @Override
    public boolean equals(Object o) {
      return this == o;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(this);
    }
  }

  /**
   * One input of a block: {@code input: [batch, 20]} is one named {@code x}; {@code inputs:
   * {input_ids: [batch, seq, int64]}} names each. {@code dtype} is float32 unless the shape's
   * last item names another.
   */
  public record InputDecl(String name, List<DimRef> shape, DType dtype, Position pos) {
    /** The name of the one input of {@code input:}. */
    public static final String DEFAULT_NAME = "x";

    public InputDecl {
      shape = List.copyOf(shape);
    }
  }

  /** Argument types. */
  public enum ArgType { INT, FLOAT, BOOL }

  /** A block argument ({@code args: {units: int}}). */
  public record Arg(String name, ArgType type, Position pos) {}

  /** One dimension as written: a size, a symbol or argument name, or {@code "?"}. */
  public sealed interface DimRef {
    Position pos();
  }

  /** A fixed size. */
  public record FixedDim(int size, Position pos) implements DimRef {}

  /** A symbolic dim such as {@code batch}, or an int argument of the block. */
  public record NamedDim(String name, Position pos) implements DimRef {}

  /** {@code "?"}: a lazy dim, known at the first forward. */
  public record LazyDim(Position pos) implements DimRef {}

  /** A parameter or buffer declared in a block; {@code doc} may be null. */
  public record TensorDecl(String name, Position pos, List<DimRef> shape, InitSpec init,
      boolean persistent, String doc) {}

  /**
   * An initializer: {@code kind} is one of zeros, ones, constant, normal, uniform,
   * xavier_uniform, xavier_normal, kaiming_uniform, kaiming_normal, java.
   */
  public record InitSpec(Position pos, String kind, double a, double b, String javaClass,
      String javaMethod) {}

  /** A block-level init rule: {@code selector} is {@code type.param}, a path or a glob. */
  public record InitRule(Position pos, String selector, InitSpec init) {}

  /**
   * A named child of a block or of an inline sequential; {@code when} (or null) is the
   * condition on the block's arguments under which it exists ({@code when: "stride != 1"});
   * {@code copy} (or null) says which copy of a {@code repeat} it is.
   */
  public record Child(String name, Position pos, LayerUse use, Expr when, String whenText, Copy copy) {
    public Child(String name, Position pos, LayerUse use) {
      this(name, pos, use, null, null, null);
    }

    public Child(String name, Position pos, LayerUse use, Expr when, String whenText) {
      this(name, pos, use, when, whenText, null);
    }

    /** The child's own {@code init:} (parameter path to initializer; empty for containers). */
    public Map<String, InitSpec> init() {
      return use instanceof BuiltinUse b ? b.init() : use instanceof BlockUse u ? u.init() : Map.of();
    }
  }

  /**
   * Copy {@code index} of a {@code repeat: count}: its name is {@code template} with {@code {i}}
   * replaced by the index, or (no template) the running index {@code offset + index}. The
   * generator builds and runs the copies of one repeat in a loop.
   */
  public record Copy(int index, int count, String template, int offset) {
    /** The name of copy {@code i}. */
    public String name(int i) {
      return template == null ? Integer.toString(offset + i) : template.replace("{i}", Integer.toString(i));
    }
  }

  /** What a child is. */
  public sealed interface LayerUse {
    Position pos();
  }

  /** A value given to a layer or block argument: a literal, an argument of the enclosing block or arithmetic on them. */
  public sealed interface Value {
    Position pos();
  }

  /** A literal: Long, Double, Boolean, String or a List of Long. */
  public record Literal(Object value, Position pos) implements Value {}

  /** A reference to an argument of the enclosing block. */
  public record ArgRef(String name, Position pos) implements Value {}

  /**
   * Int arithmetic ({@code + - *}) over the enclosing block's int arguments and int literals,
   * written as text: {@code out_features: 3 * n_embd}.
   */
  public record ArgExpr(dev.netspec.compiler.parse.Ast.Expr expr, String text, Position pos) implements Value {}

  /** A builtin layer such as {@code linear}. */
  public record BuiltinUse(Position pos, LayerKind kind, Map<String, Value> args,
      Map<String, InitSpec> init, String doc) implements LayerUse {}

  /** A use of another block. */
  public record BlockUse(Position pos, String blockName, Map<String, Value> args,
      Map<String, InitSpec> init, String doc) implements LayerUse {}

  /**
   * {@code tie: {lm_head.weight: transformer.wte.weight}}: the parameter at {@code path} is the
   * one at {@code source} (one tensor under both state-dict keys).
   */
  public record Tie(String path, Position pos, String source, Position sourcePos) {}

  /** PyTorch's containers: children held by a module that has no forward of its own. */
  public enum Container {
    /** {@code nn.ModuleList}: children {@code 0}, {@code 1}, ...; a forward loops over them. */
    MODULE_LIST("module_list", "ModuleList"),
    /** {@code nn.ModuleDict}: named children; a forward calls them as {@code dict.name(x)}. */
    MODULE_DICT("module_dict", "ModuleDict");

    private final String specName;
    private final String runtimeClass;

    Container(String specName, String runtimeClass) {
      this.specName = specName;
      this.runtimeClass = runtimeClass;
    }

    /** The spec key: {@code module_list}. */
    public String specName() {
      return specName;
    }

    /** The runtime class and repr name: {@code ModuleList}. */
    public String runtimeClass() {
      return runtimeClass;
    }
  }

  /** A {@code module_list} or {@code module_dict} child: a container of {@code children}. */
  public record ContainerUse(Position pos, Container kind, List<Child> children) implements LayerUse {
    public ContainerUse {
      children = List.copyOf(children);
    }
  }

  /** An inline, anonymous {@code Sequential}. */
  public record SequentialUse(Position pos, List<Child> children) implements LayerUse {}

  /** {@code {same_as: "2"}}: the sibling of that name again (shared parameters). */
  public record SameAs(Position pos, String target) implements LayerUse {}

  /** A layer declared with errors (reported): inference gives it an unknown output, silently. */
  public record Unreadable(Position pos) implements LayerUse {}
}
