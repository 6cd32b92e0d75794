package dev.netspec.compiler.layers;

import dev.netspec.compiler.infer.Shape;
import java.util.List;

/** A layer without arguments or state that maps each element: the output has the input's shape. */
abstract class ElementwiseKind extends LayerKind {
  private final long flopsPerElement;
  private final String repr;

  ElementwiseKind(String name, String runtimeClass, long flopsPerElement, String repr) {
    super(name, runtimeClass, null, List.of(), List.of());
    this.flopsPerElement = flopsPerElement;
    this.repr = repr;
  }

  @Override
  public final Inferred infer(Args args, Shape in, Context ctx) {
    return Inferred.of(in, runtimeClass(), repr, flopsPerElement == 0 ? 0 : in.numel());
  }
}
