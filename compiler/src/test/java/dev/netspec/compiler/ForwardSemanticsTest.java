package dev.netspec.compiler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The forward language's operators, generated, compiled and run against hand computation. */
class ForwardSemanticsTest {
  private static Module build(String forward, String input) throws ReflectiveOperationException {
    String spec = "netspec: 1\npackage: t.ops\nblocks:\n  Ops:\n    input: " + input + "\n"
        + "    forward: |\n" + forward.indent(6);
    Compilation c = Specs.compileClean("ops.yaml", spec);
    ClassLoader l = InMemoryJavac.compile(c.files());
    return (Module) l.loadClass("t.ops.Ops").getConstructor().newInstance();
  }

  @Test
  void numberOnTheLeftAndPrecedence() throws ReflectiveOperationException {
    Module m = build("return (2 - x) * (1 / (x + 3)) + (x > 1) + (0.5 < x) * 2 ** x - -x ** 2", "[4]");
    float[] in = {-1f, 0.5f, 1f, 2.5f};
    float[] out = m.forward(Tensor.of(in)).toFloatArray();
    for (int i = 0; i < in.length; i++) {
      double x = in[i];
      double want = (2 - x) * (1 / (x + 3)) + (x > 1 ? 1 : 0) + (0.5 < x ? 1 : 0) * Math.pow(2, x) + x * x;
      assertEquals(want, out[i], 1e-5, "x = " + x);
    }
  }

  @Test
  void theInputsSizesAreValuesInBothForwards() throws ReflectiveOperationException {
    // 'batch' is x.size(0): in the allocating forward and in the buffered forward(x, out)
    Module m = build("return relu(x) * batch + x / n", "[batch, n]");
    Tensor x = Tensor.of(new float[][] {{1, -2}, {3, 4}, {-5, 6}});
    float[] want = {3 + 0.5f, -1, 9 + 1.5f, 12 + 2, -2.5f, 18 + 3};
    assertArrayEquals(want, m.forward(x).toFloatArray(), 1e-6f);
    Tensor out = Tensor.zeros(3, 2);
    m.forward(x, out);
    assertArrayEquals(want, out.toFloatArray(), 1e-6f);
  }

