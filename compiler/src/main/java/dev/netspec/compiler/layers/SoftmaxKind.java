package dev.netspec.compiler.layers;

import com.palantir.javapoet.CodeBlock;
import dev.netspec.compiler.infer.Ops;
import dev.netspec.compiler.infer.Ops.ShapeError;
import dev.netspec.compiler.infer.Shape;
import java.util.List;

/** {@code softmax}: PyTorch's {@code nn.Softmax(dim)}; the output has the input's shape. */
class SoftmaxKind extends LayerKind {
  SoftmaxKind() {
    this("softmax", "Softmax");
  }

  SoftmaxKind(String name, String runtimeClass) {
    super(name, runtimeClass, "dim", List.of(ArgDef.required("dim", ArgDef.Type.INT)), List.of());
  }

  @Override
  public final Inferred infer(Args args, Shape in, Context ctx) throws ShapeError {
    long dim = args.known("dim", null);
    if (in.knownRank()) {
      Ops.dimIndex(in, dim, "dim");
    }
    return Inferred.of(in, runtimeClass(), "dim=" + dim, Inferred.perElement(in, 3));
  }

  @Override
  public final CodeBlock construct(Names names) {
    return CodeBlock.of("new $T($L)", javaClass(names.inferred()), names.value("dim"));
  }
}
