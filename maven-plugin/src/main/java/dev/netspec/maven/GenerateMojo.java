package dev.netspec.maven;

import dev.netspec.compiler.Compilation;
import dev.netspec.compiler.Compiler;
import dev.netspec.compiler.GeneratedFile;
import dev.netspec.compiler.GeneratedSources;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.netspec.compiler.SpecSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Generates one Java class per block of the specs and adds the output folder as a compile
 * source root. Incremental, per spec: a spec is regenerated when it, or a file it imports,
 * changed since the last successful run, or when a file generated for it is gone or edited;
 * the others are left alone. A new setting or generator version regenerates every spec.
 */
@Mojo(name = "generate", defaultPhase = LifecyclePhase.GENERATE_SOURCES, threadSafe = true)
public class GenerateMojo extends AbstractNetspecMojo {
  /** Where the generated sources go. */
  @Parameter(property = "netspec.outputDirectory",
      defaultValue = "${project.build.directory}/generated-sources/netspec")
  File outputDirectory;

  /** Where the digests of the last successful run are kept. */
  @Parameter(defaultValue = "${project.build.directory}/netspec", readonly = true)
  File stateDirectory;

  @Override
  public void execute() throws MojoExecutionException, MojoFailureException {
    if (skip) {
      getLog().info("netspec: skipped (netspec.skip)");
      return;
    }
    Path out = outputDirectory.toPath().toAbsolutePath();
    List<Path> specs = specFiles();
    if (specs.isEmpty()) {
      getLog().info("netspec: no specs in " + relative(specDirectory.toPath()));
      return;
    }
    try {
      generate(specs, out);
    } catch (IOException e) {
      throw new MojoExecutionException("netspec: cannot write " + out + ": " + e.getMessage(), e);
    }
    project.addCompileSourceRoot(out.toString());
  }

  private void generate(List<Path> specs, Path out)
      throws IOException, MojoExecutionException, MojoFailureException {
    Path root = specDirectory.toPath();
    Path stateFile = stateDirectory.toPath().resolve("generate-" + Integer.toHexString(
        out.toString().hashCode()) + ".state");
    String settings = BuildState.settingsDigest(Arrays.asList(Compiler.VERSION, packageName,
        out.toString()));
    BuildState previous = BuildState.read(stateFile);
    if (previous != null && !previous.settings().equals(settings)) {
      previous = null;
    }
    Map<String, Path> byName = new LinkedHashMap<>();
    specs.forEach(spec -> byName.put(SpecSource.nameIn(root, spec), spec));
    List<String> changed = changed(byName, previous, root, out);
    boolean removed = previous != null && !byName.keySet().containsAll(previous.specs().keySet());
    if (previous != null && changed.isEmpty() && !removed) {
      getLog().info("netspec: " + count(specs.size(), "spec")
          + " unchanged, nothing to regenerate");
      return;
    }
    boolean partial = previous != null && changed.size() < specs.size();
    Compilation compilation = compile(changed.stream().map(byName::get).toList());
    Map<String, BuildState.Spec> entries = entries(compilation, changed, byName, root);
    if (partial && takenByAnother(entries, previous)) {
      partial = false; // a class another spec generates: compile all, which names the clash
      changed = List.copyOf(byName.keySet());
      compilation = compile(specs);
      entries = entries(compilation, changed, byName, root);
    }
    Map<String, BuildState.Spec> next = new LinkedHashMap<>();
    for (String name : byName.keySet()) {
      next.put(name, entries.containsKey(name) ? entries.get(name) : previous.specs().get(name));
    }
    GeneratedSources.WriteResult result = GeneratedSources.write(compilation.files(), out);
    if (previous != null) {
      deleteOrphans(previous, next, out);
    }
    new BuildState(settings, next).write(stateFile);
    int n = compilation.files().size();
    String what = partial
        ? changed.size() + " of " + count(specs.size(), "spec") + " changed ("
            + String.join(", ", changed) + "): generated " + count(n, "class")
        : "generated " + count(n, "class") + " from " + count(specs.size(), "spec");
    getLog().info("netspec: " + what + " into " + relative(out) + " ("
        + result.written().size() + " written, " + result.unchanged().size() + " up to date)");
  }

  /**
   * The specs to regenerate, by name: new ones, those whose bytes or whose imports' bytes
   * changed, and those whose generated files are gone or were edited; all without a state.
   */
  private static List<String> changed(Map<String, Path> byName, BuildState previous, Path root,
      Path out) throws IOException {
    List<String> changed = new ArrayList<>();
    for (String name : byName.keySet()) {
      BuildState.Spec was = previous == null ? null : previous.specs().get(name);
      if (was == null || !was.digest().equals(BuildState.specDigest(root, name, was.imports()))
          || !was.outputsIntact(out)) {
        changed.add(name);
      }
    }
    return changed;
  }

  /**
   * The new state of each compiled spec: its imports, and the files generated from it and from
   * the files it imports that are not specs of their own here.
   */
  private static Map<String, BuildState.Spec> entries(Compilation compilation, List<String> names,
      Map<String, Path> byName, Path root) throws IOException {
    Set<Path> ownSpecs = new HashSet<>();
    byName.values().forEach(p -> ownSpecs.add(p.toAbsolutePath().normalize()));
    Map<String, BuildState.Spec> out = new LinkedHashMap<>();
    for (String name : names) {
      Path spec = byName.get(name).toAbsolutePath().normalize();
      Set<Path> from = new HashSet<>(List.of(spec));
      List<String> imports = new ArrayList<>();
      for (Path imported : compilation.imports(spec)) {
        imports.add(BuildState.spell(root, imported));
        Path abs = imported.toAbsolutePath().normalize();
        if (!ownSpecs.contains(abs)) {
          from.add(abs);
        }
      }
      List<GeneratedFile> files = compilation.files().stream()
          .filter(f -> from.contains(f.spec().toAbsolutePath().normalize())).toList();
      out.put(name, new BuildState.Spec(BuildState.specDigest(root, name, imports), imports,
          BuildState.hashes(files)));
    }
    return out;
  }

  /** Whether a class now generated is one the last run generated for a spec not compiled now. */
  private static boolean takenByAnother(Map<String, BuildState.Spec> entries, BuildState previous) {
    Set<String> now = new HashSet<>();
    entries.values().forEach(e -> now.addAll(e.files().keySet()));
    for (Map.Entry<String, BuildState.Spec> e : previous.specs().entrySet()) {
      if (!entries.containsKey(e.getKey())
          && e.getValue().files().keySet().stream().anyMatch(now::contains)) {
        return true;
      }
    }
    return false;
  }

  /** Deletes the files the last run generated that no spec generates now. */
  private void deleteOrphans(BuildState before, Map<String, BuildState.Spec> now, Path out)
      throws IOException {
    Set<String> keep = new HashSet<>();
    now.values().forEach(e -> keep.addAll(e.files().keySet()));
    Set<String> old = new LinkedHashSet<>();
    before.specs().values().forEach(e -> old.addAll(e.files().keySet()));
    for (String file : old) {
      if (!keep.contains(file) && Files.deleteIfExists(out.resolve(file))) {
        getLog().info("netspec: deleted " + relative(out.resolve(file))
            + " (its block is gone)");
      }
    }
  }
}
