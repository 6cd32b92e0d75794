package dev.netspec.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.cli.Netspec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.project.MavenProject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The goals and the CLI agree: {@code netspec check} passes on what {@code generate} wrote,
 * {@code check} passes on what {@code netspec compile} wrote, and both write the same bytes.
 */
class CliAgreementTest {
  @TempDir Path app;
  private Path specs;

  @BeforeEach
  void app() throws IOException {
    specs = Files.createDirectories(app.resolve("src/main/netspec"));
    Files.writeString(specs.resolve("mlp.yaml"), """
        netspec: 1
        package: com.example.models
        blocks:
          Mlp:
            input: [batch, 3]
            sequential:
              - linear: 2
              - relu
        """);
    Files.writeString(Files.createDirectories(specs.resolve("vision")).resolve("tiny.yaml"), """
        netspec: 1
        package: com.example.vision
        blocks:
          Tiny:
            input: [batch, 4]
            sequential:
              - linear: 1
        """);
  }

  @Test
  void cliCheckPassesOnWhatGenerateWrote() throws Exception {
    Path out = app.resolve("src/main/java");
    generate(out);
    String check = netspec(0, "check", specs.toString(), "-d", out.toString());
    assertTrue(check.contains("up to date (2 classes)"), check);
    // Spelled from elsewhere, as a user in another folder would.
    Path dotted = Path.of("").toAbsolutePath().relativize(specs);
    netspec(0, "check", dotted + "/", "-d", out.toString());
  }

  @Test
  void checkGoalPassesOnWhatCliCompileWroteAndTheBytesAreEqual() throws Exception {
    Path cliOut = app.resolve("src/main/java");
    netspec(0, "compile", specs.toString(), "-d", cliOut.toString());
    CheckMojo check = configure(new CheckMojo());
    check.outputDirectory = cliOut.toFile();
    check.execute();

    Path pluginOut = app.resolve("target/generated-sources/netspec");
    generate(pluginOut);
    assertEquals(tree(cliOut), tree(pluginOut));
    assertEquals(2, tree(pluginOut).size());
  }

  private void generate(Path out) throws MojoExecutionException, MojoFailureException {
    GenerateMojo generate = configure(new GenerateMojo());
    generate.outputDirectory = out.toFile();
    generate.stateDirectory = app.resolve("target/netspec").toFile();
    generate.execute();
  }

  private <M extends AbstractNetspecMojo> M configure(M mojo) {
    MavenProject project = new MavenProject();
    project.setFile(app.resolve("pom.xml").toFile());
    mojo.project = project;
    mojo.specDirectory = specs.toFile();
    return mojo;
  }

  /** Runs the CLI's entry point; asserts its exit code; returns what it printed. */
  private static String netspec(int code, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8)) {
      int exit = Netspec.run(args, o, o);
      String printed = out.toString(StandardCharsets.UTF_8);
      assertEquals(code, exit, printed);
      return printed;
    }
  }

  private static Map<String, String> tree(Path root) throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path f : walk.filter(Files::isRegularFile).toList()) {
        files.put(root.relativize(f).toString().replace('\\', '/'), Files.readString(f));
      }
    }
    return files;
  }
}
