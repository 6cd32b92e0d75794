package dev.netspec.compiler.generate;

import dev.netspec.compiler.check.Model.BuiltinUse;
import dev.netspec.compiler.check.Model.Child;
import dev.netspec.compiler.infer.Inference.Result;
import dev.netspec.compiler.infer.Shape;
import dev.netspec.compiler.infer.Type;
import dev.netspec.compiler.layers.LayerKind;
import dev.netspec.compiler.parse.Ast;
import dev.netspec.compiler.parse.Ast.Expr;

/**
 * A chain of forward steps that one call of a layer's allocation-free form runs:
 * {@code act(norm(layer(in)) + add)}, each of {@code norm}, {@code + add} and {@code act}
 * optional but one at least, as ResNet's {@code relu(bn1(conv1(x)))} and
 * {@code relu(bn2(conv2(out)) + identity)}. Which layer absorbs what is the layer kinds'
 * decision ({@link LayerKind#absorbsNorm}, {@link LayerKind#fusesResidual},
 * {@link LayerKind#fusesActivation}); this class only finds the chains in a forward.
 *
 * @param layer the call of the layer that runs the chain
 * @param kind its kind
 * @param in its input
 * @param norm the normalization it absorbs, or null
 * @param add the residual added before the activation, or null
 * @param activation the runtime {@code Activation} constant, or null
 */
record Epilogue(Ast.Call layer, LayerKind kind, Expr in, Ast.Call norm, Expr add, String activation) {

  /** What the matcher asks of the block being generated. */
  interface Block {
    /** The builtin kind of the child {@code c} calls (a layer that is not lazy), or null. */
    LayerKind kindOf(Ast.Call c);

    /** Whether {@code c} calls a function of the forward language (not a child). */
    boolean isFunction(Ast.Call c);

    /** The inferred type of {@code e}. */
    Type typeOf(Expr e);

    /** The value standing for the variable {@code name} (a step deferred to its one use), or null. */
    Expr deferred(String name);
  }

  /** The chain {@code e} is, or null. */
  static Epilogue match(Expr e, Block block) {
    Expr inner = e;
    String activation = null;
    if (e instanceof Ast.Call c && c.args().size() == 1 && activationOf(c, block) != null) {
      activation = activationOf(c, block);
      inner = resolve(c.args().get(0), block);
    }
    if (inner instanceof Ast.Binary b && b.op().equals("+")) {
      Shape out = shapeOf(e, block);
      Epilogue left = chain(resolve(b.left(), block), b.right(), activation, out, block);
      return left != null ? left : chain(resolve(b.right(), block), b.left(), activation, out, block);
    }
    return chain(inner, null, activation, null, block);
  }

  /** {@code act(norm(layer(in)) + add)} with {@code e} the {@code norm(layer(in))} part. */
  private static Epilogue chain(Expr e, Expr add, String activation, Shape out, Block block) {
    if (!(e instanceof Ast.Call c) || c.args().size() != 1 || block.kindOf(c) == null) {
      return null;
    }
    Ast.Call norm = null;
    Ast.Call layer = c;
    if (c.args().get(0) instanceof Ast.Call l && l.args().size() == 1 && block.kindOf(l) != null
        && block.kindOf(l).absorbsNorm(block.kindOf(c))) {
      norm = c;
      layer = l;
    }
    LayerKind kind = block.kindOf(layer);
    if (add != null && (!kind.fusesResidual() || out == null || !out.equals(shapeOf(add, block))
        || !out.equals(shapeOf(layer, block)))) {
      return null; // a broadcasting add is not a residual
    }
    if (activation != null && !kind.fusesActivation(activation) || norm == null && add == null && activation == null) {
      return null;
    }
    return new Epilogue(layer, kind, layer.args().get(0), norm, add, activation);
  }

  /** The activation constant of a call to an activation child or to {@code relu(x)}, or null. */
  private static String activationOf(Ast.Call c, Block block) {
    LayerKind k = block.kindOf(c);
    if (k != null) {
      return k.activation();
    }
    return block.isFunction(c) && c.callee().equals("relu") ? "RELU" : null;
  }

  private static Expr resolve(Expr e, Block block) {
    Expr d = e instanceof Ast.Name n ? block.deferred(n.name()) : null;
    return d != null ? d : e;
  }

  private static Shape shapeOf(Expr e, Block block) {
    return block.typeOf(e) instanceof Type.TensorT t && t.shape().knownRank() ? t.shape() : null;
  }

  /** The builtin kind of the child named {@code name} in {@code result}'s block, if not lazy; else null. */
  static LayerKind childKind(Result result, String name) {
    for (Child child : result.block().children()) {
      if (child.name().equals(name) && child.use() instanceof BuiltinUse b && !result.lazy(b)) {
        return b.kind();
      }
    }
    return null;
  }
}
