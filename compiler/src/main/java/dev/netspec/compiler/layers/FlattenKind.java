package dev.netspec.compiler.layers;

import com.palantir.javapoet.CodeBlock;
import dev.netspec.compiler.infer.Ops;
import dev.netspec.compiler.infer.Ops.ShapeError;
import dev.netspec.compiler.infer.Shape;
import java.util.List;

/** {@code flatten}: PyTorch's {@code nn.Flatten(start_dim=1, end_dim=-1)}. */
final class FlattenKind extends LayerKind {
  FlattenKind() {
    super("flatten", "Flatten", null, List.of(ArgDef.optional("start_dim", ArgDef.Type.INT, 1L),
        ArgDef.optional("end_dim", ArgDef.Type.INT, -1L)), List.of());
  }

  @Override
  public Inferred infer(Args args, Shape in, Context ctx) throws ShapeError {
    long start = args.known("start_dim", 1L);
    long end = args.known("end_dim", -1L);
    return Inferred.of(Ops.flatten(in, start, end), runtimeClass(), "start_dim=" + start + ", end_dim=" + end, 0);
  }

  @Override
  public CodeBlock construct(Names names) {
    if (!names.has("start_dim") && !names.has("end_dim")) {
      return super.construct(names);
    }
    return CodeBlock.of("new $T($L, $L)", javaClass(names.inferred()),
        names.has("start_dim") ? names.value("start_dim") : CodeBlock.of("1"),
        names.has("end_dim") ? names.value("end_dim") : CodeBlock.of("-1"));
  }
}
