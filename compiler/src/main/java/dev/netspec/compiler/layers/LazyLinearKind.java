package dev.netspec.compiler.layers;

import dev.netspec.compiler.infer.Dim;
import dev.netspec.compiler.infer.Ops.ShapeError;
import dev.netspec.compiler.infer.Shape;
import java.util.List;

/**
 * {@code lazy_linear}: PyTorch's {@code nn.LazyLinear}, a {@code linear} whose
 * {@code in_features} is always taken at the first forward, even when the compiler knows it.
 */
final class LazyLinearKind extends LinearKind {
  LazyLinearKind() {
    super("lazy_linear", "LazyLinear");
  }

  @Override
  public List<InferredArg> inferredArgs() {
    return List.of(); // never an error: the runtime always infers it
  }

  @Override
  public Inferred infer(Args args, Shape in, Context ctx) throws ShapeError {
    if (in.knownRank() && in.rank() == 0) {
      throw new ShapeError("expects a tensor of at least 1 dim, got a scalar");
    }
    Dim inF = ctx.generic() || !in.knownRank() ? new Dim.Sym("?") : in.dim(-1);
    return infer(args, in, ctx, inF);
  }

  @Override
  public boolean fusesActivation() {
    return false;
  }
}
