package dev.netspec.compiler;

import java.util.List;

/**
 * What {@code netspec inspect} shows about one block at one input shape.
 *
 * @param block the block name
 * @param inputShape dims as Integer, or String for symbolic ({@code "batch"}) and lazy ({@code "?"}) dims
 * @param outputShape the inferred output shape, in the same form
 * @param stateDict parameters and persistent buffers, every name of a shared tensor included
 * @param parameters the number of parameter scalars, a shared tensor counted once; -1 if not known
 * @param parameterBytes float32 bytes of the parameters; -1 if not known
 * @param flops one forward at this input: two per multiply-add, one per element of other
 *     operations; -1 if not fully known (symbolic dims, loops)
 * @param repr exactly what {@code Module.toString()} prints for a freshly built block
 * @param layers every module below the block, each once, in state-dict order
 */
public record Inspection(String block, List<Object> inputShape, List<Object> outputShape,
    List<StateEntry> stateDict, long parameters, long parameterBytes, long flops, String repr,
    List<LayerRow> layers) {
  public Inspection {
    inputShape = List.copyOf(inputShape);
    outputShape = List.copyOf(outputShape);
    stateDict = List.copyOf(stateDict);
    layers = List.copyOf(layers);
  }

  /** One state-dict entry. */
  public record StateEntry(String name, List<Object> shape) {
    public StateEntry {
      shape = List.copyOf(shape);
    }
  }

  /**
   * One module of the tree.
   *
   * @param path its dotted name ({@code 0.block1.2})
   * @param type the spec type ({@code linear}, a block name, {@code sequential})
   * @param outputShape its output at the first call (empty if never called)
   * @param parameters its parameter scalars, its subtree included, shared ones once
   */
  public record LayerRow(String path, String type, List<Object> outputShape, long parameters) {
    public LayerRow {
      outputShape = List.copyOf(outputShape);
    }
  }
}
