package dev.netspec.compiler.infer;

import dev.netspec.compiler.check.Model.Block;
import dev.netspec.compiler.check.Model.DimRef;
import dev.netspec.compiler.check.Model.FixedDim;
import dev.netspec.compiler.check.Model.InputDecl;
import dev.netspec.compiler.check.Model.LazyDim;
import dev.netspec.compiler.check.Model.NamedDim;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The typed inputs a block's forward sees, by name: {@code x}, or those of {@code inputs:}. */
final class BlockSignature {
  private BlockSignature() {}

  /**
   * Every input's type in declaration order. The first has shape {@code input} (declared, or
   * given to {@code inspect}, or the first use's); the others have their declared shapes, with
   * the sizes the first binds ({@code batch}, {@code seq}) and the block's int arguments.
   */
  static Map<String, Type.TensorT> inputs(Block b, Map<String, Object> args, Shape input, DType dtype) {
    Map<String, Type.TensorT> out = new LinkedHashMap<>();
    if (b.inputs().isEmpty()) {
      out.put(InputDecl.DEFAULT_NAME, new Type.TensorT(input, dtype));
      return out;
    }
    InputDecl first = b.inputs().get(0);
    Map<String, Dim> bound = new HashMap<>();
    int lazy = 0;
    for (int i = 0; i < first.shape().size(); i++) {
      DimRef d = first.shape().get(i);
      if (d instanceof LazyDim) {
        lazy++;
      } else if (d instanceof NamedDim n && input.knownRank() && input.rank() == first.shape().size()) {
        bound.putIfAbsent(n.name(), input.dim(i));
      }
    }
    out.put(first.name(), new Type.TensorT(input, first.dtype()));
    for (InputDecl in : b.inputs().subList(1, b.inputs().size())) {
      List<Dim> dims = new ArrayList<>();
      for (DimRef d : in.shape()) {
        if (d instanceof FixedDim f) {
          dims.add(Dim.of(f.size()));
        } else if (d instanceof NamedDim n) {
          Dim bind = bound.get(n.name());
          dims.add(bind != null ? bind : args.get(n.name()) instanceof Dim a ? a : new Dim.Sym(n.name()));
        } else {
          dims.add(new Dim.Sym("?" + (++lazy)));
        }
      }
      out.put(in.name(), new Type.TensorT(new Shape(dims), in.dtype()));
    }
    return out;
  }
}
