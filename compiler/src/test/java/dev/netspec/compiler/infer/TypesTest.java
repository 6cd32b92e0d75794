package dev.netspec.compiler.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.compiler.parse.Ast;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The forward language's types, dtypes and module instances as values: how each reads in a
 * message, which tuples a forward may return or unpack (Python's: tensors and nested tuples
 * of them; None only where it can be discarded), which types fit a declared one, and an
 * instance tree's copy and parameter count (counted by hand).
 */
class TypesTest {
  private static Type.TensorT tensor(DType d, int... dims) {
    return new Type.TensorT(new Shape(java.util.Arrays.stream(dims).mapToObj(Dim::of).toList()), d);
  }

  private static Type.TensorT tensor(int... dims) {
    return tensor(DType.FLOAT32, dims);
  }

  private static Type.TupleT tuple(Type... items) {
    return new Type.TupleT(List.of(items));
  }

  @Test
  void typesReadAsInMessages() {
    assertEquals("a tensor of shape [2, 3]", tensor(2, 3).toString());
    assertEquals("an int64 tensor of shape [2]", tensor(DType.INT64, 2).toString());
    assertEquals("a bool tensor of shape []", tensor(DType.BOOL).toString());
    assertEquals("an int", new Type.NumT(true).toString());
    assertEquals("a number", new Type.NumT(false).toString());
    assertEquals("a boolean", new Type.BoolT().toString());
    assertEquals("None", new Type.NoneT().toString());
    assertEquals("a tuple ([2, 3], int64 [2])", tuple(tensor(2, 3), tensor(DType.INT64, 2)).toString());
    assertEquals("a tuple ([4],)", tuple(tensor(4)).toString());
    assertEquals("a tuple ([4], ([1], None))",
        tuple(tensor(4), tuple(tensor(1), new Type.NoneT())).toString());
    assertEquals("a tuple", tuple(tensor(4), new Type.NumT(true)).toString());
    assertEquals("(an int, a number)", Type.structure(tuple(new Type.NumT(true), new Type.NumT(false))));
    assertEquals(new Type.TupleT(List.of(new Type.NumT(true), new Type.NumT(true))), new Type.TupleT(2));
    assertEquals(Shape.ANY, Type.unknownTensor().shapeOrNull());
    assertEquals(new Shape(List.of(Dim.of(2))), tensor(2).shapeOrNull());
    assertNull(new Type.NumT(true).shapeOrNull());
  }

  @Test
  void tuplesAForwardMayReturnOrUnpack() {
    Type none = new Type.NoneT();
    Type num = new Type.NumT(true);
    // return out, (h, c): tensors and tuples of tensors only
    assertTrue(tuple(tensor(1), tuple(tensor(2), tensor(3))).ofTensors());
    assertFalse(tuple(tensor(1), none).ofTensors());
    assertFalse(tuple(tensor(1), tuple(tensor(2), num)).ofTensors());
    assertFalse(tuple(num).ofTensors());
    // out, _ = attn(...): a None may be unpacked (and discarded), a number not
    assertTrue(tuple(tensor(1), none).unpackable());
    assertTrue(tuple(tensor(1), tuple(none, tensor(2))).unpackable());
    assertFalse(tuple(tensor(1), num).unpackable());
    assertFalse(tuple(tensor(1), tuple(tensor(2), num)).unpackable());
    // leaves: the tensors in order, nested tuples flattened, None skipped
    assertEquals(List.of(tensor(1), tensor(2), tensor(3)),
        tuple(tensor(1), tuple(tensor(2), none), tensor(3)).leaves());
    assertEquals(List.of(), tuple(none).leaves());
  }

