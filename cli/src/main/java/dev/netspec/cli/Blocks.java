package dev.netspec.cli;

import dev.netspec.compiler.Compilation;
import dev.netspec.compiler.GeneratedFile;
import dev.netspec.compiler.Inspection;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Choosing a block of a compiled spec: {@code --block B}, or the spec's one top-level block. */
final class Blocks {
  private Blocks() {}

  /**
   * The block to use: {@code requested} if it is a block of {@code spec}, else (when null) the
   * spec's one top-level block, or its only block. A {@code --block} that names no block of the
   * spec, or its absence where the spec has several top-level blocks, is a mistake in the command
   * line (exit {@link Netspec#USAGE}), the misspelled name answered with the closest block
   * ({@code mlp}: {@code did you mean 'Mlp'?}).
   */
  static String choose(Compilation compilation, Path spec, String requested)
      throws UserException {
    List<String> names = names(compilation, spec);
    if (requested != null) {
      if (!names.contains(requested)) {
        throw UserException.at(spec, Compilation.noBlockNamed(requested, names)).asUsage();
      }
      return requested;
    }
    String block = compilation.defaultBlock(spec);
    if (block == null && names.size() == 1) {
      block = names.get(0); // a block with arguments, given with --arg
    }
    if (block == null) {
      throw UserException.at(spec, "more than one top-level block; choose one with --block ("
          + String.join(", ", names) + ")").asUsage();
    }
    return block;
  }

  /** The names of the blocks defined in {@code spec}, in generated-file order. */
  static List<String> names(Compilation compilation, Path spec) {
    return compilation.files().stream().filter(f -> spec.equals(f.spec()))
        .map(Blocks::simpleName).toList();
  }

  /** The generated file of {@code block}. */
  static GeneratedFile file(Compilation compilation, String block) {
    return compilation.files().stream().filter(f -> simpleName(f).equals(block)).findFirst()
        .orElseThrow(() -> new IllegalStateException("no generated class for block " + block));
  }

  /**
   * Inspects {@code block}; an input shape the block refuses is the user's mistake.
   *
   * @param args values of the block's arguments ({@code Compilation.inspect})
   * @param inputShape a concrete input shape, or null for the block's declared one
   */
  static Inspection inspect(Compilation compilation, Path spec, String block,
      Map<String, Object> args, int[] inputShape) throws UserException {
    try {
      return compilation.inspect(block, args, inputShape);
    } catch (IllegalArgumentException e) {
      // Shape errors come as diagnostics, already "file:line:col: error: ..."
      String msg = e.getMessage();
      throw msg.contains(": error: ") ? new UserException(msg) : UserException.at(spec, msg);
    }
  }

  private static String simpleName(GeneratedFile f) {
    String name = f.className();
    return name.substring(name.lastIndexOf('.') + 1);
  }
}
