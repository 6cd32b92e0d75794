package dev.netspec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every YAML snippet of README.md, docs/maven-plugin.md, docs/spec.md and docs/spec/ compiles
 * without a diagnostic, as a reader copies it. A snippet that is a whole spec file compiles as it stands; one made of block
 * entries (indented {@code Name:} lines) compiles inside a file header; a fragment (a lone
 * {@code forward:}, a {@code train:} section, a block using blocks shown elsewhere) compiles
 * with the context written in {@link #CONTEXT}, which names the blocks and lines it needs.
 * A new snippet that is a fragment fails here until its context is written down.
 */
class DocSnippetsTest {
  private static final Path DOCS = Path.of("..", "docs");
  private static final String HEADER = "netspec: 1\npackage: docs.snippets\nblocks:\n";

  /**
   * What a fragment needs, by "page#n" (n counted from 1 among the page's yaml blocks): the
   * text before the snippet ({@code %s} where the snippet goes) in a file that already has
   * {@link #HEADER}.
   */
  private static final Map<String, String> CONTEXT = Map.ofEntries(
      // Chimera uses FixedHiddenMlp of parameters-and-shapes.md.
      Map.entry("spec/children.md#2", "%s"
          + "  FixedHiddenMlp:\n    input: [batch, 20]\n"
          + "    buffers: {rand_weight: {shape: [20, 20], init: {uniform: {low: 0, high: 1}}}}\n"
          + "    layers: {linear: {linear: 20}}\n    forward: relu(linear(x) @ (rand_weight + 1))\n"),
      Map.entry("spec/children.md#4", "  Block1:\n    input: [batch, 8]\n    sequential: [{linear: 8}, relu]\n"
          + "%s    input: [batch, 8]\n"),
      Map.entry("spec/children.md#6", "  Block:\n    args: {width: int}\n    input: [batch, seq, width]\n"
          + "    sequential: [{linear: width}, relu]\n%s"),
      Map.entry("spec/examples.md#1", "  Block:\n    args: {n_embd: int, n_head: int, block_size: int}\n"
          + "    input: [batch, seq, n_embd]\n"
          + "    layers: {ln: {layer_norm: n_embd}, attn: {CausalSelfAttention: {n_embd: n_embd, n_head: n_head,"
          + " block_size: block_size}}}\n"
          + "    forward: x + attn(ln(x))\n%s"),
      // The forward of FixedHiddenMlp (d2l's), whose 'linear' is square.
      Map.entry("spec/forward.md#1", "  FixedHiddenMlp:\n    input: [batch, 20]\n"
          + "    buffers: {rand_weight: {shape: [20, 20], init: {uniform: {low: 0, high: 1}}}}\n"
          + "    layers: {linear: {linear: 20}}\n%s"),
      Map.entry("spec/forward.md#4", "  Tagger:\n    inputs: {tokens: [batch, seq, int64], x: [batch, seq, 8],"
          + " h0: [1, batch, 16], c0: [1, batch, 16]}\n"
          + "    layers:\n      embed: {embedding: {num_embeddings: 100, embedding_dim: 8}}\n"
          + "      lstm: {lstm: {input_size: 8, hidden_size: 16, batch_first: true}}\n"
          + "      tag: {linear: 5}\n%s"),
      Map.entry("spec/layers.md#1", "  Head:\n    input: [batch, 20]\n%s"),
      Map.entry("spec/parameters-and-shapes.md#3", "%s    layers: {embed: {embedding: {num_embeddings: 100,"
          + " embedding_dim: 8}}}\n    forward: embed(input_ids)\n"),
      Map.entry("spec/train-section.md#1", "  Mlp:\n    input: [batch, 20]\n"
          + "    sequential: [{linear: 256}, relu, {linear: 10}]\n%s"),
      Map.entry("README.md#2", "  Mlp:\n    input: [batch, 20]\n"
          + "    sequential: [{linear: 256}, relu, {linear: 10}]\n%s"));

  @Test
  void everySpecSnippetCompilesCleanly(@TempDir Path dir) throws IOException {
    Map<String, String> snippets = snippets();
    assertTrue(snippets.size() >= 20, "found only " + snippets.keySet());
    List<String> unused = new ArrayList<>(CONTEXT.keySet());
    Map<String, List<String>> failures = new TreeMap<>();
    for (Map.Entry<String, String> e : snippets.entrySet()) {
      String key = e.getKey();
      String yaml = e.getValue();
      unused.remove(key);
      List<String> diagnostics = new ArrayList<>();
      String context = CONTEXT.get(key);
      String firstLine = yaml.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).findFirst().orElse("");
      if (context != null) {
        String text = HEADER + context.replace("%s", yaml);
        if (yaml.startsWith("train:")) { // a section of the file, after its blocks
          text = HEADER + context.replace("%s", "") + yaml;
        }
        Specs.compile(key + ".yaml", text).diagnostics().forEach(d -> diagnostics.add(d.format()));
      } else if (firstLine.startsWith("netspec:")) {
        // A whole file; the imports page shows two that go together.
        diagnostics.addAll(compileFiles(dir, yaml, snippets));
      } else if (firstLine.matches(" {2}[A-Z][A-Za-z0-9]*:.*")) {
        Specs.compile(key + ".yaml", HEADER + yaml).diagnostics().forEach(d -> diagnostics.add(d.format()));
      } else {
        diagnostics.add("a fragment: write what it needs into DocSnippetsTest.CONTEXT");
      }
      if (!diagnostics.isEmpty()) {
        failures.put(key, diagnostics);
      }
    }
    assertEquals(Map.of(), failures, "snippets that do not compile as the docs show them");
    assertEquals(List.of(), unused, "contexts for snippets that are no longer there");
  }

  /** A whole spec file, with the other whole files of the docs it imports written beside it. */
  private static List<String> compileFiles(Path dir, String yaml, Map<String, String> snippets) throws IOException {
    Map<String, String> files = new LinkedHashMap<>();
    for (String other : snippets.values()) {
      String name = other.lines().findFirst().orElse("");
      if (name.startsWith("# specs/")) {
        files.put(name.substring("# specs/".length()).strip(), other);
      }
    }
    for (Map.Entry<String, String> f : files.entrySet()) {
      Path p = dir.resolve(f.getKey());
      Files.createDirectories(p.getParent());
      Files.writeString(p, f.getValue(), StandardCharsets.UTF_8);
    }
    String name = yaml.lines().findFirst().orElse("");
    Path main = name.startsWith("# specs/") ? dir.resolve(name.substring("# specs/".length()).strip())
        : dir.resolve("spec.yaml");
    Files.writeString(main, yaml, StandardCharsets.UTF_8);
    List<String> out = new ArrayList<>();
    new Compiler(CompilerOptions.defaults()).compile(List.of(SpecSource.read(dir, main)))
        .diagnostics().forEach(d -> out.add(d.format()));
    return out;
  }

  /** The yaml blocks of the pages, by "page#n" (n from 1 in each page). */
  private static Map<String, String> snippets() throws IOException {
    List<Path> pages = new ArrayList<>();
    pages.add(DOCS.resolve("../README.md"));
    pages.add(DOCS.resolve("maven-plugin.md"));
    pages.add(DOCS.resolve("spec.md"));
    try (Stream<Path> s = Files.list(DOCS.resolve("spec"))) {
      s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Path page : pages) {
      String text = Files.readString(page, StandardCharsets.UTF_8);
      String name = DOCS.relativize(page.normalize()).toString().replace('\\', '/').replace("../", "");
      int n = 0;
      for (int at = text.indexOf("```yaml\n"); at >= 0; at = text.indexOf("```yaml\n", at)) {
        int start = at + "```yaml\n".length();
        int end = text.indexOf("```", start);
        int indent = at - (text.lastIndexOf('\n', at) + 1); // a block inside a list item
        StringBuilder body = new StringBuilder();
        text.substring(start, end).lines().forEach(l -> body.append(l.substring(Math.min(indent,
            l.length() - l.stripLeading().length()))).append('\n'));
        out.put(name + "#" + ++n, body.toString());
        at = end + 3;
      }
    }
    return out;
  }
}
