package dev.netspec.maven;

import dev.netspec.compiler.Compilation;
import dev.netspec.compiler.Compiler;
import dev.netspec.compiler.CompilerOptions;
import dev.netspec.compiler.Diagnostic;
import dev.netspec.compiler.SpecSource;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;

/** What both goals share: where the specs are, which ones, the package, and compiling them. */
abstract class AbstractNetspecMojo extends AbstractMojo {
  /** The folder of specs (YAML or JSON). */
  @Parameter(property = "netspec.specDirectory", defaultValue = "${project.basedir}/src/main/netspec")
  File specDirectory;

  /** Globs of the specs to use, relative to {@code specDirectory}. */
  @Parameter
  List<String> includes = new ArrayList<>(List.of("**/*.yaml", "**/*.yml", "**/*.json"));

  /** Globs of the specs to leave out, relative to {@code specDirectory}. */
  @Parameter
  List<String> excludes = new ArrayList<>();

  /** The Java package of every generated class; by default each spec's {@code package:}. */
  @Parameter(property = "netspec.packageName")
  String packageName;

  /** Skips the goal. */
  @Parameter(property = "netspec.skip", defaultValue = "false")
  boolean skip;

  @Parameter(defaultValue = "${project}", readonly = true, required = true)
  MavenProject project;

  /** The selected spec files, sorted; empty when the folder does not exist. */
  List<Path> specFiles() throws MojoExecutionException {
    Path root = specDirectory.toPath();
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    SpecFilter filter = new SpecFilter(includes, excludes);
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(Files::isRegularFile).filter(p -> filter.accepts(root.relativize(p)))
          .sorted().toList();
    } catch (IOException e) {
      throw new MojoExecutionException("netspec: cannot list " + root + ": " + e.getMessage(), e);
    }
  }

  /**
   * Compiles the specs; logs warnings; fails the build with every error as
   * {@code file:line:col: error: message}.
   */
  Compilation compile(List<Path> files) throws MojoExecutionException, MojoFailureException {
    List<SpecSource> sources = new ArrayList<>();
    for (Path file : files) {
      try {
        sources.add(SpecSource.read(specDirectory.toPath(), file));
      } catch (IOException e) {
        throw new MojoExecutionException(file + ": error: cannot read: " + e.getMessage(), e);
      }
    }
    Compilation compilation = new Compiler(new CompilerOptions(packageName)).compile(sources);
    List<String> errors = new ArrayList<>();
    for (Diagnostic d : compilation.diagnostics()) {
      if (d.severity() == Diagnostic.Severity.ERROR) {
        getLog().error(d.format());
        errors.add(d.format());
      } else {
        getLog().warn(d.format());
      }
    }
    if (!errors.isEmpty()) {
      throw new MojoFailureException("netspec: " + errors.size()
          + (errors.size() == 1 ? " error" : " errors") + " in specs:"
          + System.lineSeparator() + String.join(System.lineSeparator(), errors));
    }
    return compilation;
  }

  /** {@code n} and the noun, plural unless {@code n} is 1: "1 spec", "2 classes". */
  static String count(int n, String noun) {
    return n + " " + noun + (n == 1 ? "" : noun.endsWith("s") ? "es" : "s");
  }

  /** {@code path} relative to the project folder, for messages. */
  String relative(Path path) {
    Path base = project.getBasedir().toPath().toAbsolutePath();
    Path abs = path.toAbsolutePath();
    return abs.startsWith(base) ? base.relativize(abs).toString() : abs.toString();
  }
}
