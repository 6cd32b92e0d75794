package dev.netspec.compiler.layers;

import com.palantir.javapoet.CodeBlock;
import dev.netspec.compiler.infer.Shape;
import java.util.List;

/**
 * {@code leaky_relu}: PyTorch's {@code nn.LeakyReLU(negative_slope=0.01)}, {@code x} where
 * {@code x >= 0}, else {@code negative_slope * x}. {@code inplace: true} only changes the repr.
 */
final class LeakyReLUKind extends LayerKind {
  LeakyReLUKind() {
    super("leaky_relu", "LeakyReLU", "negative_slope", List.of(
        ArgDef.optional("negative_slope", ArgDef.Type.FLOAT, 0.01),
        ArgDef.optional("inplace", ArgDef.Type.BOOL, Boolean.FALSE)), List.of());
  }

  @Override
  public Inferred infer(Args args, Shape in, Context ctx) {
    String repr = "negative_slope=" + PyRepr.floatRepr(args.value("negative_slope", 0.01))
        + (Boolean.TRUE.equals(args.value("inplace", false)) ? ", inplace=True" : "");
    return Inferred.of(in, runtimeClass(), repr, in.numel());
  }

  @Override
  public CodeBlock construct(Names names) {
    boolean inplace = names.has("inplace") && !Boolean.FALSE.equals(names.literal("inplace"));
    if (inplace) {
      return CodeBlock.of("new $T($L, $L)", javaClass(names.inferred()),
          names.has("negative_slope") ? names.value("negative_slope") : CodeBlock.of("0.01"), names.value("inplace"));
    }
    return names.has("negative_slope")
        ? CodeBlock.of("new $T($L)", javaClass(names.inferred()), names.value("negative_slope"))
        : super.construct(names);
  }
}
