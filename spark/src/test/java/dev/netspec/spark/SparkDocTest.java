package dev.netspec.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps {@code docs/spark.md} honest: each of its {@code java} blocks compiles, with every lint
 * on, against this module and the real Spark it is built with, so a renamed method or class
 * fails here before a user copies it. A block of statements is compiled as the body of a
 * method given {@code spark} (a {@code SparkSession}) and the page's model classes ({@code
 * MnistMlp}, {@code Mlp}, here the generated examples'); the complete job is compiled as
 * written, its {@code com.example.models.Mlp} being the README tour's block, which is the
 * generated examples' {@code seed.Mlp}.
 */
class SparkDocTest {
  private static final Path DOC = Path.of("..", "docs", "spark.md");
  private static final String IMPORTS = String.join("\n",
      "import dev.netspec.examples.MnistMlp;",
      "import dev.netspec.examples.seed.Mlp;",
      "import org.apache.spark.sql.Dataset;",
      "import org.apache.spark.sql.Row;",
      "import org.apache.spark.sql.SparkSession;");

  @TempDir
  Path out;

  @Test
  void everyJavaBlockCompiles() throws IOException {
    List<String> blocks = javaBlocks(Files.readString(DOC, StandardCharsets.UTF_8));
    assertEquals(3, blocks.size(), "java blocks of " + DOC);
    List<JavaFileObject> sources = new ArrayList<>();
    for (int i = 0; i < blocks.size(); i++) {
      String block = blocks.get(i);
      if (block.startsWith("package ")) {
        assertTrue(block.contains("import com.example.models.Mlp;\n"), block);
        String name = block.substring(block.indexOf("public final class ") + "public final class ".length());
        name = name.substring(0, name.indexOf(' '));
        sources.add(source("com/example/" + name + ".java",
            block.replace("import com.example.models.Mlp;", "import dev.netspec.examples.seed.Mlp;")));
      } else {
        sources.add(source("doc/Block" + i + ".java", "package doc;\n" + IMPORTS + "\nimport dev.netspec.spark"
            + ".NetspecScorer;\n\nfinal class Block" + i + " {\n"
            + "  static void run(SparkSession spark) {\n" + block + "  }\n}\n"));
      }
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    List<String> options = List.of("--release", "17", "-Xlint:all", "-proc:none", "-d", out.toString(),
        "-classpath", System.getProperty("java.class.path"));
    boolean ok = javac.getTask(null, null, diagnostics, options, null, sources).call();
    List<String> problems = new ArrayList<>();
    for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
      problems.add(d.getKind() + " " + d.getSource().getName() + ":" + d.getLineNumber() + ": " + d.getMessage(null));
    }
    assertEquals(List.of(), problems, DOC + ": javac on its java blocks");
    assertTrue(ok, "javac failed");
    assertTrue(Files.isRegularFile(out.resolve("com/example/ScoreEvents.class")), "the job compiled");
  }

  /** The text of each fenced {@code java} block. */
  private static List<String> javaBlocks(String doc) {
    List<String> blocks = new ArrayList<>();
    int at = 0;
    while ((at = doc.indexOf("```java\n", at)) >= 0) {
      int start = at + "```java\n".length();
      int end = doc.indexOf("```\n", start);
      blocks.add(doc.substring(start, end));
      at = end;
    }
    return blocks;
  }

  private static JavaFileObject source(String path, String text) {
    return new SimpleJavaFileObject(URI.create("mem:///" + path), JavaFileObject.Kind.SOURCE) {
      @Override
      public CharSequence getCharContent(boolean ignoreEncodingErrors) {
        return text;
      }
    };
  }
}
