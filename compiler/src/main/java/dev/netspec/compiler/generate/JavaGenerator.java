package dev.netspec.compiler.generate;

import com.palantir.javapoet.AnnotationSpec;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.NameAllocator;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.netspec.compiler.check.Model.Arg;
import dev.netspec.compiler.check.Model.ArgExpr;
import dev.netspec.compiler.check.Model.ArgRef;
import dev.netspec.compiler.check.Model.ArgType;
import dev.netspec.compiler.check.Model.Block;
import dev.netspec.compiler.check.Model.BlockUse;
import dev.netspec.compiler.check.Model.BuiltinUse;
import dev.netspec.compiler.check.Model.Child;
import dev.netspec.compiler.check.Model.ContainerUse;
import dev.netspec.compiler.check.Model.DimRef;
import dev.netspec.compiler.check.Model.FixedDim;
import dev.netspec.compiler.check.Model.InitRule;
import dev.netspec.compiler.check.Model.InitSpec;
import dev.netspec.compiler.check.Model.Literal;
import dev.netspec.compiler.check.Model.NamedDim;
import dev.netspec.compiler.check.Model.SameAs;
import dev.netspec.compiler.check.Model.SequentialUse;
import dev.netspec.compiler.check.Model.TensorDecl;
import dev.netspec.compiler.check.Model.Tie;
import dev.netspec.compiler.check.Model.Value;
import dev.netspec.compiler.diag.Reporter;
import dev.netspec.compiler.infer.ArgCondition;
import dev.netspec.compiler.infer.Dim;
import dev.netspec.compiler.infer.Inference.Result;
import dev.netspec.compiler.infer.InitRules;
import dev.netspec.compiler.infer.Inst;
import dev.netspec.compiler.infer.Shape;
import dev.netspec.compiler.infer.Type;
import dev.netspec.compiler.layers.InferredArg;
import dev.netspec.compiler.layers.LayerKind;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import javax.lang.model.element.Modifier;

/**
 * Generates one Java class for one block: typed public fields for its children, parameters
 * and buffers, constructors that build and initialize, {@code resetParameters} for its init
 * rules, and {@code forward} as straight-line calls. Names from the spec reach the source
 * only as {@code $N} (after {@link NameAllocator}) or {@code $S}, never as {@code $L}.
 */
public final class JavaGenerator {
  /** The generator's version, part of every output's identity. */
  public static final String VERSION = "0.1.0";

  private final Block block;
  private final Result result;
  private final Map<String, Block> blocks;
  private final String packageName;
  private final String specName;
  private final Reporter reporter;
  private final NameAllocator names = new NameAllocator();
  /** Java field of each spec name (children, parameters, buffers, arguments). */
  private final Map<String, String> fields = new LinkedHashMap<>();
  private final Map<String, String> childTypes = new LinkedHashMap<>();
  /** The module lists and dicts: their types, construction and nested dict classes. */
  private Containers containers;
  /** The repeats built and run in loops, by each of their copies. */
  private final Map<Child, Repeats.Run> runs = new IdentityHashMap<>();
  /** Each child's construction, made once (a layer reports its errors there). */
  private final Map<Child, CodeBlock> built = new IdentityHashMap<>();
  /** The lambda parameter of module lists and repeats, clear of every field. */
  private String index;

  /**
   * The argument values of the instance {@link #workspaceBytes} counts ({@code inspect}):
   * an {@code if} on them runs one branch there. Null when generating the class.
   */
  private Map<String, Object> instanceArgs;

  private JavaGenerator(Block block, Result result, Map<String, Block> blocks, String packageName,
      String specName, Reporter reporter) {
    this.block = block;
    this.result = result;
    this.blocks = blocks;
    this.packageName = packageName;
    this.specName = specName;
    this.reporter = reporter;
  }

  /**
   * The Java source of {@code block}; reports (and returns null on) what cannot be generated.
   *
   * @param specName the spec's name in its spec folder, recorded in the header
   */
  public static JavaFile generate(Block block, Result result, Map<String, Block> blocks,
      String packageName, String specName, Reporter reporter) {
    return new JavaGenerator(block, result, blocks, packageName, specName, reporter).file();
  }

  /** The class of block {@code name}: in its own file's package (an imported block's may differ). */
  private ClassName blockClass(String name) {
    Block target = blocks.get(name);
    return ClassName.get(target == null ? packageName : target.packageName(), name);
  }

  private JavaFile file() {
    int errors = reporter.errorCount();
    String label = JavaText.specLabel(specName);
    ClassName self = ClassName.get(packageName, block.name());
    boolean seq = block.sequentialOnly();
    TypeSpec.Builder type = TypeSpec.classBuilder(self)
        .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
        .superclass(seq ? RuntimeTypes.SEQUENTIAL : RuntimeTypes.MODULE)
        .addAnnotation(AnnotationSpec.builder(RuntimeTypes.GENERATED)
            .addMember("value", "$S", "dev.netspec.compiler.Compiler")
            .addMember("comments", "$S", label)
            .build());
    classJavadoc(type);
    allocate();
    fields(type);
    constructors(type);
    containers.addTo(type);
    resetParameters(type);
    forward(type);
    if (seq) {
      type.addMethod(MethodSpec.methodBuilder("typeName")
          .addJavadoc("Prints as {@code Sequential(...)}, as PyTorch prints an {@code nn.Sequential}.\n")
          .addAnnotation(Override.class)
          .addModifiers(Modifier.PROTECTED)
          .returns(String.class)
          .addStatement("return $S", "Sequential")
          .build());
    }
    modes(type, self);
    type.addMethod(Serving.replica(self, block.args().keySet().stream().map(fields::get).toList()));
    if (reporter.errorCount() > errors) {
      return null;
    }
    return JavaFile.builder(packageName, type.build())
        .addFileComment("Generated by netspec from $L. Do not edit.", label)
        .skipJavaLangImports(true)
        .indent("  ")
        .build();
  }

  private void classJavadoc(TypeSpec.Builder type) {
    if (block.doc() != null) {
      type.addJavadoc(JavaText.javadocFormat(block.doc()));
      type.addJavadoc("\n<p>");
    }
    String inputs = block.namedInputs() ? "inputs {@code " + TypedForward.signature(result) + "}"
        : "input {@code " + Tuples.comment(result.inputs().values().iterator().next()) + "}";
    type.addJavadoc(JavaText.javadocOwn("Block " + block.name() + ": " + inputs + ", output {@code "
        + (result.outputType() == null ? "(...)" : Tuples.comment(result.outputType())) + "}."));
  }

