package dev.netspec.compiler;

import java.util.List;

// THROWAWAY facade stub (delete before merging branch `compiler`).
public record Inspection(String block, List<Object> inputShape, List<Object> outputShape,
    List<StateEntry> stateDict, long parameters, long parameterBytes, long flops, String repr,
    List<LayerRow> layers) {
  public record StateEntry(String name, List<Object> shape) {}

  public record LayerRow(String path, String type, List<Object> outputShape, long parameters) {}
}
