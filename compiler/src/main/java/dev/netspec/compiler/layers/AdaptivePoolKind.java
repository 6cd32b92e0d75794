package dev.netspec.compiler.layers;

import com.palantir.javapoet.CodeBlock;
import dev.netspec.compiler.infer.Ops.ShapeError;
import dev.netspec.compiler.infer.Shape;
import dev.netspec.compiler.parse.PyRepr;
import java.util.List;

/**
 * {@code adaptive_avg_pool1d}, {@code adaptive_avg_pool2d} and {@code adaptive_max_pool2d}:
 * PyTorch's {@code nn.AdaptiveAvgPool2d} and friends, whose spatial output is
 * {@code output_size} whatever the input's: {@code {adaptive_avg_pool2d: 1}} ends a ResNet.
 */
final class AdaptivePoolKind extends LayerKind {
  private final int spatial;

  AdaptivePoolKind(boolean max, int spatial) {
    super("adaptive_" + (max ? "max" : "avg") + "_pool" + spatial + "d",
        "Adaptive" + (max ? "Max" : "Avg") + "Pool" + spatial + "d", "output_size",
        List.of(ArgDef.required("output_size", ArgDef.Type.INT_LIST).positive()), List.of());
    this.spatial = spatial;
  }

  @Override
  public Inferred infer(Args args, Shape in, Context ctx) throws ShapeError {
    int[] size = args.ints("output_size", spatial, 1);
    Object given = args.value("output_size", null);
    String repr = "output_size=" + (given instanceof List<?> l && l.size() > 1 ? PyRepr.tuple(l)
        : String.valueOf(given instanceof List<?> l ? l.get(0) : given));
    if (!in.knownRank()) {
      return Inferred.of(Shape.ANY, runtimeClass(), repr, 0);
    }
    return Inferred.of(Pooling.adaptive(in, spatial, size), runtimeClass(), repr, Inferred.perElement(in, 1));
  }

  @Override
  public CodeBlock construct(Names names) {
    if (Windows.scalar(names, "output_size")) {
      return CodeBlock.of("new $T($L)", javaClass(names.inferred()), Windows.javaInts(names, "output_size", 1, true));
    }
    List<?> sizes = (List<?>) names.literal("output_size");
    return CodeBlock.of("new $T($L, $L)", javaClass(names.inferred()), sizes.get(0), sizes.get(1));
  }
}
