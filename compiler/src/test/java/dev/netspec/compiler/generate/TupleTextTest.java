package dev.netspec.compiler.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netspec.compiler.check.Model;
import dev.netspec.compiler.infer.DType;
import dev.netspec.compiler.infer.Dim;
import dev.netspec.compiler.infer.Shape;
import dev.netspec.compiler.infer.Type;
import dev.netspec.compiler.parse.Ast;
import dev.netspec.compiler.parse.ForwardParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * An unpacking's targets and a tuple result's comment ({@link Tuples#targets}, {@link
 * Tuples#comment}), against Python's rules: {@code out, (h, c) = lstm(x)} binds the three
 * tensors in order, {@code _} discards one item (all the tensors of a nested tuple), and a
 * result prints as the nested tuple of its shapes, as PyTorch's {@code torch.Size}s would
 * ({@code ((batch, 5, 8), ((1, batch, 8), (1, batch, 8)))}). Direct calls, no spec.
 */
class TupleTextTest {
  private static final Type OUT = tensor(new Dim.Sym("batch"), new Dim.Known(5), new Dim.Known(8));
  private static final Type STATE = tensor(new Dim.Known(1), new Dim.Sym("batch"), new Dim.Known(8));
  /** {@code nn.LSTM}'s result: {@code (output, (h_n, c_n))}. */
  private static final Type LSTM = new Type.TupleT(List.of(OUT, new Type.TupleT(List.of(STATE, STATE))));

  private static Type tensor(Dim... dims) {
    return new Type.TensorT(new Shape(List.of(dims)));
  }

  private static Ast.Name name(String n) {
    return new Ast.Name(null, n);
  }

  private static Ast.Tuple tuple(Ast.Expr... items) {
    return new Ast.Tuple(null, List.of(items));
  }

  private static List<String> names(List<Ast.Name> targets) {
    List<String> out = new ArrayList<>();
    targets.forEach(n -> out.add(n == null ? "_" : n.name()));
    return out;
  }

  @Test
  void targetsFollowTheValuesTensorsInOrder() {
    assertEquals(List.of("out", "h", "c"), names(Tuples.targets(tuple(name("out"), tuple(name("h"), name("c"))), LSTM)));
    // `_` discards one item: the state tuple's two tensors at once, or one tensor
    assertEquals(List.of("out", "_", "_"), names(Tuples.targets(tuple(name("out"), name("_")), LSTM)));
    assertEquals(List.of("_", "h", "c"), names(Tuples.targets(tuple(name("_"), tuple(name("h"), name("c"))), LSTM)));
    assertEquals(List.of("out", "h", "_"), names(Tuples.targets(tuple(name("out"), tuple(name("h"), name("_"))), LSTM)));
    // an item the value does not describe counts as one tensor
    assertEquals(List.of("a", "_"), names(Tuples.targets(tuple(name("a"), name("_")), OUT)));
  }

  @Test
  void aResultsCommentIsTheNestedTupleOfItsShapes() {
    assertEquals("((batch, 5, 8), ((1, batch, 8), (1, batch, 8)))", Tuples.comment(LSTM));
    assertEquals("(batch, 5, 8)", Tuples.comment(OUT));
    // attention without weights: (attn_output, None)
    assertEquals("((batch, 5, 8), None)", Tuples.comment(new Type.TupleT(List.of(OUT, new Type.NoneT()))));
    // a dtype other than float32 is named before the shape
    assertEquals("int64 (4,)", Tuples.comment(new Type.TensorT(new Shape(List.of(new Dim.Known(4))), DType.INT64)));
    assertEquals("(4,)", Tuples.comment(new Type.TensorT(new Shape(List.of(new Dim.Known(4))), DType.FLOAT32)));
    assertEquals("((...), (4,))", Tuples.comment(new Type.TupleT(List.of(new Type.NumT(true),
        tensor(new Dim.Known(4))))));
  }

  /** A block whose forward is {@code forward} (null: none); {@code components} reads nothing else. */
  private static Model.Block block(String forward) throws ForwardParser.SyntaxError {
    return new Model.Block("B", null, null, "p", null, Map.of(), List.of(), null, Map.of(), Map.of(), false, List.of(),
        forward == null ? null : ForwardParser.parse(forward), null, List.of(), Set.of(), List.of(), List.of(), null,
        List.of());
  }

  @Test
  void outputComponentsAreTheFirstTupleReturnsNamesElseTheirPlaces() throws Exception {
    assertEquals(List.of("out", "hN", "c"), Tuples.components(block("return out, (h_n, c)"), 3));
    assertEquals(List.of("item0", "item1"), Tuples.components(block("return out, (h_n, c)"), 2)); // not aligned
    assertEquals(List.of("item0", "item1"), Tuples.components(block("return h, h"), 2)); // one name twice
    assertEquals(List.of("a", "item1"), Tuples.components(block("return a, x + 1"), 2)); // not a name
    assertEquals(List.of("item0", "item0_"), Tuples.components(block("return x + 1, item0"), 2)); // distinct
    assertEquals(List.of("item0", "item1"), Tuples.components(block(null), 2));
    assertEquals(List.of("item0", "item1"), Tuples.components(block("return x"), 2));
    // the first tuple return in the order written, inside if, else and while too
    assertEquals(List.of("a", "b"), Tuples.components(block("y = x\nif n:\n  return a, b\nreturn c, d"), 2));
    assertEquals(List.of("a", "b"), Tuples.components(block("if n:\n  y = x\nelse:\n  return a, b\nreturn c, d"), 2));
    assertEquals(List.of("c", "d"), Tuples.components(block("if n:\n  y = x\nelse:\n  y = x\nreturn c, d"), 2));
    assertEquals(List.of("a", "b"), Tuples.components(block("while n:\n  return a, b\nreturn c, d"), 2));
    assertEquals(List.of("a", "b"), Tuples.components(block("return a, b\nreturn c, d"), 2));
  }
}
