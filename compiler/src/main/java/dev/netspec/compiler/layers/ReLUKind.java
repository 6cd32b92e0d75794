package dev.netspec.compiler.layers;

import com.palantir.javapoet.CodeBlock;
import dev.netspec.compiler.infer.Shape;
import java.util.List;

/**
 * {@code relu}: PyTorch's {@code nn.ReLU}; right after a {@code linear} it runs in the GEMM's
 * epilogue. {@code inplace: true} only changes the repr ({@code ReLU(inplace=True)}, as
 * torchvision's ResNet prints): the computation is the same.
 */
final class ReLUKind extends LayerKind {
  ReLUKind() {
    super("relu", "ReLU", null, List.of(ArgDef.optional("inplace", ArgDef.Type.BOOL, Boolean.FALSE)), List.of());
  }

  @Override
  public Inferred infer(Args args, Shape in, Context ctx) {
    return Inferred.of(in, runtimeClass(), Boolean.TRUE.equals(args.value("inplace", false)) ? "inplace=True" : "",
        in.numel());
  }

  @Override
  public String activation() {
    return "RELU";
  }

  @Override
  public CodeBlock construct(Names names) {
    return names.has("inplace") && !Boolean.FALSE.equals(names.literal("inplace"))
        ? CodeBlock.of("new $T($L)", javaClass(names.inferred()), names.value("inplace"))
        : super.construct(names);
  }
}
