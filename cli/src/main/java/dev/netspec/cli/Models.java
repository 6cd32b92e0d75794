package dev.netspec.cli;

import dev.netspec.compiler.Compilation;
import dev.netspec.runtime.nn.Module;
import java.lang.reflect.InvocationTargetException;
import java.util.List;

/** Instances of generated blocks, compiled in memory. */
final class Models {
  private final Compilation compilation;
  private final ClassLoader loader;

  private Models(Compilation compilation, ClassLoader loader) {
    this.compilation = compilation;
    this.loader = loader;
  }

  /** Compiles every class of {@code compilation} with javac, in memory. */
  static Models compile(Compilation compilation, java.io.PrintWriter err) {
    int n = compilation.files().size();
    try (Progress p = Progress.start(err, "compiling " + n + " generated "
        + (n == 1 ? "class" : "classes") + " with javac")) {
      return new Models(compilation, MemoryCompiler.compile(compilation.files()));
    }
  }

  /** A new instance of {@code block}, initialized from {@code seed} ({@code new Mlp(seed)}). */
  Module create(String block, long seed) {
    String className = Blocks.file(compilation, block).className();
    try {
      Class<? extends Module> type = loader.loadClass(className).asSubclass(Module.class);
      return type.getConstructor(long.class).newInstance(seed);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException("constructing " + className + " failed", cause);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("generated class " + className
          + " lacks a public (long seed) constructor", e);
    }
  }

  /**
   * Whether {@code shape} fits {@code declared}, the block's input shape from inspection: equal
   * rank, equal integer dims; a symbolic or lazy dim (a string) takes any size.
   */
  static boolean fits(int[] shape, List<Object> declared) {
    if (declared == null) {
      return true;
    }
    if (shape.length != declared.size()) {
      return false;
    }
    for (int i = 0; i < shape.length; i++) {
      Object d = declared.get(i);
      if (d instanceof Number n && n.longValue() != shape[i]) {
        return false;
      }
    }
    return true;
  }
}
