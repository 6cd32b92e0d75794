package dev.netspec.compiler.inspect;

import dev.netspec.compiler.check.Model.Block;
import dev.netspec.compiler.generate.JavaGenerator;
import dev.netspec.compiler.infer.Inference.Result;
import dev.netspec.compiler.infer.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The memory one allocation-free forward keeps between calls: the buffers of the generated
 * {@code forward(x, out)} of every block instance the forward runs (planned by the generator
 * itself, {@link JavaGenerator#workspaceBytes}), and the intermediate outputs of every inline
 * {@code Sequential}. Parameters are not counted, nor the output, which the caller owns.
 */
public final class ForwardWorkspace {
  private ForwardWorkspace() {}

  /** The float32 bytes, or -1 while a size is symbolic. */
  public static long bytes(ForwardGraph graph, List<Block> fileBlocks, String packageName) {
    Map<String, Block> blocks = new LinkedHashMap<>();
    fileBlocks.forEach(b -> blocks.put(b.name(), b));
    String pkg = packageName == null ? "inspect" : packageName;
    long total = 0;
    for (Result r : graph.instances().values()) {
      long n = JavaGenerator.workspaceBytes(r.block(), r, blocks, pkg);
      if (n < 0) {
        return -1;
      }
      total += n;
    }
    for (List<Shape> buffers : graph.sequentialBuffers().values()) {
      for (Shape s : buffers) {
        long n = s.numel();
        if (n < 0) {
          return -1;
        }
        total += n * Float.BYTES;
      }
    }
    return total;
  }
}
