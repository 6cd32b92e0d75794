package dev.netspec.compiler.infer;

import dev.netspec.compiler.check.Model.Block;
import dev.netspec.compiler.check.Model.DimRef;
import dev.netspec.compiler.check.Model.NamedDim;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The input's symbolic sizes as values of the forward: in {@code input: [batch, seq, 64]},
 * {@code batch} is the input's dim 0 and {@code seq} its dim 1, usable as ints
 * ({@code reshape(q, (batch, seq, heads, head_dim))}, {@code arange(seq)}). An int argument of
 * the same name is the argument. The one place that says where a size symbol is read from.
 */
public final class SizeSymbols {
  private SizeSymbols() {}

  /** Each size symbol of {@code block}'s input, by name: the input dim it is first read from. */
  public static Map<String, Integer> inputDims(Block block) {
    Map<String, Integer> out = new LinkedHashMap<>();
    if (block.input() == null) {
      return out;
    }
    for (int i = 0; i < block.input().size(); i++) {
      DimRef d = block.input().get(i);
      if (d instanceof NamedDim n && !block.args().containsKey(n.name())) {
        out.putIfAbsent(n.name(), i);
      }
    }
    return out;
  }

  /** The size of each symbol for this instantiation's {@code input}: its dims by name. */
  static Map<String, Dim> values(Block block, Shape input) {
    Map<String, Dim> out = new LinkedHashMap<>();
    inputDims(block).forEach((name, i) -> {
      if (input.knownRank() && i < input.rank()) {
        out.put(name, input.dim(i));
      }
    });
    return out;
  }
}