  @Test
  void squeezeWithoutADimDropsEverySizeOneDimAndAnEllipsisStandsForTheRest()
      throws ReflectiveOperationException {
    Tensor x = Tensor.of(0, 1, 2, 3, 4, 5).reshape(2, 1, 3, 1);
    Module all = build("return squeeze(x) * 2", "[2, 1, 3, 1]");
    Tensor y = all.forward(x);
    assertArrayEquals(new int[] {2, 3}, y.shape());
    assertArrayEquals(new float[] {0, 2, 4, 6, 8, 10}, y.toFloatArray());
    Module one = build("return squeeze(x, 1) * 1", "[2, 1, 3, 1]");
    assertArrayEquals(new int[] {2, 3, 1}, one.forward(x).shape());
    // x[..., 1, 0] is x[:, :, 1, 0]; x[None, ..., 0] adds a leading dim: (1, 2, 1, 3)
    Module last = build("return x[..., 1, 0] * 1", "[2, 1, 3, 1]");
    Tensor z = last.forward(x);
    assertArrayEquals(new int[] {2, 1}, z.shape());
    assertArrayEquals(new float[] {1, 4}, z.toFloatArray());
    Module lead = build("return x[None, ..., 0] * 1", "[2, 1, 3, 1]");
    Tensor v = lead.forward(x);
    assertArrayEquals(new int[] {1, 2, 1, 3}, v.shape());
    assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, v.toFloatArray());
  }

  @Test
  void compoundAssignmentsLoopsAndBranches() throws ReflectiveOperationException {
    Module m = build("""
        y = x * 1
        n = 0
        while sum(y) < 100 and n < 50:
          y *= 2
          n += 1
        if mean(y) > 40:
          y -= 1
        elif mean(y) > 0:
          y += 1
        else:
          y = -y
        return y / n
        """, "[2]");
    float[] out = m.forward(Tensor.of(3f, 4f)).toFloatArray();
    // 7 -> 14 -> 28 -> 56 -> 112 (n = 4): y = [48, 64], mean 56 > 40: y = [47, 63].
    assertArrayEquals(new float[] {47f / 4, 63f / 4}, out, 1e-6f);
  }

  @Test
  void returnsInBothBranches() throws ReflectiveOperationException {
    Module m = build("""
        if sum(x) > 0:
          return x * 2
        elif sum(x) < -10:
          return x * 0
        else:
          return -x
        """, "[2]");
    assertArrayEquals(new float[] {2f, 4f}, m.forward(Tensor.of(1f, 2f)).toFloatArray());
    assertArrayEquals(new float[] {1f, 2f}, m.forward(Tensor.of(-1f, -2f)).toFloatArray());
    assertArrayEquals(new float[] {0f, 0f}, m.forward(Tensor.of(-6f, -6f)).toFloatArray(), 1e-6f);
    String open = "netspec: 1\npackage: p\nblocks:\n  A:\n    input: [batch, 3]\n    forward: |\n"
        + "      if sum(x) > 0:\n        return x\n";
    assertEquals(List.of("t.yaml:7:7: error: A: forward must end with 'return'"), Specs.errors(open));
  }

  @Test
  void aVariableAssignedInEveryBranchLivesOnAfterTheIf() throws ReflectiveOperationException {
    Module m = build("""
        if sum(x) > 0:
          s = 2
          y = x * s
        elif sum(x) < -10:
          s = 3
          y = x
        else:
          return -x
        return y + s
        """, "[2]");
    assertArrayEquals(new float[] {4f, 6f}, m.forward(Tensor.of(1f, 2f)).toFloatArray());
    assertArrayEquals(new float[] {-3f, -3f}, m.forward(Tensor.of(-6f, -6f)).toFloatArray());
    assertArrayEquals(new float[] {1f, 2f}, m.forward(Tensor.of(-1f, -2f)).toFloatArray());
  }

  @Test
  void reductionsWithDimsAndKeepdim() throws ReflectiveOperationException {
    Module m = build("return x - mean(x, dim=-1, keepdim=True) + sum(x, 0)", "[2, 2]");
    Tensor y = m.forward(Tensor.of(new float[][] {{1, 3}, {2, 6}}));
    // row means 2 and 4; column sums [3, 9].
    assertArrayEquals(new float[] {-1 + 3, 1 + 9, -2 + 3, 2 + 9}, y.toFloatArray(), 1e-6f);
  }

  @Test
  void inspectionCountsFlopsAndLayers() {
    Compilation c = Specs.compileClean("golden/tutorial.yaml", Specs.resource("golden/tutorial.yaml"));
    Inspection in = c.inspect("Mlp", new int[] {2, 20});
    // two multiply-adds per weight and row, one op per ReLU element.
    assertEquals(2L * 2 * 20 * 256 + 2 * 256 + 2L * 2 * 256 * 10, in.flops());
    assertEquals(List.of(new Inspection.LayerRow("0", "linear", List.of(2, 256), 20 * 256 + 256),
        new Inspection.LayerRow("1", "relu", List.of(2, 256), 0),
        new Inspection.LayerRow("2", "linear", List.of(2, 10), 256 * 10 + 10)), in.layers());
    Inspection symbolic = c.inspect("Mlp", null);
    assertEquals(List.of("batch", 20), symbolic.inputShape());
    assertEquals(List.of("batch", 10), symbolic.outputShape());
    assertEquals(-1, symbolic.flops());
    assertEquals(-1, c.inspect("FixedHiddenMlp", new int[] {2, 20}).flops(), "a loop's cost is not known");
    assertEquals(null, c.defaultBlock(java.nio.file.Path.of("golden/tutorial.yaml")), "many unused blocks");
  }

  @Test
  void layerSizesFromBlockArguments() throws ReflectiveOperationException {
    String spec = "netspec: 1\npackage: t.args\nblocks:\n"
        + "  Res:\n    args: {dim: int, hidden: int}\n    input: [batch, dim]\n"
        + "    layers:\n      norm: {layer_norm: dim}\n      fc: {linear: hidden}\n"
        + "    forward: norm(x) + 0 * sum(fc(x))\n"
        + "  Outer:\n    input: [batch, 3]\n    sequential: [{Res: {dim: 3, hidden: 5}}]\n";
    Compilation c = Specs.compileClean("args.yaml", spec);
    assertEquals(List.of("0.norm.weight", "0.norm.bias", "0.fc.weight", "0.fc.bias"),
        c.inspect("Outer", new int[] {2, 3}).stateDict().stream().map(Inspection.StateEntry::name).toList());
    Module m = (Module) InMemoryJavac.compile(c.files()).loadClass("t.args.Outer").getConstructor().newInstance();
    assertArrayEquals(new int[] {5, 3}, m.stateDict().get("0.fc.weight").shape());
    float[] y = m.forward(Tensor.of(new float[][] {{1, 2, 3}, {0, 0, 6}})).toFloatArray();
    // LayerNorm with weight 1 and bias 0: (x - mean) / sqrt(var + 1e-5), biased variance.
    double s1 = Math.sqrt(2.0 / 3 + 1e-5);
    double s2 = Math.sqrt(8.0 + 1e-5);
    assertArrayEquals(new float[] {(float) (-1 / s1), 0f, (float) (1 / s1),
        (float) (-2 / s2), (float) (-2 / s2), (float) (4 / s2)}, y, 1e-5f);
  }

  @Test
  void javaInitializersAndInitsOnBlockChildren() throws ReflectiveOperationException {
    String spec = "netspec: 1\npackage: t.inits\nblocks:\n"
        + "  Scale:\n    args: {n: int}\n    params:\n"
        + "      w: {shape: [n], init: {java: dev.netspec.compiler.TestInits::sevens}}\n"
        + "    forward: x * w\n"
        + "  Net:\n    input: [batch, 3]\n"
        + "    sequential: [{Scale: {n: 3}, init: {w: {constant: 2}}}, {Scale: {n: 3}}]\n";
    Compilation c = Specs.compileClean("inits.yaml", spec);
    Module m = (Module) InMemoryJavac.compile(c.files()).loadClass("t.inits.Net")
        .getConstructor(long.class).newInstance(5L);
    assertArrayEquals(new float[] {2, 2, 2}, m.stateDict().get("0.w").toFloatArray());
    float seven = m.stateDict().get("1.w").toFloatArray()[0];
    assertEquals(true, seven >= 7 && seven < 8, "custom initializer ran: " + seven);
    float[] y = m.forward(Tensor.of(new float[][] {{1, 2, 3}})).toFloatArray();
    assertArrayEquals(new float[] {2 * seven, 4 * seven, 6 * seven}, y, 1e-5f);
  }

  @Test
  void inspectRefusesUnknownBlocksAndWrongShapesWithClearMessages() {
    Compilation c = Specs.compileClean("golden/tutorial.yaml", Specs.resource("golden/tutorial.yaml"));
    IllegalArgumentException shape = org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class, () -> c.inspect("Mlp", new int[] {2, 30}));
    assertEquals("golden/tutorial.yaml:6:12: error: Mlp: expects input [batch, 20], got [2, 30]", shape.getMessage());
    IllegalArgumentException name = org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class, () -> c.inspect("Mpl", null));
    assertEquals("no block named 'Mpl'; did you mean 'Mlp'? (the blocks are Mlp, TwoLayer, FixedHiddenMlp, NestMlp,"
        + " Shared, Block1, Block2, RgNet, Centered, MyLinear, Lazy, LazyBoth, Tuned)", name.getMessage());
  }

  @Test
  void argumentsShareTheNamespaceOfMembers() {
    String spec = "netspec: 1\npackage: p\nblocks:\n  A:\n    args: {w: int}\n    params:\n"
        + "      w: {shape: [w]}\n    forward: x * w\n";
    assertEquals(List.of("t.yaml:7:7: error: A: duplicate name 'w'"), Specs.errors(spec));
  }

  @Test
  void numericArgumentsInTheForward() throws ReflectiveOperationException {
    String spec = "netspec: 1\npackage: t.num\nblocks:\n"
        + "  Affine:\n    args: {scale: float, shift: int, on: bool}\n"
        + "    forward: |\n      if on:\n        x = x * scale + shift\n      return x\n"
        + "  Net:\n    input: [batch, 2]\n"
        + "    sequential: [{Affine: {scale: 0.5, shift: 3, on: true}}, {Affine: {scale: 9, shift: 9, on: false}}]\n";
    Compilation c = Specs.compileClean("num.yaml", spec);
    Module m = (Module) InMemoryJavac.compile(c.files()).loadClass("t.num.Net").getConstructor().newInstance();
    // Net's input contract is (batch, 2): one row.
    assertArrayEquals(new float[] {3.5f, 4f}, m.forward(Tensor.of(new float[][] {{1f, 2f}})).toFloatArray(), 1e-6f);
  }

  @Test
  void defaultBlockIsTheOnlyUnusedBlockWithoutArguments() {
    String spec = "netspec: 1\npackage: p\nblocks:\n  Inner:\n    sequential: [relu]\n"
        + "  Outer:\n    input: [batch, 3]\n    sequential: [Inner, Inner]\n";
    Compilation c = Specs.compileClean("d.yaml", spec);
    assertEquals("Outer", c.defaultBlock(java.nio.file.Path.of("d.yaml")));
    assertEquals("Outer", c.defaultBlock(java.nio.file.Path.of("./d.yaml").toAbsolutePath()));
    assertEquals(null, c.defaultBlock(java.nio.file.Path.of("other.yaml")));
  }
}
