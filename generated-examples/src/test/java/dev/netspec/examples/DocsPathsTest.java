package dev.netspec.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * README.md and docs/ cite only files a reader of the repository can open: every path in
 * backquotes that starts at one of the repository's top-level folders exists, and no page
 * cites a file that lives outside the repository.
 */
class DocsPathsTest {
  /** A repository path in backquotes: a top-level folder, then more segments. */
  private static final Pattern CITED = Pattern.compile(
      "`((?:runtime|compiler|cli|maven-plugin|generated-examples|benchmarks|spark|specs|docs|tools|bin)"
          + "/[A-Za-z0-9_./-]*)`");

  /** Files outside this repository that earlier pages cited. */
  private static final Pattern OUTSIDE = Pattern.compile("DESIGN\\.md|seed/000_");

  @Test
  void citedRepositoryPathsExist() throws IOException {
    Path root = RepoFiles.root();
    List<String> missing = new ArrayList<>();
    int cited = 0;
    for (Path page : pages(root)) {
      Matcher m = CITED.matcher(Files.readString(page));
      while (m.find()) {
        String path = m.group(1);
        // Folders are written with or without a trailing slash; "build/" and "target/"
        // folders appear only after a build.
        if (path.contains("/build/") || path.contains("/target/") || path.contains("*")) {
          continue;
        }
        cited++;
        if (!Files.exists(root.resolve(path))) {
          missing.add(RepoFiles.slashed(root.relativize(page)) + ": " + path);
        }
      }
    }
    assertTrue(cited > 20, "the pattern found only " + cited + " cited paths");
    assertEquals(List.of(), missing, "pages cite paths that are not in the repository");
  }

  @Test
  void noPageCitesFilesOutsideTheRepository() throws IOException {
    Path root = RepoFiles.root();
    List<String> found = new ArrayList<>();
    for (Path page : pages(root)) {
      Matcher m = OUTSIDE.matcher(Files.readString(page));
      while (m.find()) {
        found.add(RepoFiles.slashed(root.relativize(page)) + ": " + m.group());
      }
    }
    assertEquals(List.of(), found);
  }

  private static List<Path> pages(Path root) throws IOException {
    List<Path> pages = new ArrayList<>();
    pages.add(root.resolve("README.md"));
    try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
      pages.addAll(docs.filter(p -> p.toString().endsWith(".md")).sorted()
          .collect(Collectors.toList()));
    }
    return pages;
  }
}
