package dev.netspec.compiler.infer;

import dev.netspec.compiler.check.Model.Block;
import dev.netspec.compiler.check.Model.DimRef;
import dev.netspec.compiler.check.Model.InputDecl;
import dev.netspec.compiler.check.Model.NamedDim;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The inputs' symbolic sizes as values of the forward: in {@code input: [batch, seq, 64]},
 * {@code batch} is the input's dim 0 and {@code seq} its dim 1, usable as ints
 * ({@code reshape(q, (batch, seq, heads, head_dim))}, {@code arange(seq)}). With several
 * {@code inputs:}, a symbol is read from the first input that has it. An int argument of the
 * same name is the argument. A block's {@code position:} is an int too ({@code arange(start,
 * start + seq)}), a parameter of its forward. The one place that says where a size symbol is read from.
 */
public final class SizeSymbols {
  private SizeSymbols() {}

  /** Where a size symbol is read: dim {@code dim} of the input named {@code input}. */
  public record Source(String input, int dim) {}

  /** Each size symbol of {@code block}'s inputs, by name: the input dim it is first read from. */
  public static Map<String, Source> inputDims(Block block) {
    Map<String, Source> out = new LinkedHashMap<>();
    for (InputDecl in : block.inputs()) {
      for (int i = 0; i < in.shape().size(); i++) {
        DimRef d = in.shape().get(i);
        if (d instanceof NamedDim n && !block.args().containsKey(n.name())) {
          out.putIfAbsent(n.name(), new Source(in.name(), i));
        }
      }
    }
    return out;
  }

  /** The size of each symbol for this instantiation's inputs: their dims by name. */
  static Map<String, Dim> values(Block block, Map<String, Type.TensorT> inputs) {
    Map<String, Dim> out = new LinkedHashMap<>();
    inputDims(block).forEach((name, src) -> {
      Type.TensorT t = inputs.get(src.input());
      if (t != null && t.shape().knownRank() && src.dim() < t.shape().rank()) {
        out.put(name, t.shape().dim(src.dim()));
      }
    });
    if (block.position() != null) {
      out.put(block.position(), new Dim.Sym(block.position())); // an int of the call, as a size is
    }
    return out;
  }
}
