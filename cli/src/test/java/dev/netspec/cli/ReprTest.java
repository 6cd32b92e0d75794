package dev.netspec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.compiler.Compilation;
import dev.netspec.compiler.Compiler;
import dev.netspec.compiler.CompilerOptions;
import dev.netspec.compiler.GeneratedFile;
import dev.netspec.compiler.SpecSource;
import dev.netspec.runtime.nn.Module;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code inspect --format repr} prints exactly what {@code Module.toString()} prints: the
 * compiler's static repr against the generated class, built in memory, for nested, repeated,
 * shared and lazy layers.
 */
class ReprTest {
  @ParameterizedTest
  @ValueSource(strings = {"Zoo", "LazyZoo"})
  void inspectReprIsTheGeneratedModulesToString(String block) throws Exception {
    Path spec = zoo();
    Cli r = Cli.run("inspect", spec.toString(), "--block", block, "--format", "repr");
    assertEquals(0, r.code(), r::toString);

    Compilation c = new Compiler(new CompilerOptions(null)).compile(List.of(SpecSource.read(spec)));
    assertFalse(c.hasErrors(), () -> c.diagnostics().toString());
    ClassLoader loader = MemoryCompiler.compile(c.files(), List.of());
    GeneratedFile file = c.files().stream()
        .filter(f -> f.className().endsWith("." + block)).findFirst().orElseThrow();
    Module module = loader.loadClass(file.className()).asSubclass(Module.class)
        .getConstructor(long.class).newInstance(0L);
    assertEquals(module + "\n", r.out());
  }

  @Test
  void parametersCountASharedLayerOnceAndTheStateDictNamesItTwice() throws URISyntaxException {
    Cli r = Cli.run("inspect", zoo().toString(), "--block", "Zoo", "--format", "json");
    assertEquals(0, r.code(), r::toString);
    // Block1 = (4*8 + 8) + (8*4 + 4) = 76, twice = 152; body's Linear(4, 6) = 30;
    // LayerNorm(6) = 12; the tied Linear(6, 6) once = 42; head Linear(6, 3) = 21.
    assertTrue(r.out().contains("\"parameters\": 257,\n"), r::toString);
    assertTrue(r.out().contains("\"name\": \"shared.0.weight\""), r::toString);
    assertTrue(r.out().contains("\"name\": \"shared.2.weight\""), r::toString);
  }

  private static Path zoo() throws URISyntaxException {
    return Path.of(ReprTest.class.getResource("/zoo/zoo.yaml").toURI());
  }
}
