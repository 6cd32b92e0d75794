package dev.netspec.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.netspec.compiler.Compilation;
import dev.netspec.compiler.Compiler;
import dev.netspec.compiler.CompilerOptions;
import dev.netspec.compiler.SpecSource;
import dev.netspec.compiler.layers.LayerKinds;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * docs/netspec.schema.json accepts every spec in specs/ (YAML read as the same JSON tree the
 * compiler sees) and refuses the bad specs in src/test/resources/schema/bad, each at the place
 * its {@code # schema error at: POINTER} line names, as the compiler refuses them too.
 */
class SpecSchemaTest {
  private static final Pattern EXPECTED = Pattern.compile("^# schema error at: (\\S*)$",
      Pattern.MULTILINE);
  private static final ObjectMapper YAML = new YAMLMapper();
  private static final ObjectMapper JSON = new JsonMapper();

  private static Schema schema() throws IOException {
    JsonNode tree = JSON.readTree(RepoFiles.root().resolve("docs/netspec.schema.json").toFile());
    return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(tree);
  }

  private static JsonNode readSpec(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    return (file.toString().endsWith(".json") ? JSON : YAML).readTree(text);
  }

  @Test
  void schemaDeclaresDraft202012() throws IOException {
    JsonNode tree = JSON.readTree(RepoFiles.root().resolve("docs/netspec.schema.json").toFile());
    assertTrue(tree.get("$schema").asString().equals("https://json-schema.org/draft/2020-12/schema"),
        "the schema must declare draft 2020-12, found " + tree.get("$schema"));
  }

  /** Editors complete exactly the compiler's builtin layers: a new builtin needs a schema entry. */
  @Test
  void schemaListsEveryBuiltinLayerOfTheCompiler() throws IOException {
    JsonNode tree = JSON.readTree(RepoFiles.root().resolve("docs/netspec.schema.json").toFile());
    Set<String> inSchema = new TreeSet<>(
        tree.at("/$defs/layerProperties/properties").propertyNames());
    inSchema.removeAll(List.of("sequential", "same_as", "init", "doc", "when", "module_list", "module_dict"));
    assertEquals(new TreeSet<>(LayerKinds.names()), inSchema,
        "builtin layers in docs/netspec.schema.json ($defs/layerProperties) vs the compiler's"
            + " dev.netspec.compiler.layers.LayerKinds");
  }

  @Test
  void specsFolderHoldsEverySeedProgramAndTheRealisticModels() {
    List<String> names = RepoFiles.specs().stream().map(RepoFiles::slashed)
        .collect(Collectors.toList());
    for (String expected : List.of("specs/seed/mlp.yaml", "specs/seed/my_sequential.yaml",
        "specs/seed/nest_mlp.yaml", "specs/seed/params.json",
        "specs/seed/nested.yaml", "specs/seed/init.yaml", "specs/seed/centered.yaml",
        "specs/seed/my_linear.yaml", "specs/seed/lazy.yaml", "specs/mnist_mlp.yaml",
        "specs/residual_mlp.yaml")) {
      assertTrue(names.contains(expected), expected + " is missing from " + names);
    }
  }

  @TestFactory
  Stream<DynamicTest> everySpecMatchesTheSchema() throws IOException {
    Schema schema = schema();
    Path root = RepoFiles.root();
    return RepoFiles.specs().stream().map(spec -> DynamicTest.dynamicTest(RepoFiles.slashed(spec),
        () -> {
          List<Error> errors = schema.validate(readSpec(root.resolve(spec)));
          if (!errors.isEmpty()) {
            fail(RepoFiles.slashed(spec) + " does not match docs/netspec.schema.json:\n"
                + describe(errors));
          }
        }));
  }

  @TestFactory
  Stream<DynamicTest> badSpecsAreRefusedWhereTheySayTheyAreWrong() throws IOException {
    Schema schema = schema();
    Path dir = Path.of("src/test/resources/schema/bad");
    List<Path> bad;
    try (Stream<Path> files = Files.list(dir)) {
      bad = files.filter(p -> RepoFiles.isSpec(p.getFileName().toString())).sorted()
          .collect(Collectors.toList());
    }
    assertFalse(bad.isEmpty(), "no bad specs in " + dir.toAbsolutePath());
    return bad.stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      Matcher m = EXPECTED.matcher(text);
      assertTrue(m.find(), file + " has no '# schema error at: POINTER' line");
      String pointer = m.group(1);
      List<Error> errors = schema.validate(readSpec(file));
      assertFalse(errors.isEmpty(), file + " should be refused but matches the schema");
      boolean atPlace = errors.stream()
          .anyMatch(e -> pointer(e).equals(pointer));
      assertTrue(atPlace, file + ": expected an error at " + pointer + ", got:\n"
          + describe(errors));
      Compilation compiled = new Compiler(new CompilerOptions(null))
          .compile(List.of(new SpecSource(file, text)));
      assertTrue(compiled.hasErrors(), file + " is refused by the schema but the compiler accepts it");
    }));
  }

  /** Where an error is, as a JSON pointer: {@code /blocks/Mlp}, or {@code /} for the root. */
  private static String pointer(Error e) {
    String at = e.getInstanceLocation().toString();
    return at.isEmpty() ? "/" : at;
  }

  private static String describe(List<Error> errors) {
    return errors.stream().map(e -> "  " + pointer(e) + ": " + e.getMessage())
        .collect(Collectors.joining("\n"));
  }
}
