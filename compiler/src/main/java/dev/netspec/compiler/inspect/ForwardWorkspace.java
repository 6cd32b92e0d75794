package dev.netspec.compiler.inspect;

import dev.netspec.compiler.check.Model.Block;
import dev.netspec.compiler.generate.JavaGenerator;
import dev.netspec.compiler.infer.Inference.Result;
import dev.netspec.compiler.infer.Shape;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The memory one allocation-free forward keeps between calls: the buffers of the generated
 * {@code forward(x, out)} of every block instance the forward runs (planned by the generator
 * itself, {@link JavaGenerator#workspaceBytes}), and the intermediate outputs of every inline
 * {@code Sequential} whose owner runs it with {@code forward(x, out)}. Parameters are not
 * counted, nor the output, which the caller owns.
 */
public final class ForwardWorkspace {
  private ForwardWorkspace() {}

  /** The float32 bytes, or -1 while a size is symbolic. */
  public static long bytes(ForwardGraph graph, List<Block> fileBlocks, String packageName) {
    Map<String, Block> blocks = new LinkedHashMap<>();
    fileBlocks.forEach(b -> blocks.put(b.name(), b));
    String pkg = packageName == null ? "inspect" : packageName;
    long total = 0;
    Set<String> allocating = new HashSet<>();
    for (Map.Entry<String, Result> e : graph.instances().entrySet()) {
      Result r = e.getValue();
      OptionalLong n = JavaGenerator.workspaceBytes(r.block(), r, graph.instanceArgs(e.getKey()), blocks, pkg);
      if (n.isEmpty()) {
        allocating.add(e.getKey());
      } else if (n.getAsLong() < 0) {
        return -1;
      } else {
        total += n.getAsLong();
      }
    }
    for (ForwardGraph.SequentialBuffers s : graph.sequentialBuffers()) {
      if (allocating.contains(s.owner())) {
        continue; // its owner calls forward(x), which keeps nothing
      }
      for (Shape shape : s.shapes()) {
        long n = shape.numel();
        if (n < 0) {
          return -1;
        }
        total += n * Float.BYTES;
      }
    }
    return total;
  }
}
