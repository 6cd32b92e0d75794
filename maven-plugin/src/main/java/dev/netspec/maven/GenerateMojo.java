package dev.netspec.maven;

import dev.netspec.compiler.Compilation;
import dev.netspec.compiler.Compiler;
import dev.netspec.compiler.GeneratedFile;
import dev.netspec.compiler.GeneratedSources;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Generates one Java class per block of the specs and adds the output folder as a compile
 * source root. Incremental: when no spec, setting or generator version changed since the last
 * successful run and its files are all there as it wrote them, nothing is regenerated.
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
    Path stateFile = stateDirectory.toPath().resolve("generate-" + Integer.toHexString(
        out.toString().hashCode()) + ".state");
    String digest = BuildState.digest(specs, specDirectory.toPath(),
        Arrays.asList(Compiler.VERSION, packageName, out.toString()));
    BuildState previous = BuildState.read(stateFile);
    if (previous != null && previous.digest().equals(digest) && previous.outputsIntact(out)) {
      getLog().info("netspec: " + count(specs.size(), "spec")
          + " unchanged, nothing to regenerate");
      return;
    }
    Compilation compilation = compile(specs);
    GeneratedSources.WriteResult result = GeneratedSources.write(compilation.files(), out);
    List<String> files = compilation.files().stream().map(GeneratedFile::relativePath).toList();
    if (previous != null) {
      deleteOrphans(previous.files().keySet(), files, out);
    }
    BuildState.of(digest, compilation.files()).write(stateFile);
    getLog().info("netspec: generated " + count(files.size(), "class") + " from "
        + count(specs.size(), "spec") + " into " + relative(out) + " ("
        + result.written().size() + " written, " + result.unchanged().size() + " up to date)");
  }

  /** Deletes the files the last run generated that this run no longer generates. */
  private void deleteOrphans(Collection<String> before, List<String> now, Path out)
      throws IOException {
    Set<String> keep = new HashSet<>(now);
    for (String file : before) {
      if (!keep.contains(file) && Files.deleteIfExists(out.resolve(file))) {
        getLog().info("netspec: deleted " + relative(out.resolve(file))
            + " (its block is gone)");
      }
    }
  }
}
