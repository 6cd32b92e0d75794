package dev.netspec.compiler.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@link Ops}' shape rules against PyTorch's on concrete shapes (fixtures/shape_ops.json,
 * made by tools/fixtures/shape_ops_fixtures.py): broadcasting, matmul, sum(dim, keepdim),
 * flatten, transpose and cat give PyTorch's output shape, and refuse what PyTorch refuses.
 * The lazy and symbolic rules, which PyTorch has no counterpart for, are checked by hand.
 */
class OpsParityTest {
  static Stream<JsonNode> cases() throws IOException {
    try (InputStream in = OpsParityTest.class.getResourceAsStream("/fixtures/shape_ops.json")) {
      JsonNode root = JsonMapper.builder().build().readTree(in);
      List<JsonNode> out = new ArrayList<>();
      root.get("cases").forEach(out::add);
      return out.stream();
    }
  }

  private static Shape shape(JsonNode dims) {
    List<Dim> out = new ArrayList<>();
    dims.forEach(d -> out.add(Dim.of(d.asInt())));
    return new Shape(out);
  }

  private interface Rule {
    Shape apply() throws Ops.ShapeError;
  }

  private static Shape apply(JsonNode c) throws Ops.ShapeError {
    switch (c.get("op").asString()) {
      case "broadcast":
        return Ops.broadcast(shape(c.get("a")), shape(c.get("b")));
      case "matmul":
        return Ops.matmul(shape(c.get("a")), shape(c.get("b")));
      case "sum":
        return Ops.reduce(shape(c.get("a")), c.get("dim").asLong(), c.get("keepdim").asBoolean());
      case "flatten":
        return Ops.flatten(shape(c.get("a")), c.get("start").asLong(), c.get("end").asLong());
      case "transpose":
        return Ops.transpose(shape(c.get("a")), c.get("d0").asLong(), c.get("d1").asLong());
      case "cat": {
        List<Shape> parts = new ArrayList<>();
        c.get("parts").forEach(p -> parts.add(shape(p)));
        return Ops.concat(parts, c.get("dim").asLong());
      }
      default:
        throw new AssertionError(c.toString());
    }
  }

  @ParameterizedTest
  @MethodSource("cases")
  void agreesWithPyTorch(JsonNode c) {
    JsonNode expected = c.get("out");
    if (expected.isNull()) {
      Ops.ShapeError e = assertThrows(Ops.ShapeError.class, () -> apply(c), c.toString());
      assertEquals(false, e.getMessage().isEmpty());
    } else {
      Shape out;
      try {
        out = apply(c);
      } catch (Ops.ShapeError e) {
        throw new AssertionError(c + ": " + e.getMessage(), e);
      }
      assertEquals(shape(expected), out, c.toString());
    }
  }

  private static Shape of(Object... dims) {
    List<Dim> out = new ArrayList<>();
    for (Object d : dims) {
      out.add(d instanceof Integer i ? Dim.of(i) : new Dim.Sym((String) d));
    }
    return new Shape(out);
  }

  private static Shape check(Rule rule) {
    try {
      return rule.apply();
    } catch (Ops.ShapeError e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }

  @Test
  void unknownRanksAndLazyDimsDeferToTheFirstForward() {
    Shape any = Shape.ANY;
    assertEquals(any, check(() -> Ops.broadcast(any, of(2))));
    assertEquals(any, check(() -> Ops.broadcast(of(2), any)));
    assertEquals(any, check(() -> Ops.matmul(any, of(2, 3))));
    assertEquals(any, check(() -> Ops.matmul(of(2, 3), any)));
    assertEquals(any, check(() -> Ops.reduce(any, 0L, false)));
    assertEquals(Shape.SCALAR, check(() -> Ops.reduce(any, null, false)));
    assertEquals(any, check(() -> Ops.flatten(any, 0, -1)));
    assertEquals(any, check(() -> Ops.transpose(any, 0, 1)));
    assertEquals(any, check(() -> Ops.concat(List.of(any, of(2)), 0)));
    // A lazy dim broadcasts against anything (the runtime checks it); the other side wins.
    assertEquals(of(5, "batch"), check(() -> Ops.broadcast(of("?1", "batch"), of(5, 1))));
    assertEquals(of(5, 3), check(() -> Ops.broadcast(of(5, 3), of("?1", "?2"))));
    assertEquals(of(2, "n"), check(() -> Ops.matmul(of(2, "?1"), of(4, "n"))));
    assertEquals(of(2, "?1"), check(() -> Ops.concat(List.of(of(2, 3), of("?1", "?1")), 1)));
  }

  @Test
  void symbolsFollowTheSameRules() {
    assertEquals(of("batch", 3), check(() -> Ops.broadcast(of("batch", 3), of("batch", 1))));
    Ops.ShapeError e = assertThrows(Ops.ShapeError.class,
        () -> Ops.broadcast(of("batch", 3), of("seq", 3)));
    assertEquals("cannot broadcast [batch, 3] with [seq, 3]", e.getMessage());
    assertEquals(of("b", "h", "s", "s"),
        check(() -> Ops.matmul(of("b", "h", "s", "d"), of("b", "h", "d", "s"))));
    Ops.ShapeError inner = assertThrows(Ops.ShapeError.class,
        () -> Ops.matmul(of("b", "d"), of("e", 4)));
    assertEquals("matmul [b, d] @ [e, 4]: inner dims differ (d and e)", inner.getMessage());
    assertEquals(Dim.times(new Dim.Sym("s"), Dim.of(12)),
        check(() -> Ops.flatten(of("b", "s", 3, 4), 1, -1)).dim(1));
    assertEquals(Dim.plus(new Dim.Sym("s"), Dim.of(2)),
        check(() -> Ops.concat(List.of(of("b", "s"), of("b", 2)), -1)).dim(1));
  }
}
