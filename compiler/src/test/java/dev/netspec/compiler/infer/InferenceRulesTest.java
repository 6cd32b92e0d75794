package dev.netspec.compiler.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.compiler.Compilation;
import dev.netspec.compiler.Compiler;
import dev.netspec.compiler.CompilerOptions;
import dev.netspec.compiler.Inspection;
import dev.netspec.compiler.SpecSource;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What inference adds up over a block's children: the flops of layers and of child blocks (two
 * per multiply-add of a linear, bias not counted; one per element of an activation), an unknown
 * cost that stays unknown, the element limit of every tensor a layer creates at its exact edge,
 * and calls that give a child the wrong number of tensors.
 */
class InferenceRulesTest {
  private static Compilation compile(String blocks) {
    String text = "netspec: 1\npackage: t\nblocks:\n" + blocks;
    return new Compiler(CompilerOptions.defaults()).compile(List.of(new SpecSource(Path.of("t.yaml"), text)));
  }

  private static List<String> errors(String blocks) {
    return compile(blocks).diagnostics().stream().map(d -> d.format()).toList();
  }

  private static long flops(String blocks, String block, int... input) {
    Compilation c = compile(blocks);
    assertEquals(List.of(), c.diagnostics().stream().map(d -> d.format()).toList());
    return c.inspect(block, input).flops();
  }

  @Test
  void flopsAddUpOverChildren() {
    String mlp = "  Mlp:\n    input: [batch, 4]\n    sequential: [{linear: 3}, relu, {linear: 2}]\n";
    // at (2, 4): 2 * (2 * 4 * 3) + 2 * 3 + 2 * (2 * 3 * 2) = 48 + 6 + 24
    assertEquals(78, flops(mlp, "Mlp", 2, 4));
    String twice = mlp + "  Twice:\n    input: [batch, 4]\n    sequential: [Mlp, {linear: 4}, Mlp]\n";
    // Mlp, then (2, 2) -> (2, 4): 2 * 2 * 2 * 4 = 32 flops, then Mlp again
    assertEquals(78 + 32 + 78, flops(twice, "Twice", 2, 4));
    String loop = "  L:\n    input: [batch, 4]\n    layers: {fc: {linear: 4}}\n    forward: |\n"
        + "      while sum(x) > 0:\n        x = relu(x)\n      return fc(x)\n";
    assertEquals(-1, flops(loop, "L", 2, 4), "a loop's cost is unknown, and stays unknown after it");
  }

  @Test
  void aLayerTheForwardNeverCallsCostsNothing() {
    // only fc runs: 2 * (2 * 4 * 4) = 64 at (2, 4); the others are built (their parameters
    // count) but cost no flops, as in PyTorch, and do not make the cost unknown
    String unused = "  B:\n    input: [batch, 4]\n    layers:\n      fc: {linear: 4}\n      r: relu\n"
        + "      s: {sequential: [relu, {linear: {in_features: 4, out_features: 2}}]}\n"
        + "      l: {lstm: {input_size: 4, hidden_size: 2}}\n      e: {linear: {in_features: 4, out_features: 8}}\n"
        + "    forward: fc(x)\n";
    assertEquals(64, flops(unused, "B", 2, 4));
  }

