package dev.netspec.compiler.layers;

import com.palantir.javapoet.CodeBlock;
import dev.netspec.compiler.infer.Shape;
import java.util.List;

/**
 * {@code silu}: PyTorch's {@code nn.SiLU}, {@code x * sigmoid(x)}. {@code inplace: true} only
 * changes the repr ({@code SiLU(inplace=True)}), as for {@code relu}.
 */
final class SiLUKind extends LayerKind {
  SiLUKind() {
    super("silu", "SiLU", null, List.of(ArgDef.optional("inplace", ArgDef.Type.BOOL, Boolean.FALSE)), List.of());
  }

  @Override
  public Inferred infer(Args args, Shape in, Context ctx) {
    return Inferred.of(in, runtimeClass(), Boolean.TRUE.equals(args.value("inplace", false)) ? "inplace=True" : "",
        in.numel());
  }

  @Override
  public CodeBlock construct(Names names) {
    return names.has("inplace") && !Boolean.FALSE.equals(names.literal("inplace"))
        ? CodeBlock.of("new $T($L)", javaClass(names.inferred()), names.value("inplace"))
        : super.construct(names);
  }
}