  // ------------------------------------------------------------------ names

  private void allocate() {
    for (Arg a : block.args().values()) {
      fields.put(a.name(), names.newName(JavaText.lowerCamel(a.name()), a.name()));
    }
    for (TensorDecl p : block.params().values()) {
      fields.put(p.name(), names.newName(JavaText.lowerCamel(p.name()), p.name()));
    }
    for (TensorDecl b : block.buffers().values()) {
      fields.put(b.name(), names.newName(JavaText.lowerCamel(b.name()), b.name()));
    }
    index = names.newName("i", "module list index");
    List<Child> children = block.children();
    for (int k = 0; k < children.size(); k++) {
      Child c = children.get(k);
      childTypes.put(c.name(), typeLabel(c));
      if (c.copy() != null && c.copy().index() == 0 && loopRepeat(children, k)) {
        k += runs.get(c).count() - 1;
        continue;
      }
      String suggestion;
      if (Character.isDigit(c.name().charAt(0))) {
        String t = JavaText.lowerCamel(typeLabel(c));
        suggestion = t + (Character.isDigit(t.charAt(t.length() - 1)) ? "_" : "") + c.name();
      } else {
        suggestion = JavaText.lowerCamel(c.name());
      }
      fields.put(c.name(), names.newName(suggestion, c.name()));
    }
    containers = new Containers(ClassName.get(packageName, block.name()), this::childType, this::construct, index);
  }

  /**
   * Plans the repeat whose first copy is {@code children[k]} as a loop when it can be one (in
   * a block without a forward of its own, which would name the copies); true if it did.
   */
  private boolean loopRepeat(List<Child> children, int k) {
    Child head = children.get(k);
    if (block.forward() != null || head.use() instanceof ContainerUse) {
      return false;
    }
    List<Child> copies = Repeats.copiesFrom(children, k);
    java.util.function.Function<Child, Shape> output = c -> {
      Inst made = result.inst().children.get(c.name());
      return made == null || made.outputType instanceof Type.TupleT ? null : made.output;
    };
    if (!Repeats.loopable(copies, this::childType, this::constructed, output)) {
      return false;
    }
    for (Child c : copies.subList(1, copies.size())) {
      childTypes.put(c.name(), typeLabel(c));
    }
    String base = Repeats.fieldBase(head, typeLabel(head));
    CodeBlock first = constructed(head);
    CodeBlock rest = constructed(copies.get(1));
    Repeats.Run run = new Repeats.Run(copies, names.newName(Repeats.plural(base), "repeat:" + head.name()), base,
        childType(head), first.toString().equals(rest.toString()) ? null : first, rest, output.apply(head));
    copies.forEach(c -> runs.put(c, run));
    return true;
  }

  /** The Java expression of child {@code name}: its field, or its copy in a repeat's list. */
  private CodeBlock childRef(String name) {
    Child c = block.children().stream().filter(x -> x.name().equals(name)).findFirst().orElse(null);
    Repeats.Run run = c == null ? null : runs.get(c);
    return run == null ? CodeBlock.of("$N", fields.get(name)) : CodeBlock.of("$N.get($L)", run.field(), c.copy().index());
  }

  /** The spec's name for what {@code c} builds; a {@code same_as} child's is its target's. */
  private String typeLabel(Child c) {
    if (c.use() instanceof SameAs) {
      return typeLabel(findChild(c.name()));
    }
    if (c.use() instanceof BuiltinUse b) {
      return b.kind().name();
    }
    if (c.use() instanceof BlockUse u) {
      return u.blockName();
    }
    if (c.use() instanceof ContainerUse k) {
      return k.kind().specName();
    }
    return "sequential";
  }

  // ------------------------------------------------------------------ fields

  private void fields(TypeSpec.Builder type) {
    for (Arg a : block.args().values()) {
      type.addField(FieldSpec.builder(argType(a), fields.get(a.name()), Modifier.PRIVATE, Modifier.FINAL)
          .addJavadoc(JavaText.javadocOwn("Argument {@code " + a.name() + "}."))
          .build());
    }
    for (TensorDecl p : block.params().values()) {
      type.addField(FieldSpec.builder(RuntimeTypes.PARAMETER, fields.get(p.name()), Modifier.PUBLIC, Modifier.FINAL)
          .addJavadoc(fieldDoc(p.doc(), "Parameter {@code " + p.name() + "}, shape {@code "
              + JavaText.shapeComment(result.inst().params.get(p.name())) + "}."))
          .build());
    }
    for (TensorDecl b : block.buffers().values()) {
      type.addField(FieldSpec.builder(RuntimeTypes.TENSOR, fields.get(b.name()), Modifier.PUBLIC, Modifier.FINAL)
          .addJavadoc(fieldDoc(b.doc(), (b.persistent() ? "Buffer" : "Non-persistent buffer")
              + " {@code " + b.name() + "}, shape {@code "
              + JavaText.shapeComment(result.inst().buffers.get(b.name())) + "}."))
          .build());
    }
    for (Child c : block.children()) {
      if (runs.containsKey(c)) {
        repeatField(type, runs.get(c), c);
        continue;
      }
      Inst built = result.inst().children.get(c.name());
      String shape = built != null && built.outputType instanceof Type.TupleT t ? ", output {@code " + Tuples.comment(t) + "}"
          : built != null && built.output != null ? ", output {@code " + JavaText.shapeComment(built.output) + "}" : "";
      Child made = findChild(c.name()); // a same_as child is its target again
      String doc = made.use() instanceof BuiltinUse b ? b.doc() : made.use() instanceof BlockUse u ? u.doc() : null;
      String what = c.use() instanceof SameAs s
          ? ", the same " + typeLabel(c) + " as child {@code " + s.target() + "} ({@code same_as})"
          : " (" + typeLabel(c) + ")";
      type.addField(FieldSpec.builder(childType(made), fields.get(c.name()), Modifier.PUBLIC, Modifier.FINAL)
          .addJavadoc(fieldDoc(c.use() instanceof SameAs ? null : doc,
              "Child {@code " + c.name() + "}" + what + shape + "."
              + (c.when() == null ? "" : " Null unless {@code " + c.whenText().strip() + "}.")))
          .build());
    }
  }

