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
 * backquotes that starts at one of the repository's top-level folders exists, every relative
 * Markdown link leads to a file that exists and, with a {@code #anchor}, to a heading (or an
 * {@code <a id>}) of that file, and no page cites a file that lives outside the repository.
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

  /** A Markdown link {@code [text](target)}; the target has no spaces or parentheses. */
  private static final Pattern LINK = Pattern.compile("\\]\\(([^()\\s]+)\\)");

  /** A heading line, or an explicit anchor {@code <a id="...">}. */
  private static final Pattern HEADING = Pattern.compile("^#+ (.*)$", Pattern.MULTILINE);
  private static final Pattern ID = Pattern.compile("<a id=\"([^\"]+)\"");

  @Test
  void relativeLinksLeadToFilesAndAnchorsThatExist() throws IOException {
    Path root = RepoFiles.root();
    List<String> broken = new ArrayList<>();
    int links = 0;
    int anchored = 0;
    for (Path page : pages(root)) {
      // Inline code such as `h[0](x)` is no link.
      Matcher m = LINK.matcher(outsideCode(Files.readString(page)).replaceAll("`[^`\\n]*`", ""));
      while (m.find()) {
        String target = m.group(1);
        if (target.matches("[a-z]+:.*")) {
          continue; // https:, mailto:
        }
        links++;
        int hash = target.indexOf('#');
        String file = hash < 0 ? target : target.substring(0, hash);
        Path linked = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
        String where = RepoFiles.slashed(root.relativize(page)) + ": " + target;
        if (!Files.exists(linked)) {
          broken.add(where + " (no such file)");
        } else if (hash >= 0) {
          anchored++;
          if (!anchors(linked).contains(target.substring(hash + 1))) {
            broken.add(where + " (no such heading)");
          }
        }
      }
    }
    assertTrue(links > 50 && anchored > 20, "the pattern found only " + links + " links, "
        + anchored + " with an anchor");
    assertEquals(List.of(), broken, "links that lead nowhere");
  }

  @Test
  void anchorsAreGitHubs() {
    assertEquals("containers-module-lists-and-module-dicts",
        slug("Containers: module lists and module dicts"));
    assertEquals("example-gpt-2-and-incremental-decoding",
        slug("Example: GPT-2 and incremental decoding"));
    assertEquals("the-train-section", slug("The `train:` section"));
  }

  /** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
  static String slug(String heading) {
    return heading.strip().toLowerCase(java.util.Locale.ROOT)
        .replaceAll("[^\\p{L}\\p{N}_ -]", "").replace(' ', '-');
  }

  /** The anchors of a Markdown file: its headings' slugs (repeats numbered) and its ids. */
  private static java.util.Set<String> anchors(Path file) throws IOException {
    String text = outsideCode(Files.readString(file));
    java.util.Set<String> anchors = new java.util.HashSet<>();
    java.util.Map<String, Integer> seen = new java.util.HashMap<>();
    Matcher h = HEADING.matcher(text);
    while (h.find()) {
      String s = slug(h.group(1));
      int n = seen.merge(s, 1, Integer::sum);
      anchors.add(n == 1 ? s : s + "-" + (n - 1));
    }
    Matcher id = ID.matcher(text);
    while (id.find()) {
      anchors.add(id.group(1));
    }
    return anchors;
  }

  /** The text with fenced code blocks blanked: a '# comment' there is no heading. */
  private static String outsideCode(String text) {
    StringBuilder out = new StringBuilder();
    boolean code = false;
    for (String line : text.split("\n", -1)) {
      if (line.startsWith("```")) {
        code = !code;
      } else if (!code) {
        out.append(line);
      }
      out.append('\n');
    }
    return out.toString();
  }

  /** README.md and every Markdown page below docs/. */
  private static List<Path> pages(Path root) throws IOException {
    List<Path> pages = new ArrayList<>();
    pages.add(root.resolve("README.md"));
    try (Stream<Path> docs = Files.walk(root.resolve("docs"))) {
      pages.addAll(docs.filter(p -> p.toString().endsWith(".md")).sorted()
          .collect(Collectors.toList()));
    }
    return pages;
  }
}
