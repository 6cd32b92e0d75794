package dev.netspec.compiler.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The compiler's phases depend one way (parse, then check, infer, generate: docs' design): no
 * source of {@code parse} names a class of a later phase, by import or written out.
 */
class ParseDependenciesTest {
  private static final Path PARSE = Path.of("src/main/java/dev/netspec/compiler/parse");
  private static final Pattern LATER =
      Pattern.compile("dev\\.netspec\\.compiler\\.(check|infer|layers|generate|inspect|train)\\.\\w+");

  @Test
  void parseNamesNoLaterPhase() throws IOException {
    List<String> found = new ArrayList<>();
    int files = 0;
    try (Stream<Path> s = Files.list(PARSE)) {
      for (Path f : s.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
        files++;
        Matcher m = LATER.matcher(Files.readString(f));
        while (m.find()) {
          found.add(f.getFileName() + ": " + m.group());
        }
      }
    }
    assertTrue(files > 5, "the parse sources were not found at " + PARSE.toAbsolutePath());
    assertEquals(List.of(), found);
  }
}