  /** The list field of a repeat run in loops, for its first copy {@code c}. */
  private void repeatField(TypeSpec.Builder type, Repeats.Run run, Child c) {
    if (c.copy().index() != 0) {
      return;
    }
    String doc = c.use() instanceof BuiltinUse b ? b.doc() : c.use() instanceof BlockUse u ? u.doc() : null;
    type.addField(FieldSpec.builder(ParameterizedTypeName.get(ClassName.get(List.class), run.type()), run.field(),
            Modifier.PUBLIC, Modifier.FINAL)
        .addJavadoc(fieldDoc(doc, "Children {@code " + run.copies().get(0).name() + "} .. {@code "
            + run.copies().get(run.count() - 1).name() + "} (" + typeLabel(c) + ", a {@code repeat}),"
            + " output {@code " + JavaText.shapeComment(run.output()) + "} each."))
        .build());
  }

  /** A field's Javadoc: the spec's {@code doc} (escaped), then what the generator knows. */
  private static CodeBlock fieldDoc(String doc, String facts) {
    CodeBlock.Builder b = CodeBlock.builder();
    if (doc != null) {
      b.add(JavaText.javadocFormat(doc)).add("\n<p>");
    }
    return b.add(JavaText.javadocOwn(facts)).build();
  }

  private static TypeName argType(Arg a) {
    return a.type() == ArgType.INT ? TypeName.INT : a.type() == ArgType.FLOAT ? TypeName.DOUBLE : TypeName.BOOLEAN;
  }

  /** The Java type of a child's field: its layer, block or container class. */
  private TypeName childType(Child c) {
    if (c.use() instanceof ContainerUse k) {
      return containers.type(c, k);
    }
    return childClass(c.use());
  }

  private ClassName childClass(Object use) {
    if (use instanceof BuiltinUse b) {
      return b.kind().javaClass(result.inferred(b));
    }
    if (use instanceof BlockUse u) {
      return blockClass(u.blockName());
    }
    return RuntimeTypes.SEQUENTIAL;
  }

  // ------------------------------------------------------------------ constructors

  private void constructors(TypeSpec.Builder type) {
    List<String> argNames = new ArrayList<>();
    MethodSpec.Builder convenience = MethodSpec.constructorBuilder().addModifiers(Modifier.PUBLIC);
    MethodSpec.Builder main = MethodSpec.constructorBuilder().addModifiers(Modifier.PUBLIC);
    for (Arg a : block.args().values()) {
      String n = fields.get(a.name());
      argNames.add(n);
      convenience.addParameter(argType(a), n);
      main.addParameter(argType(a), n);
    }
    String seed = names.newName("seed", "seed parameter");
    main.addParameter(TypeName.LONG, seed);
    convenience.addJavadoc("Builds the block with parameters initialized from seed 0.\n");
    List<CodeBlock> passed = new ArrayList<>();
    argNames.forEach(n -> passed.add(CodeBlock.of("$N", n)));
    passed.add(CodeBlock.of("0L"));
    convenience.addStatement("this($L)", CodeBlock.join(passed, ", "));
    main.addJavadoc("Builds the block and initializes its parameters from {@code $N}: each draws from a\n"
        + "stream named by the seed and its state-dict name.\n", seed);
    for (Arg a : block.args().values()) {
      main.addStatement("this.$N = $N", fields.get(a.name()), fields.get(a.name()));
    }
    for (TensorDecl p : block.params().values()) {
      main.addStatement("$N = registerParameter($S, new $T($T.zeros($L)))", fields.get(p.name()), p.name(),
          RuntimeTypes.PARAMETER, RuntimeTypes.TENSOR, dims(p.shape()));
    }
    for (TensorDecl b : block.buffers().values()) {
      if (b.persistent()) {
        main.addStatement("$N = registerBuffer($S, $T.zeros($L))", fields.get(b.name()), b.name(),
            RuntimeTypes.TENSOR, dims(b.shape()));
      } else {
        main.addStatement("$N = registerBuffer($S, $T.zeros($L), false)", fields.get(b.name()), b.name(),
            RuntimeTypes.TENSOR, dims(b.shape()));
      }
    }
    // Each child block's own initialize is skipped: this one's, below, covers the tree.
    boolean scoped = block.children().stream().anyMatch(JavaGenerator::buildsBlock);
    if (scoped) {
      main.addStatement("beginChildren()").beginControlFlow("try");
    }
    for (Child c : block.children()) {
      Repeats.Run run = runs.get(c);
      if (run != null) {
        if (c.copy().index() == 0) { // block0 .. block3
          main.addStatement("$N = addModules($L, $N -> $L, $N -> $L)", run.field(), run.count(), index,
              run.nameOf(index), index, run.make(index));
        }
      } else if (c.use() instanceof SameAs s) {
        main.addStatement("$N = addModule($S, $L)", fields.get(c.name()), c.name(), childRef(s.target()));
      } else if (c.when() != null) {
        main.addStatement("$N = $L ? addModule($S, $L) : null", fields.get(c.name()),
            ArgCondition.toJava(c.when(), fields::get), c.name(), constructed(c));
      } else {
        main.addStatement("$N = addModule($S, $L)", fields.get(c.name()), c.name(), constructed(c));
      }
    }
    if (scoped) {
      main.nextControlFlow("finally").addStatement("endChildren()").endControlFlow();
    }
    for (Tie t : block.ties()) {
      main.addStatement("tieParameter($S, $S)", t.path(), t.source());
    }
    for (String key : block.ignoredOnLoad()) {
      main.addStatement("ignoreOnLoad($S)", key);
    }
    main.addStatement("initialize($N)", seed);
    type.addMethod(convenience.build());
    type.addMethod(main.build());
  }

  /** Whether building {@code c} builds a generated block (itself, or inside a list, dict or sequential). */
  private static boolean buildsBlock(Child c) {
    if (c.use() instanceof ContainerUse k) {
      return k.children().stream().anyMatch(JavaGenerator::buildsBlock);
    }
    if (c.use() instanceof SequentialUse s) {
      return s.children().stream().anyMatch(JavaGenerator::buildsBlock);
    }
    return c.use() instanceof BlockUse;
  }

  private CodeBlock dims(List<DimRef> refs) {
    List<CodeBlock> parts = new ArrayList<>();
    for (DimRef d : refs) {
      if (d instanceof FixedDim f) {
        parts.add(CodeBlock.of("$L", f.size()));
      } else {
        parts.add(CodeBlock.of("$N", fields.get(((NamedDim) d).name())));
      }
    }
    return CodeBlock.join(parts, ", ");
  }

  /** {@link #construct} of a child of the block, made once. */
  private CodeBlock constructed(Child c) {
    CodeBlock made = built.get(c);
    if (made == null) {
      made = construct(c);
      built.put(c, made);
    }
    return made;
  }

