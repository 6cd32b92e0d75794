package dev.netspec.examples;

import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * The compiler's golden attention blocks ({@code compiler/src/test/resources/golden/expected/
 * com/example/attention}: Mlp with the tanh GELU, Slices, MaskedAttention, CausalSelfAttention,
 * FusedAttention) compiled from their checked-in sources, for {@link SequenceAllocationChild}:
 * they are generated code the examples here do not cover.
 */
final class GoldenBlocks {
  private GoldenBlocks() {}

  /** One {@code forward(x, output)} of the golden block {@code name}, built and warmed by the caller. */
  static Runnable forwardInto(String name) {
    Module block;
    Tensor x;
    try {
      Class<?> type = compile().loadClass("com.example.attention." + name);
      switch (name) {
        case "Mlp" -> {
          block = (Module) type.getConstructor(long.class).newInstance(5L);
          x = Tensor.rand(new Generator(3L), 2, 5, 16);
        }
        case "Slices" -> {
          block = (Module) type.getConstructor(int.class, long.class).newInstance(3, 5L);
          x = Tensor.rand(new Generator(3L), 2, 6, 8).sub(0.5f);
        }
        case "MaskedAttention" -> {
          block = (Module) type.getConstructor(int.class, long.class).newInstance(8, 5L);
          x = Tensor.rand(new Generator(3L), 2, 6, 8);
        }
        default -> { // CausalSelfAttention, FusedAttention
          block = (Module) type.getConstructor(int.class, int.class, int.class, long.class)
              .newInstance(16, 4, 4, 5L);
          x = Tensor.rand(new Generator(3L), 2, 6, 16);
        }
      }
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
    block.eval();
    Tensor out = block.forward(x).clone();
    return () -> block.forward(x, out);
  }

  /** The golden attention sources compiled into a temporary folder, loaded over this class path. */
  private static ClassLoader compile() throws ReflectiveOperationException {
    Path sources = RepoFiles.root().resolve("compiler/src/test/resources/golden/expected/com/example/attention");
    try {
      Path classes = Files.createTempDirectory("golden-attention");
      List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "-cp",
          System.getProperty("java.class.path"), "-nowarn", "-proc:none"));
      try (Stream<Path> files = Files.list(sources)) {
        files.filter(p -> p.toString().endsWith(".java")).sorted().forEach(p -> args.add(p.toString()));
      }
      JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
      if (javac.run(null, null, System.err, args.toArray(new String[0])) != 0) {
        throw new IllegalStateException("the golden attention sources do not compile");
      }
      return new URLClassLoader(new java.net.URL[] {classes.toUri().toURL()}, GoldenBlocks.class.getClassLoader());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
