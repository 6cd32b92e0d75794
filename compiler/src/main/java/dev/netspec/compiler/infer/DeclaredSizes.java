package dev.netspec.compiler.infer;

import dev.netspec.compiler.check.Checker;
import dev.netspec.compiler.check.Model.Block;
import dev.netspec.compiler.check.Model.DimRef;
import dev.netspec.compiler.check.Model.FixedDim;
import dev.netspec.compiler.check.Model.InputDecl;
import dev.netspec.compiler.check.Model.NamedDim;
import dev.netspec.compiler.check.Model.TensorDecl;
import dev.netspec.compiler.diag.Reporter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The sizes a block declares itself, its inputs' ({@code input:}, {@code inputs:}), its
 * parameters' and its buffers': the first input's shape as inference starts from it, and the
 * check that a block argument does not make one of them 0 or negative ({@code input: [batch,
 * dim]} or {@code shape: [dim, hidden]} with {@code dim} -2), as the checker refuses a literal 0.
 */
final class DeclaredSizes {
  private DeclaredSizes() {}

  /** The first input's shape with its names as symbols and each {@code "?"} a new one; any shape without one. */
  static Shape input(Block b) {
    if (b.input() == null) {
      return Shape.ANY;
    }
    List<Dim> dims = new ArrayList<>();
    int lazy = 0;
    for (DimRef d : b.input()) {
      if (d instanceof FixedDim f) {
        dims.add(Dim.of(f.size()));
      } else if (d instanceof NamedDim n) {
        dims.add(new Dim.Sym(n.name()));
      } else {
        dims.add(new Dim.Sym("?" + (++lazy)));
      }
    }
    return new Shape(dims);
  }

  /**
   * Reports every declared size that the int arguments {@code args} of one instantiation make
   * 0 or negative, where the spec names the argument, in the checker's words for a literal
   * ({@code Block: parameter sizes must be positive, got 0 (from dim)}); true if any.
   */
  static boolean refused(Block block, Map<String, Object> args, Reporter reporter) {
    boolean refused = false;
    for (InputDecl in : block.inputs()) {
      refused |= refused(block, in.shape(), "input", args, reporter);
    }
    for (TensorDecl p : block.params().values()) {
      refused |= refused(block, p.shape(), "parameter", args, reporter);
    }
    for (TensorDecl b : block.buffers().values()) {
      refused |= refused(block, b.shape(), "buffer", args, reporter);
    }
    return refused;
  }

  private static boolean refused(Block block, List<DimRef> shape, String what, Map<String, Object> args,
      Reporter reporter) {
    boolean refused = false;
    for (DimRef d : shape) {
      if (d instanceof NamedDim n && args.get(n.name()) instanceof Dim.Known k && k.size() <= 0) {
        reporter.error(n.pos(), Checker.nonPositiveSize(block.name(), what, k.size())
            + " (from " + n.name() + ")");
        refused = true;
      }
    }
    return refused;
  }
}