  /** {@code new Linear(20, 256)}, {@code new Block1()}, {@code new Sequential(...)}. */
  private CodeBlock construct(Child c) {
    if (c.use() instanceof BuiltinUse b) {
      return b.kind().construct(new LayerNames(c, b));
    }
    if (c.use() instanceof BlockUse u) {
      Block target = blocks.get(u.blockName());
      List<CodeBlock> args = new ArrayList<>();
      for (Arg a : target.args().values()) {
        args.add(value(u.args().get(a.name())));
      }
      return CodeBlock.of("new $T($L)", blockClass(u.blockName()), CodeBlock.join(args, ", "));
    }
    if (c.use() instanceof ContainerUse k) {
      return containers.construct(c, k);
    }
    SequentialUse s = (SequentialUse) c.use();
    List<CodeBlock> items = new ArrayList<>();
    for (Child k : s.children()) {
      if (k.use() instanceof SameAs) {
        reporter.error(k.pos(), block.name() + ": 'same_as' is only supported in a block's own"
            + " 'sequential' or 'layers', not in an inline sequential");
        continue;
      }
      items.add(construct(k));
    }
    boolean indexed = true;
    for (int i = 0; i < s.children().size(); i++) {
      indexed &= s.children().get(i).name().equals(Integer.toString(i));
    }
    if (indexed && items.size() == s.children().size()) {
      CodeBlock repeated = repeatedSequential(s.children(), items);
      if (repeated != null) {
        return repeated;
      }
    }
    if (!indexed) {
      CodeBlock.Builder chain = CodeBlock.builder().add("new $T()", RuntimeTypes.SEQUENTIAL);
      for (int i = 0; i < s.children().size(); i++) {
        chain.add(".add($S, $L)", s.children().get(i).name(), items.get(i));
      }
      return chain.build();
    }
    return CodeBlock.of("new $T($L)", RuntimeTypes.SEQUENTIAL, CodeBlock.join(items, ", "));
  }

  /**
   * An inline sequential holding a repeat, built with a loop per repeat:
   * {@code new Sequential(new Linear(4, 8)).append(3, i -> new Block())}; null when it holds
   * none that loops.
   */
  private CodeBlock repeatedSequential(List<Child> kids, List<CodeBlock> items) {
    CodeBlock.Builder chain = null;
    List<CodeBlock> head = new ArrayList<>();
    for (int k = 0; k < kids.size(); k++) {
      int n = Repeats.wholeRepeatAt(kids, k);
      CodeBlock make = n > 1 ? Repeats.make(items.subList(k, k + n), index) : null;
      if (make != null) {
        if (chain == null) {
          chain = CodeBlock.builder().add("new $T($L)", RuntimeTypes.SEQUENTIAL, CodeBlock.join(head, ", "));
        }
        chain.add(".append($L, $N -> $L)", n, index, make);
        k += n - 1;
      } else if (chain == null) {
        head.add(items.get(k));
      } else {
        chain.add(".append($L)", items.get(k));
      }
    }
    return chain == null ? null : chain.build();
  }

  /** What a layer kind's {@code construct} sees of one child: its arguments as Java. */
  private final class LayerNames implements LayerKind.Names {
    private final Child child;
    private final BuiltinUse use;

    LayerNames(Child child, BuiltinUse use) {
      this.child = child;
      this.use = use;
    }

    @Override
    public boolean has(String arg) {
      return use.args().containsKey(arg);
    }

    @Override
    public Object literal(String arg) {
      return use.args().get(arg) instanceof Literal l ? l.value() : null;
    }

    @Override
    public CodeBlock value(String arg) {
      return JavaGenerator.this.value(use.args().get(arg));
    }

    @Override
    public Map<String, Dim> inferred() {
      return result.inferred(use);
    }

    @Override
    public void error(String message) {
      reporter.error(child.pos(), block.name() + "." + child.name() + " (" + typeLabel(child) + "): " + message);
    }

    @Override
    public CodeBlock inferredValue(InferredArg a) {
      Dim d = inferred().get(a.name());
      if (d == null) {
        error(a.what() + " are unknown");
        return null;
      }
      if (d instanceof Dim.Known k) {
        return CodeBlock.of("$L", k.size());
      }
      if (d instanceof Dim.Sym s && block.args().containsKey(s.name()) && fields.containsKey(s.name())) {
        return CodeBlock.of("$N", fields.get(s.name()));
      }
      String overArgs = d.isLazy() ? null
          : d.toJava(n -> block.args().containsKey(n) ? fields.get(n) : null); // 4 * nEmbd
      if (overArgs != null) {
        return CodeBlock.of("$L", overArgs);
      }
      if (d.isLazy()) {
        error(a.what() + " are known only at the first forward, and " + typeLabel(child)
            + " cannot wait for them; give '" + a.name() + "' or a number in the input's " + a.where());
      } else {
        error(a.what() + " '" + d + "' are symbolic; the input's " + a.where() + " must be a number"
            + (a.lazy() ? ", an int argument or \"?\"" : " or an int argument"));
      }
      return null;
    }
  }

  /** What the forward writer reads of the containers: Java access paths and item types. */
  private final class ModuleAccess implements ForwardWriter.Modules {
    @Override
    public CodeBlock access(List<String> path) {
      Child c = findChild(path.get(0));
      CodeBlock.Builder out = CodeBlock.builder().add("$N", fields.get(path.get(0)));
      for (int i = 1; i < path.size(); i++) {
        ContainerUse k = (ContainerUse) c.use();
        out.add(".$N", containers.entryField(k, path.get(i)));
        c = member(k, path.get(i));
      }
      return out.build();
    }

    @Override
    public TypeName itemType(List<String> path) {
      Child c = findChild(path.get(0));
      for (int i = 1; i < path.size(); i++) {
        c = member((ContainerUse) c.use(), path.get(i));
      }
      return containers.itemType((ContainerUse) c.use());
    }

    private Child member(ContainerUse k, String name) {
      return k.children().stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
    }
  }

  /** A layer or block argument: a literal or an argument field. */
  private CodeBlock value(Value v) {
    if (v instanceof ArgRef r) {
      return CodeBlock.of("$N", fields.get(r.name()));
    }
    if (v instanceof ArgExpr e) {
      return CodeBlock.of("$L", ArgCondition.toJava(e.expr(), fields::get));
    }
    Object o = ((Literal) v).value();
    if (o instanceof Long n) {
      return CodeBlock.of("$L", n.intValue());
    }
    if (o instanceof Double d) {
      return CodeBlock.of("$L", JavaText.doubleLiteral(d));
    }
    if (o instanceof Boolean bo) {
      return CodeBlock.of("$L", bo.booleanValue());
    }
    if (o instanceof String str) {
      return CodeBlock.of("$S", str);
    }
    throw new IllegalStateException("unexpected literal " + o);
  }

