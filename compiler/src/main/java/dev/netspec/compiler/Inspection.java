package dev.netspec.compiler;

import java.util.List;

/**
 * What {@code netspec inspect} shows about one block at one input shape.
 *
 * <p>Shapes are lists of dims: an Integer for a known size, a String for a symbolic
 * ({@code "batch"}) or lazy ({@code "?"}) dim. An empty list is a scalar (rank 0); {@code null}
 * means the rank itself is not known.
 *
 * @param block the block name
 * @param inputShape the input shape asked for, else the block's declared {@code input:};
 *     {@code null} when neither exists (the block takes whatever its users give it), which is
 *     not the same as {@code []}, a declared scalar input
 * @param outputShape the inferred output shape; {@code null} when it is not known (no input
 *     shape to infer it from)
 * @param stateDict parameters and persistent buffers, every name of a shared tensor included
 * @param parameters the number of parameter scalars, a shared tensor counted once; -1 while
 *     some parameter's shape is open: a lazy ({@code "?"}) dim that only a concrete input shape
 *     fixes, or an argument of a block inspected on its own
 * @param parameterBytes float32 bytes of the parameters; -1 exactly when {@code parameters} is -1
 * @param flops one forward at this input: two per multiply-add, one per element of other
 *     operations; -1 if not fully known (symbolic dims, loops)
 * @param repr exactly what {@code Module.toString()} prints for a freshly built block
 * @param layers every module below the block, each once, in state-dict order
 * @param workspaceBytes float32 bytes of the buffers one forward writes its intermediates
 *     into (the generated {@code forward(x, out)}'s, of this block and every block and
 *     {@code Sequential} below it, a shared module once); -1 while a size is symbolic
 * @param dot the forward's data flow as a Graphviz digraph
 * @param inputs every input of the forward in order: {@code x} for {@code input:}, else the
 *     names of {@code inputs:}; {@code inputShape} is the first one's shape
 * @param outputs every tensor of the output in order: {@code y} for a tensor, {@code y.0},
 *     {@code y.1.0}, ... for the tensors of a tuple (nested ones flattened); empty when the
 *     output is not known
 */
public record Inspection(String block, List<Object> inputShape, List<Object> outputShape,
    List<StateEntry> stateDict, long parameters, long parameterBytes, long flops, String repr,
    List<LayerRow> layers, long workspaceBytes, String dot, List<Port> inputs, List<Port> outputs) {
  public Inspection {
    inputShape = inputShape == null ? null : List.copyOf(inputShape);
    outputShape = outputShape == null ? null : List.copyOf(outputShape);
    stateDict = List.copyOf(stateDict);
    layers = List.copyOf(layers);
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
  }

  /**
   * One input or output tensor of the forward: its name, its dtype as PyTorch names it
   * ({@code float32}, {@code int64}) and its shape (null when even the rank is unknown).
   */
  public record Port(String name, String dtype, List<Object> shape) {
    public Port {
      shape = shape == null ? null : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(shape));
    }
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
