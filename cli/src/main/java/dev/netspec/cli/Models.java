package dev.netspec.cli;

import dev.netspec.compiler.Compilation;
import dev.netspec.compiler.GeneratedFile;
import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.tensor.DType;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** Instances of generated blocks, compiled in memory. */
final class Models {
  private final Compilation compilation;
  private final ClassLoader loader;

  private Models(Compilation compilation, ClassLoader loader) {
    this.compilation = compilation;
    this.loader = loader;
  }

  /** Compiles every class of {@code compilation} with javac, in memory. */
  static Models compile(Compilation compilation, List<Path> sourcePath, Streams streams) {
    int n = compilation.files().size();
    return streams.timed("compiling " + n + " generated " + (n == 1 ? "class" : "classes")
        + " with javac", () -> new Models(compilation,
        MemoryCompiler.compile(compilation.files(), sourcePath)));
  }

  /**
   * Compiles what javac accepts: files with errors (such as a {@code java:} initializer whose
   * class is not on netspec's classpath) are left out, with every file that then fails in
   * turn, and reported to {@code skipped}.
   */
  static Models compileWhatCompiles(Compilation compilation, List<Path> sourcePath,
      Streams streams,
      java.util.function.Consumer<String> skipped) {
    List<GeneratedFile> files = new java.util.ArrayList<>(compilation.files());
    return streams.timed("compiling " + files.size() + " generated classes with javac", () -> {
      while (true) {
        try {
          return new Models(compilation, MemoryCompiler.compile(files, sourcePath));
        } catch (MemoryCompiler.Rejected e) {
          if (e.files.isEmpty()) {
            throw e;
          }
          files.removeIf(f -> e.files.contains(f.relativePath()));
          e.files.forEach(skipped);
        }
      }
    });
  }

  /** Whether {@code block}'s class was compiled. */
  boolean has(String block) {
    try {
      loader.loadClass(Blocks.file(compilation, block).className());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  /** Whether {@code block}'s class is a subtype of {@code type} (such as {@code CausalLM}). */
  boolean is(String block, Class<?> type) {
    try {
      return type.isAssignableFrom(loader.loadClass(Blocks.file(compilation, block).className()));
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  /** A new instance of {@code block}, which takes no arguments, from {@code seed}. */
  Module create(String block, long seed) {
    return create(block, List.of(), seed);
  }

  /**
   * A new instance of {@code block}, initialized from {@code seed}: {@code new Mlp(seed)}, or
   * with the block's arguments first, {@code new ResidualBlock(32, 64, seed)}.
   *
   * @param args the arguments in declaration order: Integer, Double or Boolean
   */
  Module create(String block, List<Object> args, long seed) {
    String className = Blocks.file(compilation, block).className();
    Class<?>[] types = new Class<?>[args.size() + 1];
    Object[] values = new Object[args.size() + 1];
    for (int i = 0; i < args.size(); i++) {
      Object a = args.get(i);
      types[i] = a instanceof Integer ? int.class : a instanceof Double ? double.class
          : boolean.class;
      values[i] = a;
    }
    types[args.size()] = long.class;
    values[args.size()] = seed;
    try {
      Class<? extends Module> type = loader.loadClass(className).asSubclass(Module.class);
      return type.getConstructor(types).newInstance(values);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException("constructing " + className + " failed", cause);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("generated class " + className + " lacks a public ("
          + Arrays.stream(types).map(Class::getName).collect(Collectors.joining(", "))
          + ") constructor", e);
    }
  }

  /**
   * {@code 'x' is torch.int64, but Mlp takes a float32 input: save X.float()}: an input of the
   * wrong dtype, with PyTorch's conversion to save instead ({@code X.long()} for int64 ids).
   */
  static String dtypeMismatch(String name, DType found, String block, String wanted) {
    boolean ids = wanted.equals("int64");
    return "'" + name + "' is " + found + ", but " + block + " takes " + (ids ? "an " : "a ") + wanted
        + " input: save " + (ids ? "X.long()" : "X.float()") + " as '" + name + "'";
  }

  /**
   * What to do when {@code shape} does not fit {@code declared}, has another rank, but holds
   * the same number of values per sample ({@code [8, 784]} for {@code [batch, 1, 28, 28]}): {@code "; reshape it to
   * [8, 1, 28, 28] (x.view(-1, 1, 28, 28) in PyTorch)"}, or "" if it does not.
   */
  static String reshapeHint(String name, int[] shape, List<Object> declared) {
    if (declared == null || shape.length == 0 || declared.size() < 2
        || shape.length == declared.size()) { // same rank: a permutation, perhaps, not a view
      return "";
    }
    long have = 1;
    for (int i = 1; i < shape.length; i++) {
      have *= shape[i];
    }
    long want = 1;
    List<String> dims = new java.util.ArrayList<>(List.of(Integer.toString(shape[0])));
    for (int i = 1; i < declared.size(); i++) {
      if (!(declared.get(i) instanceof Number n)) {
        return "";
      }
      want *= n.longValue();
      dims.add(Long.toString(n.longValue()));
    }
    if (have != want) {
      return "";
    }
    return "; it holds the same " + want + " values per sample: reshape it to ["
        + String.join(", ", dims) + "] (" + name + ".view(-1, " + String.join(", ", dims.subList(1, dims.size()))
        + ") in PyTorch)";
  }

  /**
   * Whether {@code shape} fits {@code declared}, the block's input shape from inspection: equal
   * rank, equal integer dims; a symbolic or lazy dim (a string) takes any size. A block without
   * {@code input:} (null) takes any shape.
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
