package dev.netspec.compiler.layers;

import com.palantir.javapoet.CodeBlock;
import dev.netspec.compiler.infer.Shape;
import dev.netspec.compiler.parse.PyRepr;
import java.util.List;

/**
 * {@code leaky_relu}: PyTorch's {@code nn.LeakyReLU(negative_slope=0.01)}, {@code x} where
 * {@code x >= 0}, else {@code negative_slope * x}. {@code inplace: true} only changes the repr.
 */
final class LeakyReLUKind extends LayerKind {
  /** PyTorch's default {@code negative_slope}. */
  private static final double SLOPE = 0.01;

  LeakyReLUKind() {
    super("leaky_relu", "LeakyReLU", "negative_slope", List.of(
        ArgDef.optional("negative_slope", ArgDef.Type.FLOAT, SLOPE),
        ArgDef.optional("inplace", ArgDef.Type.BOOL, Boolean.FALSE)), List.of());
  }

  @Override
  public Inferred infer(Args args, Shape in, Context ctx) {
    String repr = "negative_slope=" + PyRepr.floatRepr(args.value("negative_slope", SLOPE))
        + (Boolean.TRUE.equals(args.value("inplace", false)) ? ", inplace=True" : "");
    return Inferred.of(in, runtimeClass(), repr, in.numel());
  }

  @Override
  public CodeBlock construct(Names names) {
    boolean inplace = names.has("inplace") && !Boolean.FALSE.equals(names.literal("inplace"));
    boolean slope = names.has("negative_slope");
    if (!inplace && !slope) {
      return super.construct(names);
    }
    CodeBlock value = slope ? names.value("negative_slope") : CodeBlock.of("$L", SLOPE);
    return inplace
        ? CodeBlock.of("new $T($L, $L)", javaClass(names.inferred()), value, names.value("inplace"))
        : CodeBlock.of("new $T($L)", javaClass(names.inferred()), value);
  }
}