  @Test
  void aBlockUsedTwiceHasAllItsStateTwice() {
    // the second use of Sub (same arguments and input) is a copy of the first's tree: its
    // parameters, buffers (the non-persistent one out of the state dict), ties and children
    String sub = "  Sub:\n    input: [batch, 4]\n    params: {w: {shape: [4, 4]}, v: {shape: [4, 4]}}\n"
        + "    buffers: {mean: {shape: [4]}, tmp: {shape: [4], persistent: false}}\n"
        + "    layers: {fc: {linear: 4}}\n    tie: {v: w}\n    forward: fc(x @ w + x @ v) + mean + tmp\n"
        + "  B:\n    input: [batch, 4]\n    layers: {a: Sub, b: Sub}\n    forward: b(a(x))\n";
    Compilation c = compile(sub);
    assertEquals(List.of(), c.diagnostics().stream().map(d -> d.format()).toList());
    Inspection i = c.inspect("B", new int[] {2, 4});
    List<String> state = i.stateDict().stream().map(e -> e.name() + " " + e.shape()).toList();
    // PyTorch's state_dict order: a module's parameters, its persistent buffers, then its children
    List<String> one = List.of("w [4, 4]", "v [4, 4]", "mean [4]", "fc.weight [4, 4]", "fc.bias [4]");
    List<String> both = new java.util.ArrayList<>();
    one.forEach(e -> both.add("a." + e));
    one.forEach(e -> both.add("b." + e));
    assertEquals(both, state);
    // per Sub: w 16 (v is w), fc 16 + 4 = 36
    assertEquals(72, i.parameters());
    // per Sub at (2, 4): two matmuls 2 * 2 * 4 * 4 each, the add 8, fc 64, + mean 8, + tmp 8 = 216
    assertEquals(432, i.flops());
    assertEquals("B(\n  (a): Sub(\n    (fc): Linear(in_features=4, out_features=4, bias=True)\n  )\n"
        + "  (b): Sub(\n    (fc): Linear(in_features=4, out_features=4, bias=True)\n  )\n)", i.repr());
    // a tie of the block's own parameters at the top counts once too
    String top = "  T:\n    input: [batch, 4]\n    params: {w: {shape: [4, 4]}, v: {shape: [4, 4]}}\n"
        + "    tie: {v: w}\n    forward: x @ w + x @ v\n";
    Compilation t = compile(top);
    assertEquals(16, t.inspect("T", new int[] {2, 4}).parameters());
    // a lazy layer's parameters are known at an input: 3 * 4 + 4
    String lazy = "  L:\n    input: [batch, \"?\"]\n    sequential: [{linear: 4}]\n";
    assertEquals(16, compile(lazy).inspect("L", new int[] {2, 3}).parameters());
  }

  @Test
  void aSharedBlockKeepsItsFirstInput() {
    // PyTorch would run Inner's linear on both; here a module has one input shape, so the
    // second call is an error at that call, naming the first input and where it is declared
    String inner = "  Inner:\n    sequential: [{linear: 4}, relu]\n";
    String shared = inner + "  B:\n    input: [batch, 4]\n    layers: {blk: Inner}\n    forward: |\n"
        + "      y = blk(x)\n      return blk(unsqueeze(x, 0))\n";
    assertEquals(List.of("t.yaml:11:14: error: B.blk (Inner): shared layer was first called with input [batch, 4],"
        + " now with [1, batch, 4]; 'blk' is declared at line 8"), errors(shared));
    // two uses of a block without 'input:' at two shapes: it would be generated for one
    String two = inner + "  B:\n    input: [batch, 4]\n    layers: {blk: Inner, other: Inner}\n    forward: |\n"
        + "      y = blk(x)\n      return other(unsqueeze(y, 0))\n";
    assertEquals(List.of("t.yaml:11:14: error: B.other (Inner): block Inner has no 'input:' and is used with input"
        + " [1, batch, 4] here but [batch, 4] at line 10, column 11; declare 'input:' on it"), errors(two));
    // int64 ids into a layer that takes floats
    String ids = "  B:\n    inputs: {ids: [batch, 5, int64]}\n    layers: {fc: {linear: 4}}\n    forward: fc(ids)\n";
    assertEquals(List.of("t.yaml:7:14: error: B.fc (linear): takes a float32 tensor, got an int64 tensor of shape"
        + " [batch, 5]; int64 ids go through an embedding layer, or are compared (ids != pad) into a bool mask, which"
        + " arithmetic takes as 0s and 1s; 'fc' is declared at line 6"), errors(ids));
  }

