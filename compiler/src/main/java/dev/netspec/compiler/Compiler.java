package dev.netspec.compiler;

import com.palantir.javapoet.JavaFile;
import dev.netspec.compiler.check.Checker;
import dev.netspec.compiler.check.Model.Block;
import dev.netspec.compiler.check.Model.SpecFile;
import dev.netspec.compiler.check.Names;
import dev.netspec.compiler.diag.Position;
import dev.netspec.compiler.diag.Reporter;
import dev.netspec.compiler.generate.JavaGenerator;
import dev.netspec.compiler.infer.Inference;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The spec compiler: parse, check, infer, generate, each phase over every file, stopping
 * after a phase that found errors. Bad input never throws; it becomes diagnostics.
 */
public final class Compiler {
  /** The generator version: output may change when it changes (for incremental builds). */
  public static final String VERSION = JavaGenerator.VERSION;

  private final CompilerOptions options;

  public Compiler(CompilerOptions options) {
    this.options = Objects.requireNonNull(options, "options");
  }

  /** Compiles every source; the result holds all diagnostics and, without errors, the files. */
  public Compilation compile(List<SpecSource> sources) {
    Reporter reporter = new Reporter();
    String override = options.packageOverride();
    if (override != null && !Names.isValidPackage(override)) {
      reporter.fileError(Path.of("<options>"), "'" + override + "' is not a valid Java package name"
          + " (lowercase identifiers separated by dots, no Java keywords)");
      return new Compilation(reporter.sorted(), List.of(), List.of(), Map.of());
    }
    List<SpecFile> specs = new ArrayList<>();
    Map<SpecFile, String> names = new IdentityHashMap<>();
    Map<SpecGraph.Unit, SpecFile> checked = new IdentityHashMap<>();
    Map<Path, List<Path>> imports = new LinkedHashMap<>();
    for (SpecGraph.Unit unit : SpecGraph.load(sources, reporter)) {
      Scope scope = scope(unit, checked, reporter);
      if (scope == null) {
        continue;
      }
      SpecFile file = Checker.check(unit.path(), unit.root, reporter, override, scope.direct(),
          scope.all());
      if (file != null) {
        specs.add(file);
        names.put(file, unit.source.name());
        checked.put(unit, file);
        imports.put(unit.path().toAbsolutePath().normalize(),
            SpecGraph.closure(unit).stream().map(SpecGraph.Unit::path).toList());
      }
    }
    checkClassNames(specs, reporter);
    Map<SpecFile, Map<Block, Inference.Result>> inferred = new LinkedHashMap<>();
    for (SpecFile f : specs) {
      int before = reporter.errorCount();
      Set<String> broken = new LinkedHashSet<>(f.broken());
      for (SpecFile other : specs) {
        if (other.blocks().stream().anyMatch(f.imported()::contains)) {
          broken.addAll(other.broken());
        }
      }
      Map<Block, Inference.Result> results = Inference.inferAll(f.blocks(), f.imported(), broken, reporter);
      if (reporter.errorCount() == before) {
        inferred.put(f, results);
      }
    }
    List<GeneratedFile> files = new ArrayList<>();
    if (!reporter.hasErrors()) {
      for (Map.Entry<SpecFile, Map<Block, Inference.Result>> e : inferred.entrySet()) {
        generate(e.getKey(), names.get(e.getKey()), e.getValue(), reporter, files);
      }
    }
    if (reporter.hasErrors()) {
      files.clear();
    }
    files.sort(Comparator.comparing(GeneratedFile::relativePath));
    return new Compilation(reporter.sorted(), files, reporter.hasErrors() ? List.of() : specs,
        imports);
  }

  /** The blocks a file sees: those of its imports ({@code direct}) and theirs ({@code all}). */
  private record Scope(List<Block> direct, List<Block> all) {}

  /**
   * The blocks {@code unit}'s imports bring, or null when one of them did not check (its errors
   * are reported). Two blocks of one name are an error at the import that brings the second.
   */
  private static Scope scope(SpecGraph.Unit unit, Map<SpecGraph.Unit, SpecFile> checked,
      Reporter reporter) {
    Map<String, Block> direct = new LinkedHashMap<>();
    Map<String, Block> all = new LinkedHashMap<>();
    boolean ok = true;
    for (SpecGraph.Edge e : unit.imports) {
      SpecFile file = checked.get(e.target());
      if (file == null) {
        ok = false;
        continue;
      }
      List<Block> brought = new ArrayList<>(file.blocks());
      brought.addAll(file.imported());
      for (Block b : brought) {
        Block first = all.putIfAbsent(b.name(), b);
        if (first != null && first != b) {
          reporter.error(e.as().pos(), "import '" + e.as().path() + "': block " + b.name() + " of "
              + where(b) + " has the name of block " + b.name() + " of " + where(first)
              + "; a spec and its imports name each block once");
          ok = false;
        }
      }
      file.blocks().forEach(b -> direct.putIfAbsent(b.name(), b));
    }
    return ok ? new Scope(List.copyOf(direct.values()), List.copyOf(all.values())) : null;
  }

  private static String where(Block b) {
    return b.file().toString().replace('\\', '/') + ":" + b.pos().line();
  }

  private static void checkClassNames(List<SpecFile> specs, Reporter reporter) {
    Map<String, Block> seen = new LinkedHashMap<>();
    for (SpecFile f : specs) {
      for (Block b : f.blocks()) {
        String qualified = f.packageName() + "." + b.name();
        Block first = seen.putIfAbsent(qualified, b);
        if (first != null) {
          reporter.error(b.pos(), b.name() + ": class " + qualified + " is also generated from "
              + first.file() + ":" + first.pos().line());
        }
      }
    }
  }

  private static void generate(SpecFile f, String specName, Map<Block, Inference.Result> results,
      Reporter reporter, List<GeneratedFile> out) {
    Map<String, Block> byName = new LinkedHashMap<>();
    f.scope().forEach(b -> byName.putIfAbsent(b.name(), b));
    for (Block b : f.blocks()) {
      Inference.Result r = results.get(b);
      if (r == null) {
        reporter.error(new Position(f.path(), b.pos().line(), b.pos().column()),
            b.name() + ": its input shape is unknown; declare 'input:'");
        continue;
      }
      JavaFile java = JavaGenerator.generate(b, r, byName, f.packageName(), specName, reporter);
      if (java == null) {
        continue;
      }
      String qualified = f.packageName() + "." + b.name();
      out.add(new GeneratedFile(qualified.replace('.', '/') + ".java", qualified, java.toString(), f.path()));
    }
  }
}