  // ------------------------------------------------------------------ init

  /**
   * Most initializer statements in one method: each is under 40 bytes of bytecode, so a
   * method of them stays far below the JVM's 64 KB limit; more go to {@code resetParameters0},
   * {@code resetParameters1}, ... (a rule matching every copy of a large repeat).
   */
  private static final int INIT_STEPS_PER_METHOD = 1000;

  private void resetParameters(TypeSpec.Builder type) {
    String seeds = "seeds";
    List<CodeBlock> steps = new ArrayList<>();
    for (TensorDecl p : block.params().values()) {
      steps.add(statement(init(p.init(), CodeBlock.of("$N.data()", fields.get(p.name())), CodeBlock.of("$S", p.name()), seeds)));
    }
    for (TensorDecl b : block.buffers().values()) {
      steps.add(statement(init(b.init(), CodeBlock.of("$N", fields.get(b.name())), CodeBlock.of("$S", b.name()), seeds)));
    }
    for (InitRule rule : block.initRules()) {
      List<InitRules.Match> matches = InitRules.match(rule, result.inst(), new Reporter(), block.name());
      for (InitRules.Match m : matches == null ? List.<InitRules.Match>of() : matches) {
        steps.add(statement(init(rule.init(), target(m.path()), CodeBlock.of("$S", m.path()), seeds)));
      }
    }
    for (Child c : block.children()) {
      Map<String, InitSpec> inits = c.init();
      Repeats.Run run = runs.get(c);
      if (run != null && !inits.isEmpty() && c.copy().index() == 0) {
        steps.add(repeatInits(run, inits, seeds));
      } else if (run == null) {
        nestedInits(c, c.name() + ".", steps, seeds);
      }
    }
    if (steps.isEmpty()) {
      return;
    }
    MethodSpec.Builder reset = MethodSpec.methodBuilder("resetParameters")
        .addJavadoc("Applies the spec's initializers; runs after the children's defaults.\n")
        .addAnnotation(Override.class)
        .addModifiers(Modifier.PROTECTED)
        .addParameter(RuntimeTypes.PARAMETER_SEEDS, seeds);
    if (steps.size() <= INIT_STEPS_PER_METHOD) {
      steps.forEach(reset::addCode);
    } else {
      for (int k = 0; k * INIT_STEPS_PER_METHOD < steps.size(); k++) {
        String part = names.newName("resetParameters" + k);
        MethodSpec.Builder m = MethodSpec.methodBuilder(part)
            .addJavadoc("Initializers $L to $L of {@code resetParameters}.\n", k * INIT_STEPS_PER_METHOD,
                Math.min(steps.size(), (k + 1) * INIT_STEPS_PER_METHOD) - 1)
            .addModifiers(Modifier.PRIVATE)
            .addParameter(RuntimeTypes.PARAMETER_SEEDS, seeds);
        steps.subList(k * INIT_STEPS_PER_METHOD, Math.min(steps.size(), (k + 1) * INIT_STEPS_PER_METHOD))
            .forEach(m::addCode);
        type.addMethod(m.build());
        reset.addStatement("$N($N)", part, seeds);
      }
    }
    type.addMethod(reset.build());
  }

  /**
   * The initializers of child {@code c} (path {@code prefix}) and, inside an inline sequential,
   * module_list or module_dict, of every layer in it ({@code body.0.weight}).
   */
  private void nestedInits(Child c, String prefix, List<CodeBlock> steps, String seeds) {
    for (Map.Entry<String, InitSpec> e : c.init().entrySet()) {
      String path = prefix + e.getKey();
      steps.add(statement(init(e.getValue(), target(path), CodeBlock.of("$S", path), seeds)));
    }
    List<Child> nested = c.use() instanceof SequentialUse s ? s.children()
        : c.use() instanceof ContainerUse k ? k.children() : List.of();
    for (Child n : nested) {
      nestedInits(n, prefix + n.name() + ".", steps, seeds);
    }
  }

  private static CodeBlock statement(CodeBlock expression) {
    return CodeBlock.builder().addStatement(expression).build();
  }

  /** A repeat's child initializers, one loop over its copies. */
  private CodeBlock repeatInits(Repeats.Run run, Map<String, InitSpec> inits, String seeds) {
    CodeBlock.Builder body = CodeBlock.builder();
    Child head = run.copies().get(0);
    body.beginControlFlow("for (int $N = 0; $N < $L; $N++)", index, index, run.count(), index);
    for (Map.Entry<String, InitSpec> e : inits.entrySet()) {
      CodeBlock path = CodeBlock.of("$L + $S", run.nameOf(index), "." + e.getKey());
      CodeBlock tensor = head.use() instanceof BuiltinUse b && b.kind().params().contains(e.getKey())
          ? CodeBlock.of("$N.get($N).$N.data()", run.field(), index, e.getKey())
          : CodeBlock.of("getParameter($L).data()", path);
      body.addStatement(init(e.getValue(), tensor, path, seeds));
    }
    return body.endControlFlow().build();
  }

  /** The tensor at a parameter path: a direct layer field when there is one. */
  private CodeBlock target(String path) {
    int dot = path.indexOf('.');
    if (dot > 0 && path.indexOf('.', dot + 1) < 0) {
      String child = path.substring(0, dot);
      String param = path.substring(dot + 1);
      Child c = findChild(child);
      if (c != null && !runs.containsKey(c) && c.use() instanceof BuiltinUse b && b.kind().params().contains(param)) {
        return CodeBlock.of("$N.$N.data()", fields.get(child), param);
      }
    }
    return CodeBlock.of("getParameter($S).data()", path);
  }

  private Child findChild(String name) {
    for (Child c : block.children()) {
      if (c.name().equals(name)) {
        return c.use() instanceof SameAs s ? findChild(s.target()) : c;
      }
    }
    return null;
  }