  @Test
  void whatFitsADeclaredType() {
    Type.TensorT ids = tensor(DType.INT64, 2, 5);
    assertTrue(DTypeRules.sameStructure(tensor(2, 5), tensor(2, 5)));
    assertTrue(DTypeRules.sameStructure(tensor(2, 5), Type.unknownTensor()));
    assertFalse(DTypeRules.sameStructure(tensor(2, 5), tensor(2, 6)));
    assertFalse(DTypeRules.sameStructure(tensor(2, 5), ids));
    assertTrue(DTypeRules.sameStructure(tuple(tensor(2), tuple(ids)), tuple(tensor(2), tuple(ids))));
    assertFalse(DTypeRules.sameStructure(tuple(tensor(2), tensor(3)), tuple(tensor(2), tensor(4))),
        "the last item differs");
    assertFalse(DTypeRules.sameStructure(tuple(tensor(2), tensor(3)), tuple(tensor(3), tensor(3))),
        "the first item differs");
    assertFalse(DTypeRules.sameStructure(tuple(tensor(2)), tuple(tensor(2), tensor(3))));
    assertFalse(DTypeRules.sameStructure(tuple(tensor(2), tensor(3)), tuple(tensor(2))));
    assertTrue(DTypeRules.sameStructure(tuple(), tuple()));
    assertFalse(DTypeRules.sameStructure(tuple(tensor(2)), tensor(2)));
    assertFalse(DTypeRules.sameStructure(tensor(2), tuple(tensor(2))));
    assertFalse(DTypeRules.sameStructure(new Type.NumT(true), new Type.NumT(true)));

    assertEquals("an int64 tensor", DTypeRules.aTensor(DType.INT64));
    assertEquals("a bool tensor", DTypeRules.aTensor(DType.BOOL));
    assertEquals("relu takes float32 tensors, got an int64 tensor of shape [2, 5]; "
        + DTypeRules.advice(DType.FLOAT32), DTypeRules.floatOnly("relu", ids));
    assertNull(DTypeRules.floatOnly("relu", tensor(2, 5)));
    assertNull(DTypeRules.floatOnly("relu", tensor(DType.BOOL, 2)), "a mask is taken as 0s and 1s");
    assertNull(DTypeRules.floatOnly("relu", new Type.TensorT(Shape.ANY, DType.INT64)), "reported before");
    assertEquals("declare the input as int64, as in [batch, seq, int64]", DTypeRules.advice(DType.INT64));
  }

  @Test
  void dtypesByPyTorchsNames() {
    assertEquals("float32", DType.FLOAT32.pythonName());
    assertEquals("int64", DType.INT64.pythonName());
    assertEquals("bool", DType.BOOL.pythonName());
    assertSame(DType.INT64, DType.byName("int64"));
    assertSame(DType.BOOL, DType.byName("bool"));
    assertNull(DType.byName("float64"));
    assertEquals("None", Functions.NONE.toString());
  }

  @Test
  void unpackingTargetsNameEachNameOnceInOrder() {
    Ast.Loc at = new Ast.Loc(1, 1);
    Ast.Tuple targets = new Ast.Tuple(at, List.of(new Ast.Name(at, "out"), new Ast.Name(at, "_"),
        new Ast.Tuple(at, List.of(new Ast.Name(at, "h"), new Ast.Name(at, "_"), new Ast.Name(at, "c")))));
    assertEquals(List.of("out", "h", "c"), List.copyOf(Unpacking.names(targets)));
    assertEquals(Set.of(), Unpacking.names(new Ast.Tuple(at, List.of(new Ast.Name(at, "_")))));
    assertEquals("a, (b, c), d", Unpacking.example(tuple(tensor(1), tuple(tensor(1), tensor(1)), tensor(1))));
  }

  @Test
  void anInstanceCopyKeepsSharedChildrenSharedAndEveryField() {
    Inst root = new Inst("Net", "Net", "");
    Inst fc = new Inst("linear", "Linear", "in_features=4, out_features=3, bias=True");
    fc.params.put("weight", new Shape(List.of(Dim.of(3), Dim.of(4))));
    fc.params.put("bias", new Shape(List.of(Dim.of(3))));
    fc.output = new Shape(List.of(Dim.of(2), Dim.of(3)));
    fc.outputType = new Type.TensorT(fc.output);
    root.children.put("fc", fc);
    root.children.put("same", fc); // same_as: one module under two names
    root.buffers.put("steps", Shape.SCALAR);
    root.persistent.put("steps", false);
    root.ties.put("w", "fc.weight");
    Inst copy = root.copy();
    assertSame(copy.children.get("fc"), copy.children.get("same"));
    assertTrue(copy.children.get("fc") != fc, "a copy, not the original");
    assertEquals(root.repr(), copy.repr());
    assertEquals(fc.output, copy.children.get("fc").output);
    assertEquals(fc.outputType, copy.children.get("fc").outputType);
    assertEquals(root.ties, copy.ties);
    assertEquals(root.persistent, copy.persistent);
    assertEquals(root.buffers, copy.buffers);
    // 3 * 4 + 3 parameters, the shared module counted once; a non-persistent buffer is no state
    assertEquals(15, copy.parameterCount());
    assertEquals(List.of("fc.weight", "fc.bias", "same.weight", "same.bias"),
        List.copyOf(copy.stateDict().keySet()));
    assertEquals("Net(\n  (fc): Linear(in_features=4, out_features=3, bias=True)\n"
        + "  (same): Linear(in_features=4, out_features=3, bias=True)\n)", copy.repr());
    // a parameter with no elements adds 0 (nn.Linear(0, 3) has a (3, 0) weight); an unknown size, -1
    fc.params.put("empty", new Shape(List.of(Dim.of(3), Dim.of(0))));
    assertEquals(15, root.parameterCount());
    fc.params.put("lazy", new Shape(List.of(new Dim.Sym("n"))));
    assertEquals(-1, root.parameterCount());
  }
}
