package dev.netspec.maven;

import dev.netspec.compiler.Compilation;
import dev.netspec.compiler.GeneratedSources;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Fails the build when generated sources checked into the app are not what {@code generate}
 * would write: names every stale or missing file and the command that fixes them. Runs in
 * {@code process-sources}, before anything is compiled or tested.
 */
@Mojo(name = "check", defaultPhase = LifecyclePhase.PROCESS_SOURCES, threadSafe = true)
public class CheckMojo extends AbstractNetspecMojo {
  /** The source folder the generated classes are checked into. */
  @Parameter(property = "netspec.outputDirectory", defaultValue = "${project.basedir}/src/main/java")
  File outputDirectory;

  @Override
  public void execute() throws MojoExecutionException, MojoFailureException {
    if (skip) {
      getLog().info("netspec: skipped (netspec.skip)");
      return;
    }
    List<Path> specs = specFiles();
    if (specs.isEmpty()) {
      getLog().info("netspec: no specs in " + relative(specDirectory.toPath()));
      return;
    }
    Path out = outputDirectory.toPath().toAbsolutePath();
    Compilation compilation = compile(specs);
    List<GeneratedSources.Mismatch> mismatches;
    try {
      mismatches = GeneratedSources.diff(compilation.files(), out);
    } catch (IOException e) {
      throw new MojoExecutionException("netspec: cannot read " + out + ": " + e.getMessage(), e);
    }
    if (mismatches.isEmpty()) {
      int n = compilation.files().size();
      getLog().info("netspec: " + count(n, "generated class") + " in " + relative(out)
          + (n == 1 ? " is" : " are") + " up to date");
      return;
    }
    StringBuilder sb = new StringBuilder("netspec: generated sources are out of date:");
    for (GeneratedSources.Mismatch m : mismatches) {
      sb.append(System.lineSeparator()).append("  ")
          .append(relative(out.resolve(m.relativePath()))).append(" (")
          .append(m.difference() == GeneratedSources.Difference.MISSING ? "missing" : "stale")
          .append(')');
    }
    sb.append(System.lineSeparator()).append("To fix, run: mvn netspec:generate")
        .append(" -Dnetspec.outputDirectory=").append(relative(out))
        .append(" and commit the result.");
    throw new MojoFailureException(sb.toString());
  }
}