  private CodeBlock init(InitSpec init, CodeBlock tensor, CodeBlock name, String seeds) {
    CodeBlock gen = CodeBlock.of("$N.generator($L)", seeds, name);
    switch (init.kind()) {
      case "zeros":
        return CodeBlock.of("$T.zeros_($L)", RuntimeTypes.INIT, tensor);
      case "ones":
        return CodeBlock.of("$T.ones_($L)", RuntimeTypes.INIT, tensor);
      case "constant":
        return CodeBlock.of("$T.constant_($L, $L)", RuntimeTypes.INIT, tensor, JavaText.doubleLiteral(init.a()));
      case "normal":
        return CodeBlock.of("$T.normal_($L, $L, $L, $L)", RuntimeTypes.INIT, tensor,
            JavaText.doubleLiteral(init.a()), JavaText.doubleLiteral(init.b()), gen);
      case "uniform":
        return CodeBlock.of("$T.uniform_($L, $L, $L, $L)", RuntimeTypes.INIT, tensor,
            JavaText.doubleLiteral(init.a()), JavaText.doubleLiteral(init.b()), gen);
      case "xavier_uniform":
        return CodeBlock.of("$T.xavierUniform_($L, $L)", RuntimeTypes.INIT, tensor, gen);
      case "xavier_normal":
        return CodeBlock.of("$T.xavierNormal_($L, $L)", RuntimeTypes.INIT, tensor, gen);
      case "kaiming_uniform":
        return CodeBlock.of("$T.kaimingUniform_($L, $L)", RuntimeTypes.INIT, tensor, gen);
      case "kaiming_normal":
        return CodeBlock.of("$T.kaimingNormal_($L, $L)", RuntimeTypes.INIT, tensor, gen);
      case "java":
        return CodeBlock.of("$T.$N($L, $L)", ClassName.bestGuess(init.javaClass()), init.javaMethod(), tensor, gen);
      default:
        throw new IllegalStateException("unknown initializer " + init.kind());
    }
  }

  // ------------------------------------------------------------------ modes

