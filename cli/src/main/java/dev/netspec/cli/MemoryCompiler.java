package dev.netspec.cli;

import dev.netspec.compiler.GeneratedFile;
import dev.netspec.runtime.nn.Module;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles generated sources with javax.tools, entirely in memory, against the netspec runtime,
 * and loads the classes: what {@code netspec run} and {@code demo} execute is exactly the code
 * {@code netspec compile} writes.
 */
final class MemoryCompiler {
  private MemoryCompiler() {}

  /**
   * Compiles every file and returns a loader for the classes.
   *
   * @param sourcePath folders of Java sources the generated code may use (the classes of
   *     {@code java:} initializers), compiled as needed, like javac's {@code -sourcepath}
   *
   * @throws IllegalStateException when there is no system Java compiler (a JRE)
   * @throws Rejected when javac rejects the generated code
   */
  static ClassLoader compile(List<GeneratedFile> files, List<Path> sourcePath) {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    if (javac == null) {
      throw new IllegalStateException("no Java compiler in this runtime: run netspec on a JDK");
    }
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    Map<String, ByteArrayOutputStream> classes = new HashMap<>();
    StandardJavaFileManager standard = javac.getStandardFileManager(diagnostics, Locale.ROOT,
        null);
    List<JavaFileObject> units = new ArrayList<>();
    for (GeneratedFile f : files) {
      units.add(new Source(f));
    }
    List<String> options = new ArrayList<>(List.of("--release", "17", "--add-modules",
        "jdk.incubator.vector", "-proc:none", "-implicit:class", "-classpath",
        runtimeClassPath()));
    if (!sourcePath.isEmpty()) {
      options.add("-sourcepath");
      options.add(sourcePath.stream().map(Path::toString)
          .collect(java.util.stream.Collectors.joining(File.pathSeparator)));
    }
    try (JavaFileManager manager = new ClassSink(standard, classes)) {
      boolean ok = javac.getTask(null, manager, diagnostics, options, null, units).call();
      if (!ok) {
        StringBuilder sb = new StringBuilder("javac rejected the generated code:");
        Set<String> rejected = new TreeSet<>();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
          if (d.getKind() != Diagnostic.Kind.ERROR) {
            continue;
          }
          sb.append(System.lineSeparator()).append(d);
          if (d.getSource() instanceof Source src) {
            rejected.add(src.relativePath);
          }
        }
        throw new Rejected(sb.toString(), rejected);
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return new BytesClassLoader(classes, Module.class.getClassLoader());
  }

  /** Where the runtime's classes come from: a jar, or a classes folder in a build. */
  private static String runtimeClassPath() {
    try {
      return Path.of(Module.class.getProtectionDomain().getCodeSource().getLocation().toURI())
          .toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** javac found errors in the generated code: a compiler bug, or a missing user class. */
  static final class Rejected extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** The relative paths of the generated files with errors. */
    final transient Set<String> files;

    Rejected(String message, Set<String> files) {
      super(message);
      this.files = files;
    }
  }

  /** A generated file as a javac source. */
  private static final class Source extends SimpleJavaFileObject {
    private final String content;
    private final String relativePath;

    Source(GeneratedFile f) {
      super(URI.create("string:///" + f.relativePath().replace(File.separatorChar, '/')),
          Kind.SOURCE);
      this.content = f.content();
      this.relativePath = f.relativePath();
    }

    @Override
    public CharSequence getCharContent(boolean ignoreEncodingErrors) {
      return content;
    }
  }

  /** Keeps javac's class files in memory, by binary name. */
  private static final class ClassSink extends ForwardingJavaFileManager<JavaFileManager> {
    private final Map<String, ByteArrayOutputStream> classes;

    ClassSink(JavaFileManager delegate, Map<String, ByteArrayOutputStream> classes) {
      super(delegate);
      this.classes = classes;
    }

    @Override
    public JavaFileObject getJavaFileForOutput(Location location, String className,
        JavaFileObject.Kind kind, FileObject sibling) {
      return new SimpleJavaFileObject(URI.create("mem:///" + className.replace('.', '/')
          + kind.extension), kind) {
        @Override
        public OutputStream openOutputStream() {
          ByteArrayOutputStream bytes = new ByteArrayOutputStream();
          classes.put(className, bytes);
          return bytes;
        }
      };
    }
  }

  /** Defines the compiled classes, delegating everything else to the runtime's loader. */
  private static final class BytesClassLoader extends ClassLoader {
    private final Map<String, ByteArrayOutputStream> classes;

    BytesClassLoader(Map<String, ByteArrayOutputStream> classes, ClassLoader parent) {
      super(parent);
      this.classes = classes;
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
      ByteArrayOutputStream bytes = classes.get(name);
      if (bytes == null) {
        throw new ClassNotFoundException(name);
      }
      byte[] b = bytes.toByteArray();
      return defineClass(name, b, 0, b.length);
    }
  }
}
