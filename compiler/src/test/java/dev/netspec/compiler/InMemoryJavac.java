package dev.netspec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles generated sources in memory against the test classpath (the real runtime), with
 * every lint on, and loads them. Any warning or error fails the test.
 */
final class InMemoryJavac {
  private InMemoryJavac() {}

  /** Compiles {@code files}; fails on any diagnostic; returns a loader of the classes. */
  static ClassLoader compile(List<GeneratedFile> files) {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    StandardJavaFileManager standard = javac.getStandardFileManager(diagnostics, null, null);
    Map<String, ByteArrayOutputStream> classes = new HashMap<>();
    ForwardingJavaFileManager<StandardJavaFileManager> manager = new ForwardingJavaFileManager<>(standard) {
      @Override
      public JavaFileObject getJavaFileForOutput(Location location, String className,
          JavaFileObject.Kind kind, FileObject sibling) {
        return new SimpleJavaFileObject(URI.create("mem:///" + className.replace('.', '/') + ".class"), kind) {
          @Override
          public OutputStream openOutputStream() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            classes.put(className, out);
            return out;
          }
        };
      }
    };
    List<JavaFileObject> sources = new ArrayList<>();
    for (GeneratedFile f : files) {
      sources.add(new SimpleJavaFileObject(URI.create("mem:///" + f.relativePath()), JavaFileObject.Kind.SOURCE) {
        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
          return f.content();
        }
      });
    }
    List<String> options = List.of("--release", "17", "-Xlint:all", "-proc:none",
        "-classpath", System.getProperty("java.class.path"));
    boolean ok = javac.getTask(null, manager, diagnostics, options, null, sources).call();
    List<String> problems = new ArrayList<>();
    for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
      problems.add(d.getKind() + " " + (d.getSource() == null ? "" : d.getSource().getName()) + ":"
          + d.getLineNumber() + ": " + d.getMessage(null));
    }
    assertEquals(List.of(), problems, "javac diagnostics for the generated sources");
    assertEquals(true, ok, "javac failed");
    return new ClassLoader(InMemoryJavac.class.getClassLoader()) {
      @Override
      protected Class<?> findClass(String name) throws ClassNotFoundException {
        ByteArrayOutputStream bytes = classes.get(name);
        if (bytes == null) {
          throw new ClassNotFoundException(name);
        }
        byte[] b = bytes.toByteArray();
        return defineClass(name, b, 0, b.length);
      }
    };
  }
}
