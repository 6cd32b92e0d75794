package dev.netspec.compiler.check;

import static dev.netspec.compiler.check.Checked.at;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netspec.compiler.check.ImportReader.Import;
import dev.netspec.compiler.diag.Position;
import dev.netspec.compiler.diag.Reporter;
import dev.netspec.compiler.parse.Node;
import dev.netspec.compiler.parse.SpecReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A spec's {@code imports:} as written: relative paths kept in order with their positions, and
 * one located error for each entry that cannot be a relative path (the rules of the language
 * reference: relative to the importing file, folders separated by '/'). The files themselves
 * (cycles, missing files, clashes) are ImportsTest's, which compiles them.
 */
class ImportReaderTest {
  private static final Path FILE = Path.of("t.yaml");

  private record Read(List<Import> imports, List<String> errors) {}

  private static Read read(String text) {
    Reporter reporter = new Reporter();
    Node root = SpecReader.read(FILE, text, reporter);
    List<Import> imports = ImportReader.read(root, reporter);
    List<String> errors = new ArrayList<>();
    reporter.sorted().forEach(d -> errors.add(d.format()));
    return new Read(imports, errors);
  }

  /** A spec whose line 3 is {@code imports: <imports>}. */
  private static String spec(String imports) {
    return "netspec: 1\npackage: t\nimports: " + imports + "\nblocks: {}\n";
  }

  private static Position pos(String text, int line, String token) {
    return new Position(FILE, line, text.split("\n", -1)[line - 1].indexOf(token) + 1);
  }

  @Test
  void relativePathsAreKeptInOrderWithTheirPositions() {
    String text = spec("[blocks.yaml, common/res.yaml, ../shared/a.yaml, \"b c.yaml\"]");
    Read r = read(text);
    assertEquals(List.of(), r.errors);
    assertEquals(List.of(
        new Import("blocks.yaml", pos(text, 3, "blocks.yaml")),
        new Import("common/res.yaml", pos(text, 3, "common/")),
        new Import("../shared/a.yaml", pos(text, 3, "../")),
        new Import("b c.yaml", pos(text, 3, "\"b c"))), r.imports);
  }

  @Test
  void aSpecWithoutImportsHasNone() {
    assertEquals(new Read(List.of(), List.of()), read("netspec: 1\npackage: t\nblocks: {}\n"));
    assertEquals(new Read(List.of(), List.of()), read(spec("[]")));
    // a file that is not a mapping is the checker's to report, not the import reader's
    assertEquals(new Read(List.of(), List.of()), read("[1, 2]\n"));
  }

  @Test
  void importsMustBeAList() {
    String text = spec("common/blocks.yaml");
    assertEquals(new Read(List.of(), List.of(at(text, 3, "common")
        + "'imports' must be a list of spec files, such as [common/blocks.yaml], got the string 'common/blocks.yaml'")),
        read(text));
    String map = spec("{a: b.yaml}");
    assertEquals(new Read(List.of(), List.of(at(map, 3, "{")
        + "'imports' must be a list of spec files, such as [common/blocks.yaml], got a mapping")), read(map));
  }

  @Test
  void eachBadEntryIsOneErrorAndTheRestAreKept() {
    String text = spec("[3, a.yaml, \"\", \" \", /abs/b.yaml, \"\\\\\\\\server\\\\x.yaml\", \"C:/x.yaml\", c.yaml,"
        + " \"d\\\\e.yaml\", \"f\\0.yaml\"]");
    Read r = read(text);
    assertEquals(List.of(new Import("a.yaml", pos(text, 3, "a.yaml")), new Import("c.yaml", pos(text, 3, "c.yaml"))),
        r.imports);
    String relative = "imports are paths relative to the importing file, not absolute";
    assertEquals(List.of(
        at(text, 3, "3") + "an import must be a string, got the number 3",
        at(text, 3, "\"\"") + "import '': an empty path",
        at(text, 3, "\" \"") + "import ' ': an empty path",
        at(text, 3, "/abs") + "import '/abs/b.yaml': " + relative,
        at(text, 3, "\"\\\\") + "import '\\\\server\\x.yaml': " + relative,
        at(text, 3, "\"C:") + "import 'C:/x.yaml': " + relative,
        at(text, 3, "\"d") + "import 'd\\e.yaml': separate folders with '/'",
        // a NUL cannot be in a file name; the message spells it \0 rather than printing it
        at(text, 3, "\"f") + "import 'f\\0.yaml': not a valid path"), r.errors);
  }

  @Test
  void onlyALetterAndAColonMakeADrive() {
    // "ab:c.yaml" is a relative name on Linux and macOS, not a drive like "c:x.yaml"
    Read r = read(spec("[\"ab:c.yaml\", \"c:x.yaml\"]"));
    assertEquals(List.of("ab:c.yaml"), r.imports.stream().map(Import::path).toList());
    assertEquals(1, r.errors.size(), r.errors.toString());
  }
}