  @Test
  void aChildBlockTakesTheDTypeOfItsFirstInput() {
    // Enc declares int64 ids: a float32 tensor is the wrong dtype for it, as for an embedding;
    // a block without 'input:' takes what it is given, a float32 block a float32 tensor
    String enc = "  Enc:\n    inputs: {ids: [batch, 5, int64]}\n"
        + "    layers: {emb: {embedding: {num_embeddings: 10, embedding_dim: 3}}}\n    forward: emb(ids)\n";
    List<String> wrong = errors(enc + "  B:\n    input: [batch, 5]\n    layers: {enc: Enc}\n    forward: enc(x)\n");
    assertEquals(1, wrong.size(), wrong.toString());
    // line 11 is B's forward: 'enc(x)'
    assertTrue(wrong.get(0).startsWith("t.yaml:11:14: error: B.enc (Enc): takes an int64 tensor, got a tensor of shape"
        + " [batch, 5]"), wrong.get(0));
    assertTrue(wrong.get(0).endsWith("; 'enc' is declared at line 10"), wrong.get(0));
    String fine = "  Mlp:\n    input: [batch, 5]\n    sequential: [{linear: 2}]\n  Free:\n    sequential: [relu]\n"
        + "  B:\n    input: [batch, 5]\n    layers: {mlp: Mlp, free: Free}\n    forward: free(mlp(x))\n";
    assertEquals(List.of(), errors(fine));
    // a child block returning a bool mask gives its caller a bool tensor, which a linear refuses
    String mask = "  Mask:\n    input: [batch, 5]\n    forward: x > 0\n"
        + "  B:\n    input: [batch, 5]\n    layers: {mask: Mask, fc: {linear: 2}}\n    forward: fc(mask(x))\n";
    List<String> bool = errors(mask);
    assertEquals(1, bool.size(), bool.toString());
    assertTrue(bool.get(0).startsWith("t.yaml:10:14: error: B.fc (linear): takes a float32 tensor, got a bool tensor"
        + " of shape [batch, 5]"), bool.get(0));
  }

  @Test
  void aLayersTensorsStopAtTheIntLimit() {
    // 2^31 - 1 is prime: a weight of exactly that many elements is (1, 2147483647)
    String edge = "  B:\n    input: [batch, 2147483647]\n    sequential: [{linear: {in_features: 2147483647, out_features: 1}}]\n";
    assertEquals(List.of(), errors(edge));
    List<String> past = errors(edge.replace("out_features: 1", "out_features: 2"));
    assertEquals(1, past.size(), past.toString());
    assertTrue(past.get(0).contains("weight [2, 2147483647] has more than 2147483647 elements"), past.get(0));
  }

  @Test
  void aChildGetsTheTensorsItTakes() {
    String pair = "  Pair:\n    inputs: {a: [batch, 4], b: [batch, 4]}\n    forward: a + b\n";
    String one = pair + "  B:\n    input: [batch, 4]\n    layers: {p: Pair}\n    forward: p(x)\n";
    List<String> e = errors(one);
    assertEquals(1, e.size(), e.toString());
    assertTrue(e.get(0).startsWith("t.yaml:10:14: error: "), e.get(0));
    assertTrue(e.get(0).contains("takes 2 inputs (a, b), got 1 argument"), e.get(0));
    assertTrue(!e.get(0).contains("1 arguments"), e.get(0));
    List<String> three = errors(one.replace("p(x)", "p(x, x, x)"));
    assertTrue(three.size() == 1 && three.get(0).contains("takes 2 inputs (a, b), got 3 arguments"), three.toString());
    assertEquals(List.of(), errors(one.replace("p(x)", "p(x, x)")));
    String fc = "  B:\n    input: [batch, 4]\n    layers: {fc: {linear: 4}}\n    forward: fc(x, x)\n";
    List<String> extra = errors(fc);
    assertTrue(extra.size() == 1 && extra.get(0).contains("takes one tensor, got 2 arguments"), extra.toString());
  }

  @Test
  void anInitNamesAParameterTheBuiltLayerHasAtAnyDepth() {
    // a linear built without a bias has no 'bias' to initialize (a misspelled name is refused
    // earlier, by the layer's argument check)
    String top = "  B:\n    input: [batch, 4]\n    sequential: [{linear: {out_features: 3, bias: BIAS}, init: {bias: zeros}}, relu]\n";
    assertEquals(List.of(), errors(top.replace("BIAS", "true")));
    List<String> e = errors(top.replace("BIAS", "false"));
    assertEquals(1, e.size(), e.toString());
    assertTrue(e.get(0).contains("B.0 (linear): has no parameter 'bias'"), e.get(0));
    // inside a sequential child of a block with a forward
    String nested = "  B:\n    input: [batch, 4]\n"
        + "    layers: {s: {sequential: [relu, {linear: {out_features: 3, bias: BIAS}, init: {bias: zeros}}]}}\n"
        + "    forward: s(x)\n";
    assertEquals(List.of(), errors(nested.replace("BIAS", "true")));
    e = errors(nested.replace("BIAS", "false"));
    assertEquals(1, e.size(), e.toString());
    assertTrue(e.get(0).contains("(linear): has no parameter 'bias'"), e.get(0));
  }
}
