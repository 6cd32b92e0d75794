package dev.netspec.compiler.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.netspec.compiler.infer.Dim;
import dev.netspec.compiler.infer.Shape;
import dev.netspec.compiler.infer.Type;
import dev.netspec.compiler.layers.LayerKind;
import dev.netspec.compiler.layers.LayerKinds;
import dev.netspec.compiler.parse.Ast;
import dev.netspec.compiler.parse.Ast.Expr;
import dev.netspec.compiler.parse.ForwardParser;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Which forward expressions one allocation-free layer call runs ({@code
 * act(norm(layer(in)) + add)}, {@link Epilogue#match}), by the layer kinds' own rules: a
 * convolution absorbs a batch norm of its spatial rank and fuses a residual of its output's
 * shape and a ReLU; a linear layer fuses ReLU and GELU but no residual. The children are the
 * real layer kinds; the shapes are given by hand (a broadcasting add is not a residual).
 */
class EpilogueMatchTest {
  private static final Shape OUT = new Shape(java.util.List.of(new Dim.Sym("batch"), new Dim.Known(8),
      new Dim.Known(4), new Dim.Known(4)));
  private static final Shape BROADCAST = new Shape(java.util.List.of(new Dim.Known(1), new Dim.Known(8),
      new Dim.Known(1), new Dim.Known(1)));

  /** A block whose children are {@code conv}, {@code bn}, {@code bn1}, {@code act}, {@code gelu}, {@code fc}. */
  private static final class Net implements Epilogue.Block {
    final Map<String, LayerKind> kinds = new HashMap<>(Map.of(
        "conv", LayerKinds.get("conv2d"), "bn", LayerKinds.get("batch_norm2d"), "bn1", LayerKinds.get("batch_norm1d"),
        "act", LayerKinds.get("relu"), "gelu", LayerKinds.get("gelu"), "fc", LayerKinds.get("linear")));
    /** Shapes by variable name, by a call's callee ({@code "conv()"}), else {@code "*"}. */
    final Map<String, Shape> shapes = new HashMap<>();
    final Map<String, Expr> deferred = new HashMap<>();

    @Override
    public LayerKind kindOf(Ast.Call c) {
      return kinds.get(c.callee());
    }

    @Override
    public boolean isFunction(Ast.Call c) {
      return !kinds.containsKey(c.callee());
    }

    @Override
    public Type typeOf(Expr e) {
      String key = e instanceof Ast.Name n ? n.name() : e instanceof Ast.Call c ? c.callee() + "()" : "*";
      Shape s = shapes.getOrDefault(key, OUT);
      return s == null ? new Type.NoneT() : new Type.TensorT(s);
    }

    @Override
    public Expr deferred(String name) {
      return deferred.get(name);
    }
  }

  private static Expr expr(String text) throws ForwardParser.SyntaxError {
    return ((Ast.Return) ForwardParser.parse("return " + text).get(0)).value();
  }

  /** The match of {@code text} as {@code layer(in) norm add activation}, or "none". */
  private static String match(String text, Net net) throws ForwardParser.SyntaxError {
    Epilogue e = Epilogue.match(expr(text), net);
    if (e == null) {
      return "none";
    }
    assertSame(net.kindOf(e.layer()), e.kind());
    assertSame(e.layer().args().get(0), e.in());
    return e.layer().callee() + "(" + name(e.in()) + ") " + (e.norm() == null ? "-" : e.norm().callee()) + " "
        + (e.add() == null ? "-" : name(e.add())) + " " + (e.activation() == null ? "-" : e.activation());
  }

  private static String name(Expr e) {
    return e instanceof Ast.Name n ? n.name() : e.getClass().getSimpleName();
  }

  @Test
  void aConvolutionRunsItsBatchNormResidualAndReluInOneCall() throws Exception {
    Net net = new Net();
    assertEquals("conv(x) bn y RELU", match("relu(bn(conv(x)) + y)", net));
    assertEquals("conv(x) bn y RELU", match("act(y + bn(conv(x)))", net));
    assertEquals("conv(x) bn y -", match("bn(conv(x)) + y", net));
    assertEquals("conv(x) - y -", match("conv(x) + y", net));
    assertEquals("conv(x) - - RELU", match("relu(conv(x))", net));
    assertEquals("conv(x) - - RELU", match("act(conv(x))", net));
    assertEquals("conv(x) bn - -", match("bn(conv(x))", net));
    assertEquals("conv(x) bn - RELU", match("act(bn(conv(x)))", net));
  }

  @Test
  void nothingToFuseOrWhatTheLayerCannotFuseIsNoChain() throws Exception {
    Net net = new Net();
    assertEquals("none", match("conv(x)", net)); // nothing after the layer
    assertEquals("none", match("relu(x)", net));
    assertEquals("none", match("x + y", net));
    assertEquals("none", match("sigmoid(conv(x))", net)); // a function other than relu
    assertEquals("none", match("relu(conv(x), y)", net)); // not one argument
    assertEquals("none", match("gelu(conv(x))", net)); // a convolution fuses ReLU only
    assertEquals("fc(x) - - GELU", match("gelu(fc(x))", net)); // a linear layer fuses GELU too
    assertEquals("none", match("fc(x) + y", net)); // no residual in a linear layer
    assertEquals("none", match("relu(fc(x) + y)", net));
    assertEquals("none", match("bn1(conv(x))", net)); // a batch norm of another rank is a layer of its own
    assertEquals("none", match("x - conv(x)", net));
    assertEquals("none", match("relu(x - conv(x))", net));
  }

  @Test
  void aResidualMustHaveTheOutputsShape() throws Exception {
    Net net = new Net();
    net.shapes.put("b", BROADCAST);
    assertEquals("none", match("relu(conv(x) + b)", net)); // broadcast: not a residual
    assertEquals("none", match("relu(b + conv(x))", net));
    net.shapes.put("conv()", BROADCAST); // the layer's output differs from the sum's
    assertEquals("none", match("relu(conv(x) + y)", net));
    net.shapes.remove("conv()");
    net.shapes.put("relu()", null); // the result's type not a tensor
    assertEquals("none", match("relu(conv(x) + y)", net));
    net.shapes.put("relu()", Shape.ANY); // its rank unknown
    assertEquals("none", match("relu(conv(x) + y)", net));
  }

  @Test
  void aDeferredStepIsReadThroughItsVariable() throws Exception {
    Net net = new Net();
    net.deferred.put("h", expr("bn(conv(x))"));
    assertEquals("conv(x) bn y RELU", match("relu(h + y)", net));
    assertEquals("conv(x) bn y RELU", match("relu(y + h)", net));
    assertEquals("conv(x) bn - RELU", match("relu(h)", net));
    assertEquals("none", match("relu(g + y)", net)); // g is not deferred
  }
}