  /**
   * {@code train(mode)}, {@code train()} and {@code eval()} returning this class, so that
   * {@code Mlp net = new Mlp().eval();} compiles.
   */
  private static void modes(TypeSpec.Builder type, ClassName self) {
    type.addMethod(MethodSpec.methodBuilder("train")
        .addJavadoc("Sets training mode here and in every child; returns this block, so calls chain.\n")
        .addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC)
        .returns(self)
        .addParameter(TypeName.BOOLEAN, "mode")
        .addStatement("super.train(mode)")
        .addStatement("return this")
        .build());
    type.addMethod(MethodSpec.methodBuilder("train")
        .addJavadoc("Sets training mode ({@code train(true)}); returns this block.\n")
        .addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC)
        .returns(self)
        .addStatement("return train(true)")
        .build());
    type.addMethod(MethodSpec.methodBuilder("eval")
        .addJavadoc("Sets evaluation mode ({@code train(false)}); returns this block.\n")
        .addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC)
        .returns(self)
        .addStatement("return train(false)")
        .build());
  }

  // ------------------------------------------------------------------ forward

  private void forward(TypeSpec.Builder type) {
    NameAllocator buffered = names.clone();
    try {
      bufferedForward(type, buffered);
      return;
    } catch (Workspace.Unsupported unsupported) {
      // typed, or some step has no allocation-free form
    }
    if (TypedForward.needed(block, result)) {
      try {
        TypedBuffered.add(type, typedContext(), intArgs(), names.clone());
        return;
      } catch (Workspace.Unsupported unsupported) {
        // some step has no allocation-free form: every step allocates
      }
    }
    allocatingForward(type);
  }

  /** What {@link TypedBuffered} reads of this generator. */
  private TypedBuffered.Context typedContext() {
    return new TypedBuffered.Context(block, result, fields, ClassName.get(packageName, block.name()), names::clone,
        (locals, ws) -> {
          ForwardWriter w = new ForwardWriter(result, fields, new LinkedHashSet<>(block.params().keySet()), locals, ws);
          w.modules(new ModuleAccess());
          w.tupleChildren(tupleChildren());
          return w;
        }, instanceArgs);
  }

  /** The Java field of each int argument, by spec name: sizes a workspace may read. */
  private Map<String, String> intArgs() {
    Map<String, String> intArgs = new LinkedHashMap<>();
    for (Arg a : block.args().values()) {
      if (a.type() == ArgType.INT) {
        intArgs.put(a.name(), fields.get(a.name()));
      }
    }
    return intArgs;
  }

  /** {@code forward(x)} with every step allocating its result: the fallback. */
  private void allocatingForward(TypeSpec.Builder type) {
    NameAllocator locals = names.clone();
    ForwardWriter writer = new ForwardWriter(result, fields, new LinkedHashSet<>(block.params().keySet()),
        locals, null);
    writer.modules(new ModuleAccess());
    writer.tupleChildren(tupleChildren());
    ClassName self = ClassName.get(packageName, block.name());
    if (TypedForward.needed(block, result) && block.forward() != null) {
      List<String> params = writer.inputs();
      String position = block.position() == null ? null : writer.position();
      CodeBlock body = writer.body(block.forward());
      if (position == null) { // a decoder's cache is its caller's conversation: never another replica's
        body = Serving.claimAround(self, TypedForward.method(result.outputType() instanceof Type.TupleT,
            params.size()), params, body, locals.newName("free"));
      }
      TypedForward.add(type, block, result, params, position, body, fields);
      if (position == null && !(result.outputType() instanceof Type.TupleT) && params.size() > 1) {
        TypedForward.intoByCopy(type, block, params); // what a buffered parent calls
      }
      return;
    }
    type.addMethod(allocatingSteps(writer, locals, forwardMethod(writer.input(), ""), "forward").build());
  }

  /**
   * {@code forwardRecorded(x)}, beside a buffered forward: the same steps each allocating its
   * result, so that every operation records for a backward pass ({@code forward(x)} takes it
   * when {@code records(x)}).
   */
  private void recordedForward(TypeSpec.Builder type) {
    NameAllocator locals = names.clone();
    ForwardWriter writer = new ForwardWriter(result, fields, new LinkedHashSet<>(block.params().keySet()),
        locals, null);
    writer.modules(new ModuleAccess());
    writer.tupleChildren(tupleChildren());
    writer.decideWith(instanceArgs); // inspect's instance: the branch not taken was never typed
    String x = writer.input();
    type.addMethod(allocatingSteps(writer, locals, MethodSpec.methodBuilder(RECORDED)
        .addModifiers(Modifier.PRIVATE)
        .returns(RuntimeTypes.TENSOR)
        .addParameter(RuntimeTypes.TENSOR, x)
        .addJavadoc(JavaText.javadocOwn("The forward for a backward pass, each step allocating its result, which"
            + " records\nthe operation (its {@code grad_fn}): input {@code " + JavaText.shapeComment(result.input())
            + "}, output\n{@code " + JavaText.shapeComment(result.output()) + "}.")), RECORDED)
        .build());
  }

  /** The name of the recording forward a buffered block keeps beside {@code forward(x, output)}. */
  static final String RECORDED = "forwardRecorded";

  /**
   * Adds to {@code m}, the method {@code name}, the forward's steps, each allocating its result,
   * inside the claim of the instance that sends a concurrent call to a free replica (the
   * recording forward too: children such as an LSTM, a convolution or an embedding keep what
   * their backward needs in buffers of their own, one thread at a time).
   */
  private MethodSpec.Builder allocatingSteps(ForwardWriter writer, NameAllocator locals,
      MethodSpec.Builder m, String name) {
    ClassName self = ClassName.get(packageName, block.name());
    String x = writer.input();
    if (block.forward() != null) {
      CodeBlock body = writer.body(block.forward());
      m.addCode(Serving.claimAround(self, name, List.of(x), body, locals.newName("free")));
    } else {
      CodeBlock.Builder body = CodeBlock.builder();
      for (Child c : block.children()) {
        Repeats.Run run = runs.get(c);
        if (run != null) {
          if (c.copy().index() == 0) {
            String item = locals.newName(run.item());
            body.beginControlFlow("for ($T $N : $N)", run.type(), item, run.field())
                .add("$N = $N.forward($N); // $L\n", x, item, x, JavaText.shapeComment(run.output()))
                .endControlFlow();
          }
          continue;
        }
        Inst built = result.inst().children.get(c.name());
        String shape = built != null && built.output != null ? JavaText.shapeComment(built.output) : "(...)";
        body.add("$N = $N.forward($N); // $L\n", x, fields.get(c.name()), x, shape);
      }
      body.addStatement("return $N", x);
      m.addCode(Serving.claimAround(self, name, List.of(x), body.build(), locals.newName("free")));
    }
    return m;
  }

  /** How the forward calls each child whose result is a tuple (an LSTM, a block returning one). */
  private Map<String, Tuples.Call> tupleChildren() {
    Map<String, Tuples.Call> out = new LinkedHashMap<>();
    for (Child c : block.children()) {
      Child made = findChild(c.name());
      Inst built = result.inst().children.get(c.name());
      if (made.use() instanceof BuiltinUse b && !b.kind().outputAccessors().isEmpty()) {
        out.put(c.name(), new Tuples.Call(RuntimeTypes.layer(b.kind().runtimeClass()).nestedClass("Output"),
            b.kind().forwardMethod(),
            b.kind().outputAccessors(), b.kind().tupleIntoMethod()));
      } else if (made.use() instanceof BlockUse u && blocks.get(u.blockName()) != null) {
        Type t = built == null ? null : built.outputType;
        if (t instanceof Type.TupleT tuple) {
          out.put(c.name(), new Tuples.Call(blockClass(u.blockName()).nestedClass("Output"),
              Tuples.BLOCK_METHOD, Tuples.components(blocks.get(u.blockName()), tuple.leaves().size()), null));
        }
      }
    }
    return out;
  }

  private MethodSpec.Builder forwardMethod(String x, String more) {
    return MethodSpec.methodBuilder("forward")
        .addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC)
        .returns(RuntimeTypes.TENSOR)
        .addParameter(RuntimeTypes.TENSOR, x)
        .addJavadoc(JavaText.javadocOwn("Input {@code " + JavaText.shapeComment(result.input())
            + "}, output {@code " + JavaText.shapeComment(result.output() == null ? Shape.ANY : result.output())
            + "}." + more));
  }

  /**
   * The float32 bytes of the buffers {@code block}'s generated {@code forward(x, output)} keeps
   * for {@code result}'s input (the same plan as {@link #generate}), -1 while a buffer's size
   * is symbolic; empty when the block has no such forward (each step allocates instead).
   */
  public static OptionalLong workspaceBytes(Block block, Result result, Map<String, Object> args,
      Map<String, Block> blocks, String packageName) {
    JavaGenerator g = new JavaGenerator(block, result, blocks, packageName, "", new Reporter());
    g.instanceArgs = args;
    g.allocate();
    TypeSpec.Builder scratch = TypeSpec.classBuilder(block.name());
    g.fields(scratch); // the module dicts' fields, which a for loop over transformer.h reads
    g.constructors(scratch);
    try {
      return OptionalLong.of(
          g.bufferedForward(scratch, g.names.clone()).bytes());
    } catch (Workspace.Unsupported unsupported) {
      // typed, or allocating
    }
    try {
      return TypedForward.needed(block, result) ? OptionalLong.of(TypedBuffered.add(scratch,
          g.typedContext(), g.intArgs(), g.names.clone()).bytes()) : OptionalLong.empty();
    } catch (Workspace.Unsupported unsupported) {
      return OptionalLong.empty();
    }
  }

  /**
   * {@code forward(x, output)} with every intermediate in a workspace buffer, and
   * {@code forward(x)} allocating only its result; throws {@link Workspace.Unsupported} (before
   * touching {@code type}) when some step has no allocation-free form.
   */
  private Workspace bufferedForward(TypeSpec.Builder type, NameAllocator local) {
    if (block.input() == null || result.output() == null || !result.input().knownRank()
        || TypedForward.needed(block, result)) {
      // Without a declared input the block takes whatever shapes its caller gives.
      throw new Workspace.Unsupported("no input contract, or an unknown output shape");
    }
    Workspace ws = new Workspace(block.name(), result.input(), intArgs(), local);
    ForwardWriter writer = new ForwardWriter(result, fields, new LinkedHashSet<>(block.params().keySet()),
        local, ws);
    writer.modules(new ModuleAccess()); // transformer.wte(x), h[0](x), for block in h
    writer.decideWith(instanceArgs);
    String x = writer.input();
    String output = writer.output();
    // One thread at a time: a second concurrent call throws instead of sharing the buffers.
    CodeBlock.Builder body = CodeBlock.builder()
        .addStatement("enterForward()")
        .beginControlFlow("try")
        .addStatement("workspace($N)", x);
    if (block.forward() != null) {
      body.add(writer.body(block.forward()));
    } else {
      sequentialInto(body, ws, x, output, local);
    }
    body.nextControlFlow("finally").addStatement("exitForward()").endControlFlow();
    CodeBlock outputDims = ws.dimsOf(result.output(), x);
    String outShape = JavaText.shapeComment(result.output());
    type.addMethod(forwardMethod(x, " Allocates the result; the\nintermediates live in buffers"
        + " reused while the input's size stays the same. Safe from\nany number of threads: a call"
        + " while another thread is inside this instance runs on a\nfree {@link #replica()}. While"
        + " recording for a backward pass ({@code records(x)}:\ngrad mode on, and {@code x} or a"
        + " parameter requires grad), every step allocates\nand records instead ({@link #"
        + RECORDED + "}).")
        .addStatement("checkInput($N)", x)
        .beginControlFlow("if (records($N))", x)
        .addStatement("return $N($N)", RECORDED, x)
        .endControlFlow()
        .addStatement("return concurrentForward($N, $T.zeros($L))", x, RuntimeTypes.TENSOR, outputDims)
        .build());
    type.addMethod(MethodSpec.methodBuilder("forward")
        .addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC)
        .returns(RuntimeTypes.TENSOR)
        .addParameter(RuntimeTypes.TENSOR, x)
        .addParameter(RuntimeTypes.TENSOR, output)
        .addJavadoc(JavaText.javadocOwn("Input {@code " + JavaText.shapeComment(result.input())
            + "}; writes the output into {@code " + output + "} (shape {@code " + outShape
            + "}, sharing\nno storage with {@code " + x + "}) and returns it. Allocates nothing once"
            + " the buffers are sized\nfor this input's size and the tensors are contiguous."
            + " One thread at a time: the buffers\nbelong to this instance, and a call while"
            + " another thread's runs throws\n{@link IllegalStateException} (give each thread a"
            + " {@link #replica()}). Never records for a backward pass: the inference path."))
        .addCode(body.build())
        .build());
    recordedForward(type);
    ws.addTo(type, x);
    return ws;
  }

  /** A sequential block's forward: each child writes into its buffer, the last into the output. */
  private void sequentialInto(CodeBlock.Builder body, Workspace ws, String x, String output, NameAllocator local) {
    List<Child> children = block.children();
    if (children.isEmpty()) {
      body.addStatement("return $N.copyInto($N)", x, output);
      return;
    }
    CodeBlock in = CodeBlock.of("$N", x);
    String h = null; // the loops' running value
    for (int i = 0; i < children.size(); i++) {
      Repeats.Run run = runs.get(children.get(i));
      if (run != null) {
        ws.read(in.toString());
        if (h == null) {
          h = local.newName("h");
          body.addStatement("$T $N = $L", RuntimeTypes.TENSOR, h, in);
        } else {
          body.addStatement("$N = $L", h, in);
        }
        in = repeatInto(body, ws, run, h, i + run.count() == children.size() ? output : null);
        i += run.count() - 1;
        continue;
      }
      // A layer, the norm it absorbs and the activation its epilogue runs: one call.
      LayerKind kind = fusingKind(children.get(i));
      Child norm = kind != null && i + 1 < children.size() && fusingKind(children.get(i + 1)) != null
          && kind.absorbsNorm(fusingKind(children.get(i + 1))) ? children.get(i + 1) : null;
      int next = i + (norm != null ? 2 : 1);
      String activation = kind != null && next < children.size() && !runs.containsKey(children.get(next))
          && kind.fusesActivation(activation(children.get(next))) ? activation(children.get(next)) : null;
      int last = next - 1 + (activation != null ? 1 : 0); // the step whose output this writes
      Child c = children.get(last);
      Inst built = result.inst().children.get(c.name());
      if (built == null || built.output == null) {
        throw new Workspace.Unsupported("child " + c.name() + " has no known output");
      }
      CodeBlock child = CodeBlock.of("$N", fields.get(children.get(i).name()));
      ws.read(in.toString()); // the previous step's buffer, or the input
      String dest = c == children.get(children.size() - 1) ? output : ws.buffer(fields.get(c.name()) + "Out", built.output);
      CodeBlock call = last == i ? CodeBlock.of("$L.forward($L, $N)", child, in, dest)
          : kind.epilogueInto(child, in, norm == null ? null : CodeBlock.of("$N", fields.get(norm.name())), activation,
              null, CodeBlock.of("$N", dest));
      List<String> fused = new ArrayList<>();
      for (int j = i; j <= last; j++) {
        fused.add(children.get(j).name());
      }
      String comment = JavaText.shapeComment(built.output) + (last == i ? ""
          : ": " + String.join(", ", fused.subList(0, fused.size() - 1)) + " and " + fused.get(fused.size() - 1)
              + (norm != null ? ", the batch norm folded in eval mode" : "")
              + (activation != null ? ", the " + ((BuiltinUse) c.use()).kind().runtimeClass() + " fused" : ""));
      body.add(dest.equals(output) ? "return $L; // $L\n" : "$L; // $L\n", call, comment);
      ws.tick();
      in = CodeBlock.of("$N", dest);
      i = last;
    }
  }

  /**
   * A repeat's copies in a loop, each reading the previous one's buffer and writing the other
   * of two (the last copy writing {@code output} when the repeat ends the block); returns the
   * buffer the last copy wrote.
   */
  private CodeBlock repeatInto(CodeBlock.Builder body, Workspace ws, Repeats.Run run, String h, String output) {
    int n = run.count();
    String even = ws.buffer(run.field() + "Out", run.output());
    String odd = output == null || n > 2 ? ws.buffer(run.field() + "Out", run.output()) : null;
    ws.read(even);
    if (odd != null) {
      ws.read(odd);
    }
    String i = index; // free in the forward: only lambdas in the constructor take it
    CodeBlock alternate = odd == null ? CodeBlock.of("$N", even) : CodeBlock.of("$N % 2 == 0 ? $N : $N", i, even, odd);
    CodeBlock dest = output == null ? alternate : CodeBlock.of("$N == $L ? $N : $L", i, n - 1, output, alternate);
    body.beginControlFlow("for (int $N = 0; $N < $L; $N++)", i, i, n, i)
        .add("$N = $N.get($N).forward($N, $L); // $L, children $L\n", h, run.field(), i, h, dest,
            JavaText.shapeComment(run.output()), run.names())
        .endControlFlow();
    ws.tick();
    if (output != null) {
      body.addStatement("return $N", h);
      return CodeBlock.of("$N", output);
    }
    return CodeBlock.of("$N", (n - 1) % 2 == 0 ? even : odd);
  }

  /** The kind of {@code c} when it is a builtin layer that is not lazy (nor a repeat's copy), else null. */
  private LayerKind fusingKind(Child c) {
    return c.use() instanceof BuiltinUse b && !result.lazy(b) && !runs.containsKey(c) ? b.kind() : null;
  }

  /** The activation {@code c} is (not shared), or null. */
  private static String activation(Child c) {
    return c.use() instanceof BuiltinUse b ? b.kind().activation() : null;
  }
}
