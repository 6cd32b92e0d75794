package dev.netspec.compiler;

import dev.netspec.compiler.check.Checker;
import dev.netspec.compiler.check.Model.Arg;
import dev.netspec.compiler.check.Model.Block;
import dev.netspec.compiler.check.Model.BlockUse;
import dev.netspec.compiler.check.Model.SpecFile;
import dev.netspec.compiler.check.Names;
import dev.netspec.compiler.check.TrainSpec;
import dev.netspec.compiler.diag.Reporter;
import dev.netspec.compiler.infer.Dim;
import dev.netspec.compiler.infer.Inference;
import dev.netspec.compiler.infer.Inst;
import dev.netspec.compiler.infer.Shape;
import dev.netspec.compiler.infer.Type;
import dev.netspec.compiler.inspect.ForwardGraph;
import dev.netspec.compiler.inspect.ForwardWorkspace;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The outcome of one {@link Compiler#compile}: diagnostics, generated files, and inspection. */
public final class Compilation {
  private final List<Diagnostic> diagnostics;
  private final List<GeneratedFile> files;
  private final List<SpecFile> specs;
  private final Map<Path, List<Path>> imports;

  Compilation(List<Diagnostic> diagnostics, List<GeneratedFile> files, List<SpecFile> specs,
      Map<Path, List<Path>> imports) {
    this.diagnostics = List.copyOf(diagnostics);
    this.files = List.copyOf(files);
    this.specs = List.copyOf(specs);
    this.imports = Map.copyOf(imports);
  }

  /**
   * The spec files {@code spec} imports, directly or not (each once, nearest first), as the
   * compiler resolved them: what a build must watch to know when to regenerate {@code spec}'s
   * classes. Empty for a spec without imports or one that was not checked.
   */
  public List<Path> imports(Path spec) {
    return imports.getOrDefault(spec.toAbsolutePath().normalize(), List.of());
  }

  /** Every diagnostic, sorted by file, line and column. */
  public List<Diagnostic> diagnostics() {
    return diagnostics;
  }

  /** Whether any diagnostic is an error. */
  public boolean hasErrors() {
    return diagnostics.stream().anyMatch(d -> d.severity() == Diagnostic.Severity.ERROR);
  }

  /** The generated sources, sorted by relative path; empty when {@link #hasErrors()}. */
  public List<GeneratedFile> files() {
    return files;
  }

  /**
   * The one block of {@code spec} that no other block uses and that takes no arguments (what
   * {@code run} builds by default), or null if there is none or more than one.
   */
  public String defaultBlock(Path spec) {
    for (SpecFile f : specs) {
      if (!f.path().toAbsolutePath().normalize().equals(spec.toAbsolutePath().normalize())) {
        continue;
      }
      Set<String> used = new LinkedHashSet<>();
      for (Block b : f.blocks()) {
        for (BlockUse u : Checker.blockUses(b.children())) {
          used.add(u.blockName());
        }
      }
      List<String> roots = new ArrayList<>();
      for (Block b : f.blocks()) {
        if (!used.contains(b.name()) && b.args().isEmpty()) {
          roots.add(b.name());
        }
      }
      return roots.size() == 1 ? roots.get(0) : null;
    }
    return null;
  }

  /**
   * The {@code train:} section of {@code spec} (how {@code netspec train} trains its blocks),
   * checked, or null when the file has none.
   */
  public TrainSpec train(Path spec) {
    for (SpecFile f : specs) {
      if (f.path().toAbsolutePath().normalize().equals(spec.toAbsolutePath().normalize())) {
        return f.train();
      }
    }
    return null;
  }

  /**
   * Inspects {@code block} at {@code inputShape} (null: its declared input, symbolic dims
   * kept as names).
   *
   * @throws IllegalArgumentException if the compilation has errors, the block does not
   *     exist, or the input shape does not fit the block; the message says which
   */
  public Inspection inspect(String block, int[] inputShape) {
    return inspect(block, Map.of(), inputShape);
  }

  /**
   * The arguments of {@code block} ({@code args:}) in declaration order, each with its type:
   * {@code int}, {@code float} or {@code bool}; empty for a block without arguments.
   *
   * @throws IllegalArgumentException if the block does not exist
   */
  public Map<String, String> args(String block) {
    Map<String, String> args = new LinkedHashMap<>();
    for (Arg a : find(block).block().args().values()) {
      args.put(a.name(), a.type().name().toLowerCase(Locale.ROOT));
    }
    return args;
  }

  /**
   * Inspects {@code block} with the values of some of its {@link #args arguments}: an Integer
   * for an int, a Double for a float, a Boolean for a bool. The arguments left out stay
   * symbolic, as when the block is inspected on its own.
   *
   * @throws IllegalArgumentException as {@link #inspect(String, int[])}, or for an argument
   *     the block does not have or a value of the wrong type
   */
  public Inspection inspect(String block, Map<String, Object> args, int[] inputShape) {
    if (hasErrors()) {
      throw new IllegalArgumentException("cannot inspect: the specs have errors");
    }
    Found found = find(block);
    Map<String, Object> env = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : args.entrySet()) {
      Arg a = found.block().args().get(e.getKey());
      Object v = e.getValue();
      if (a == null) {
        throw new IllegalArgumentException(block + " has no argument '" + e.getKey() + "'");
      }
      switch (a.type()) {
        case INT -> env.put(a.name(), Dim.of((Integer) typed(block, a, v, Integer.class)));
        case FLOAT -> env.put(a.name(), typed(block, a, v, Double.class));
        case BOOL -> env.put(a.name(), typed(block, a, v, Boolean.class));
        default -> throw new AssertionError(a.type());
      }
    }
    return inspect(found.file(), found.block(), env, inputShape);
  }

  private static Object typed(String block, Arg a, Object v, Class<?> type) {
    if (!type.isInstance(v)) {
      throw new IllegalArgumentException(block + ": argument '" + a.name() + "' must be a "
          + a.type().name().toLowerCase(Locale.ROOT) + ", got " + v);
    }
    return v;
  }

  private record Found(SpecFile file, Block block) {}

  private Found find(String block) {
    for (SpecFile f : specs) {
      for (Block b : f.blocks()) {
        if (b.name().equals(block)) {
          return new Found(f, b);
        }
      }
    }
    List<String> names = new ArrayList<>();
    specs.forEach(f -> f.blocks().forEach(b -> names.add(b.name())));
    throw new IllegalArgumentException(noBlockNamed(block, names));
  }

  /**
   * Why {@code block} is none of {@code names}, with the closest one: {@code no block named
   * 'mlp'; did you mean 'Mlp'? (the blocks are Mlp, TwoLayer)}; what {@link #inspect} and the
   * CLI's {@code --block} say.
   */
  public static String noBlockNamed(String block, List<String> names) {
    return "no block named '" + block + "'" + Names.suggest(block, names)
        + (names.isEmpty() ? "" : " (the blocks are " + String.join(", ", names) + ")");
  }

  private static Inspection inspect(SpecFile f, Block b, Map<String, Object> args,
      int[] inputShape) {
    Reporter reporter = new Reporter();
    Shape input = null;
    if (inputShape != null) {
      List<Dim> dims = new ArrayList<>();
      for (int d : inputShape) {
        if (d <= 0) {
          throw new IllegalArgumentException("input shape sizes must be positive, got " + d);
        }
        dims.add(Dim.of(d));
      }
      input = new Shape(dims);
    }
    Inference.Result r = Inference.inspect(f.scope(), b, args, input, reporter);
    if (r == null || reporter.hasErrors()) {
      List<String> messages = new ArrayList<>();
      reporter.sorted().forEach(d -> messages.add(d.format()));
      throw new IllegalArgumentException(messages.isEmpty()
          ? b.name() + ": cannot inspect at this input shape" : String.join("\n", messages));
    }
    Inst root = r.inst();
    // Without an input shape, the freshly built module's repr (a lazy layer prints as
    // LazyLinear(in_features=0, ...)); with one, the repr after a forward at that shape, which
    // has materialized the lazy layers (Linear(in_features=20, ...)), as PyTorch prints them.
    String repr = root.repr();
    List<Inspection.StateEntry> state = new ArrayList<>();
    for (Map.Entry<String, Shape> e : root.stateDict().entrySet()) {
      state.add(new Inspection.StateEntry(e.getKey(), e.getValue().toValues()));
    }
    List<Inspection.LayerRow> rows = new ArrayList<>();
    for (Map.Entry<String, Inst> e : root.namedModules().entrySet()) {
      if (e.getKey().isEmpty()) {
        continue;
      }
      Inst m = e.getValue();
      rows.add(new Inspection.LayerRow(e.getKey(), m.kind,
          m.output == null ? List.of() : m.output.toValues(), m.parameterCount()));
    }
    long params = root.parameterCount();
    Shape out = r.output() == null ? Shape.ANY : r.output();
    long flops = r.flops();
    if (!r.input().concrete()) {
      flops = -1;
    }
    ForwardGraph graph = ForwardGraph.of(f.scope(), r, args);
    List<Inspection.Port> inputs = new ArrayList<>();
    r.inputs().forEach((n, t) -> inputs.add(port(n, t)));
    List<Inspection.Port> outputs = new ArrayList<>();
    if (r.outputType() != null) {
      outputs(r.outputType(), "y", outputs);
    }
    return new Inspection(b.name(), valuesOrNull(r.input()), valuesOrNull(out), state, params,
        params < 0 ? -1 : params * Float.BYTES, flops, repr, rows,
        ForwardWorkspace.bytes(graph, f.scope(), f.packageName()), graph.dot(), inputs, outputs);
  }

  private static Inspection.Port port(String name, Type.TensorT t) {
    return new Inspection.Port(name, t.dtype().pythonName(), valuesOrNull(t.shape()));
  }

  /** The tensors of {@code t} named as {@code netspec run} writes them: y, or y.0, y.1.0, ... */
  private static void outputs(Type t, String name, List<Inspection.Port> out) {
    if (t instanceof Type.TupleT tuple) {
      for (int i = 0; i < tuple.size(); i++) {
        outputs(tuple.items().get(i), name + "." + i, out);
      }
    } else if (t instanceof Type.TensorT x) {
      out.add(port(name, x));
    }
  }

  /** The dims of {@code shape} for {@link Inspection}, or null when even its rank is unknown. */
  private static List<Object> valuesOrNull(Shape shape) {
    return shape.knownRank() ? shape.toValues() : null;
  }
}
