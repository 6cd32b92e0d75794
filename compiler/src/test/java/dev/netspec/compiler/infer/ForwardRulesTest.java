package dev.netspec.compiler.infer;

import static dev.netspec.compiler.infer.ForwardErrorsTest.at;
import static dev.netspec.compiler.infer.ForwardErrorsTest.errors;
import static dev.netspec.compiler.infer.ForwardErrorsTest.expect;
import static dev.netspec.compiler.infer.ForwardErrorsTest.spec;
import static dev.netspec.compiler.infer.FunctionCallsTest.inspect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The forward's statements as Python runs them, on an input of [batch, 4]: what a variable
 * holds after an assignment, an {@code if}, a {@code while} or a {@code for} over a module
 * list; calls of layers, of module lists by index and of module dicts by name; the shapes of
 * {@code @} and arithmetic (with the inspection's flops: two per multiply-add, one per element
 * otherwise) and one located error for each thing Python would not run or netspec cannot type.
 */
class ForwardRulesTest {
  private static final String LIST = "{h: {module_list: [" + linear(4) + ", " + linear(8) + "]}, fc: " + linear(4)
      + ", d: {module_dict: {a: " + linear(8) + "}}}";

  /** A linear of 4 inputs, so that a layer no forward calls still has all its sizes. */
  private static String linear(int out) {
    return "{linear: {in_features: 4, out_features: " + out + "}}";
  }

  /** As {@code expect}, at the {@code token} of the last forward line that holds it. */
  private static void expectLast(String text, String token, String message) {
    String[] lines = text.split("\n");
    for (int i = lines.length - 1; i >= 0; i--) {
      int c = lines[i].indexOf(token);
      if (c >= 0) {
        assertEquals(List.of("t.yaml:" + (i + 1) + ":" + (c + 1) + ": error: " + message), errors(text), text);
        return;
      }
    }
    throw new IllegalArgumentException(token);
  }

  @Test
  void augmentedAssignmentsKeepTheShape() {
    expect(spec("", "y += x", "return x"), "y +=", "B: 'y' is not defined before '+='");
    expect(spec("", "y = sum(x, 0, keepdim=True)", "y += x", "return y"), "y +=",
        "B: 'y +=' would change its shape from [1, 4] to [batch, 4]; write 'y = ...'");
    // x * 2 keeps (2, 4): 8 flops for '*', 8 for '+='
    assertEquals(List.of(2, 4), inspect("", "y = x * 2", "y += x", "return y").outputShape());
    assertEquals(16, inspect("", "y = x * 2", "y += x", "return y").flops());
    expect(spec("", "y = 2", "y = x", "return x"), "y = x", "B: 'y' was an int and cannot become a tensor of shape [batch, 4]");
  }

  @Test
  void returnsAgreeOnOneShape() {
    expect(spec("", "if sum(x) > 0:", "  return x", "return sum(x, 1)"), "return sum",
        "B: returns [batch] here but [batch, 4] elsewhere");
    assertEquals(List.of(2, 4), inspect("", "if sum(x) > 0:", "  return x", "else:", "  return relu(x)").outputShape());
    List<String> open = errors(spec("", "if sum(x) > 0:", "  return x"));
    assertEquals(List.of("B: forward must end with 'return'"),
        open.stream().map(e -> e.substring(e.indexOf("B: "))).toList(), open.toString());
  }

  @Test
  void aWhileKeepsShapesAndItsFlopsAreUnknown() {
    expect(spec("", "while sum(x) > 0:", "  x = sum(x, 1)", "return x"), "while",
        "B: 'x' changes shape inside the while loop, from [batch, 4] to [batch]");
    expectLast(spec("", "while sum(x) > 0:", "  y = relu(x)", "return y"), "y",
        "B: 'y' is assigned only inside the 'while' at line 7, which may run zero times; assign it before the 'while'");
    expect(spec("", "while x:", "  x = relu(x)", "return x"), "x:",
        "B: a 'while' condition must be a scalar, got a tensor of shape [batch, 4]; reduce it, e.g. sum(...) or mean(...)");
    assertEquals(-1, inspect("", "while sum(x) > 0:", "  x = relu(x)", "return x").flops());
  }

  @Test
  void anIfJoinsItsBranches() {
    expect(spec("", "if sum(x) > 0:", "  y = x", "else:", "  y = sum(x, 1)", "return x"), "if",
        "B: 'y' is a tensor of shape [batch, 4] in the 'if' branch but a tensor of shape [batch] in the 'else' branch;"
            + " a variable has one kind and shape after the 'if'");
    expectLast(spec("", "if sum(x) > 0:", "  y = x", "return y"), "y",
        "B: 'y' is assigned only inside the 'if' at line 7, so it is undefined when the condition is false;"
            + " assign it before the 'if' or in an 'else' branch");
    expectLast(spec("", "if sum(x) > 0:", "  y = x", "elif sum(x) < 0:", "  y = relu(x)", "return y"), "y",
        "B: 'y' is not assigned in every branch of the 'if' at line 7; assign it in every branch or before the 'if'");
    expect(spec("", "if sum(x) > 0:", "  x = sum(x, 1)", "return x"), "if",
        "B: 'x' changes shape in the 'if' branch, from [batch, 4] to [batch]");
    expect(spec("", "if sum(x) > 0:", "  x = x", "else:", "  x = sum(x, 1)", "return x"), "if",
        "B: 'x' changes shape in the 'else' branch, from [batch, 4] to [batch]");
    // a branch that returns does not reach the join: y is the other branch's
    assertEquals(List.of(2, 4), inspect("", "if sum(x) > 0:", "  return x", "else:", "  y = relu(x)", "return y")
        .outputShape());
    assertEquals(List.of(2), inspect("", "if sum(x) > 0:", "  y = sum(x, 1)", "else:", "  return sum(x, 1)", "return y")
        .outputShape());
    expect(spec("", "if (x, x):", "  x = relu(x)", "return x"), "(x, x)", "B: an 'if' condition must be a scalar, got a tuple");
  }

  @Test
  void aForLoopRunsEveryModuleOfTheList() {
    String keeps = "{h: {module_list: [" + linear(4) + ", " + linear(4) + "]}}";
    assertEquals(List.of(2, 4), inspect(keeps, "for layer in h:", "  x = layer(x)", "return x").outputShape());
    expect(spec(LIST, "y = relu(x)", "for layer in h:", "  y = layer(x)", "return y"), "layer(x)",
        "B: 'layer' gives [batch, 8] for h.1 but [batch, 4] for h.0; every module of a list looped over must give one shape");
    expect(spec("{h: {module_list: [{linear: 8}]}}", "for layer in h:", "  x = layer(x)", "return x"), "for",
        "B: 'x' changes shape inside the for loop (each module of the list must keep it), from [batch, 4] to [batch, 8]");
    expectLast(spec(keeps, "for layer in h:", "  y = layer(x)", "return y"), "y",
        "B: 'y' is assigned only inside the 'for' at line 8; assign it before the 'for'");
    expect(spec(keeps, "y = x", "for y in h:", "  x = y(x)", "return x"), "y in",
        "B: loop variable 'y' would hide the variable of that name; choose another name");
    expectLast(spec(keeps, "for x2 in h:", "  for x2 in h:", "    x = x2(x)", "return x"), "x2 in",
        "B: loop variable 'x2' would hide the loop variable of that name; choose another name");
    expectLast(spec(keeps, "for layer in h:", "  y = layer", "return x"), "layer",
        "B: 'layer' is a module of the list looped over; call it, as in layer(x)");
  }

  @Test
  void layersAreCalledOnOneTensor() {
    expect(spec(LIST, "y = fc", "return x"), "fc", "B: 'fc' is a layer; call it, as in fc(x)");
    expect(spec(LIST, "return fc()"), "fc", "B: layer 'fc' takes one tensor, got 0 arguments");
    expect(spec(LIST, "return fc(x, y=x)"), "fc", "B: layer 'fc' takes one tensor, got 2 arguments");
    expect(spec(LIST, "return fc(3)"), "3", "B: layer 'fc' takes a tensor, got an int");
    assertEquals(List.of(2, 8), inspect(LIST, "return d.a(x)").outputShape());
    expect(spec(LIST, "return d.zz(x)"), "zz(x)", "B: 'd' has no module 'zz' (modules: a)");
    expect(spec(LIST, "return h.a(x)"), "h.a", "B: 'h' is a module_list; loop over it (for layer in h: x = layer(x))");
  }

  @Test
  void aModuleListIsIndexedByAnIntWrittenOut() {
    assertEquals(List.of(2, 4), inspect(LIST, "return h[0](x)").outputShape());
    assertEquals(List.of(2, 8), inspect(LIST, "return h[1](x)").outputShape());
    assertEquals(List.of(2, 8), inspect(LIST, "return h[-1](x)").outputShape());
    assertEquals(List.of(2, 4), inspect(LIST, "return h[-2](x)").outputShape());
    expect(spec(LIST, "return h[2](x)"), "2]", "B: index 2 is out of range for 'h' (2 modules: indices -2 to 1)");
    expect(spec(LIST, "return h[-3](x)"), "-3", "B: index -3 is out of range for 'h' (2 modules: indices -2 to 1)");
    expect(spec(LIST, "i = 0", "return h[i](x)"), "i](x)", "B: a module list is indexed by an integer written out, as in h[0](x)");
    // the message names what is indexed ('fc'), not the indexing ('fc[0]')
    expect(spec(LIST, "return fc[0](x)"), "fc[", "B: only a module list is called by index, as in h[0](x); 'fc' is not one");
    expect(spec(LIST, "return d[0](x)"), "d[", "B: only a module list is called by index, as in h[0](x); 'd' is a module_dict: call its modules by name");
    // the call is located at the list, as fc() is at 'fc' (not at its '(')
    expect(spec(LIST, "return h[0]()"), "h[0]()", "B: layer 'h[0]' takes one tensor, got 0 arguments");
    expect(spec(LIST, "return h[0](h[1](x))"), "h[0](h", "B.h.0 (linear): expects 4 input features, got 8; 'h[0]' is declared at line 6");
  }

  @Test
  void operatorsTypeTheirOperands() {
    // (2, 4) @ (4, 2): 4 outputs of 4 multiply-adds each, 2 flops per multiply-add
    assertEquals(32, inspect("", "return x @ transpose(x, 0, 1)").flops());
    assertEquals(List.of(2, 2), inspect("", "return x @ transpose(x, 0, 1)").outputShape());
    // -x and x + 1: one flop per element each
    assertEquals(16, inspect("", "return -x + 1").flops());
    expect(spec("", "return x + True"), "+", "B: '+' needs tensors or numbers, got a tensor of shape [batch, 4] and a boolean");
    expect(spec("", "if x and sum(x) > 0:", "  x = relu(x)", "return x"), "and",
        "B: 'and' needs scalar conditions, got a tensor of shape [batch, 4]");
    expect(spec("", "return zzz"), "zzz", "B: unknown name 'zzz' (names here: x)");
    List<String> unknown = errors(spec("", "return frobnicate(x)"));
    assertEquals(1, unknown.size(), unknown.toString());
    assertTrue(unknown.get(0).startsWith(at(spec("", "return frobnicate(x)"), "frobnicate")
        + "B: unknown function or layer 'frobnicate' (functions: "), unknown.get(0));
    List<String> broadcast = errors(spec("", "return x + reshape(x, (batch, 2, 2))"));
    assertEquals(1, broadcast.size(), broadcast.toString());
    assertTrue(broadcast.get(0).startsWith(at(spec("", "return x + reshape(x, (batch, 2, 2))"), "+") + "B: '+': "),
        broadcast.get(0));
  }

  /** The one error of {@code text} is at {@code token} (first forward line holding it) and contains {@code part}. */
  private static void oneAt(String text, String token, String part) {
    List<String> e = errors(text);
    assertEquals(1, e.size(), e.toString());
    assertTrue(e.get(0).startsWith(at(text, token) + "B: ") && e.get(0).contains(part), e.get(0));
  }

  @Test
  void moreShapesOfReturnsLoopsAndOperands() {
    oneAt(spec("", "if sum(x) > 0:", "  return (x, x)", "return (x, x, x)"), "return (x, x, x)", " here but ");
    oneAt(spec("", "if sum(x) > 0:", "  return (x, x)", "return x"), "return x", " here but ");
    expect(spec("", "for layer in x:", "  x = layer(x)", "return x"), "x:",
        "B: 'for' loops over a module_list, such as 'for layer in h:'; got 'x', a tensor of shape [batch, 4]");
    expect(spec(LIST, "for layer in d.a:", "  x = layer(x)", "return x"), "a:",
        "B: 'for' loops over a module_list, such as 'for layer in h:'; got 'd.a', not a module_list");
    // .T of a 1-d tensor is the tensor itself, as in PyTorch
    assertEquals(List.of(4), inspect("", "return sum(x, 0).T").outputShape());
    oneAt(spec("", "return -arange(4)"), "-arange", "'-'");
    oneAt(spec("", "return arange(4) @ x"), "@", "'@'");
  }

  @Test
  void anIfOnArgumentsCallingAFunctionInTheBranchNotTaken() {
    // inspect sized the workspace of the recording forward with both branches, and the branch
    // not taken was never typed: a NullPointerException before (relu: one flop an element)
    String b = "netspec: 1\npackage: t\nblocks:\n  B:\n    args: {k: int}\n    input: [batch, 4]\n"
        + "    forward: |\n      if k > 1:\n        x = relu(x)\n      return x\n"
        + "  C:\n    input: [batch, 4]\n    sequential: [{B: {k: K}}]\n";
    for (int k : new int[] {2, 1}) {
      dev.netspec.compiler.Compilation c = new dev.netspec.compiler.Compiler(dev.netspec.compiler.CompilerOptions.defaults())
          .compile(List.of(new dev.netspec.compiler.SpecSource(java.nio.file.Path.of("t.yaml"), b.replace("K", "" + k))));
      assertEquals(List.of(), c.diagnostics().stream().map(d -> d.format()).toList());
      assertEquals(k > 1 ? 8 : 0, c.inspect("C", new int[] {2, 4}).flops(), "k = " + k);
    }
  }

  @Test
  void anIfOnArgumentsRunsOneBranchPerUse() {
    String b = "netspec: 1\npackage: t\nblocks:\n  B:\n    args: {k: int}\n    input: [batch, 4]\n"
        + "    forward: |\n      if k > 1:\n        x = x * 2\n      return x\n"
        + "  C:\n    input: [batch, 4]\n    sequential: [{B: {k: K}}]\n";
    // x * 2's 8 flops at (2, 4) run only where k > 1
    for (int k : new int[] {2, 1}) {
      dev.netspec.compiler.Compilation c = new dev.netspec.compiler.Compiler(dev.netspec.compiler.CompilerOptions.defaults())
          .compile(List.of(new dev.netspec.compiler.SpecSource(java.nio.file.Path.of("t.yaml"), b.replace("K", "" + k))));
      assertEquals(List.of(), c.diagnostics().stream().map(d -> d.format()).toList());
      assertEquals(k > 1 ? 8 : 0, c.inspect("C", new int[] {2, 4}).flops(), "k = " + k);
    }
  }

  /** Block B with int arguments n and m, input [batch, n], fc: n -> m, and the given forward lines. */
  private static String generic(String... forward) {
    StringBuilder s = new StringBuilder("netspec: 1\npackage: t\nblocks:\n  B:\n    args: {n: int, m: int}\n"
        + "    input: [batch, n]\n    layers: {fc: {linear: {in_features: n, out_features: m}}}\n    forward: |\n");
    for (String f : forward) {
      s.append("      ").append(f).append('\n');
    }
    return s.toString();
  }

  @Test
  void aBranchOnArgumentsMayChangeAShapeTheArgumentsMakeEqualWhenItIsSkipped() {
    // ResNet's shortcut: y = fc(x) only where n != m; skipped, n == m and [batch, n] is [batch, m]
    assertEquals(List.of(), errors(generic("y = x", "if n != m:", "  y = fc(x)", "return y")));
    assertEquals(List.of(), errors(generic("y = x", "if not n == m:", "  y = fc(x)", "return y")));
    assertEquals(List.of(), errors(generic("y = x", "if n == m:", "  y = y * 2", "else:", "  y = fc(x)", "return y")));
    // after the 'if', y is [batch, m]: adding fc(x) needs no broadcast
    assertEquals(List.of(), errors(generic("y = x", "if n != m:", "  y = fc(x)", "return y + fc(x)")));
    // skipped, n > m says nothing about n and m
    expect(generic("y = x", "if n > m:", "  y = fc(x)", "return y"), "if",
        "B: 'y' changes shape in the 'if' branch, from [batch, n] to [batch, m]");
    expect(generic("y = x", "if n == m:", "  y = fc(x)", "return y"), "if",
        "B: 'y' changes shape in the 'if' branch, from [batch, n] to [batch, m]");
    expect(generic("y = x", "if n != 3:", "  y = fc(x)", "return y"), "if",
        "B: 'y' changes shape in the 'if' branch, from [batch, n] to [batch, m]");
    expect(generic("y = x", "if n != m:", "  y = x", "else:", "  y = fc(x)", "return y"), "if",
        "B: 'y' changes shape in the 'else' branch, from [batch, n] to [batch, m]");
  }

  @Test
  void containersInsideContainersAreNotCalled() {
    String nested = "{d: {module_dict: {a: " + linear(4) + ", e: {module_dict: {b: " + linear(8) + "}}}},"
        + " h: {module_list: [{module_dict: {c: " + linear(4) + "}}, {module_list: [" + linear(4) + "]}]}}";
    assertEquals(List.of(2, 8), inspect(nested, "return d.e.b(x)").outputShape());
    expect(spec(nested, "return d.e(x)"), "e(x)",
        "B: 'd.e' is a module_dict and has no forward; call its modules by name");
    expect(spec(nested, "return h[0](x)"), "h[0]", "B: 'h[0]' is a module_dict and has no forward");
    expect(spec(nested, "return h[-1](x)"), "h[-1]", "B: 'h[-1]' is a module_list and has no forward");
    // PyTorch's self.h[0].c(x): one error saying what to write, not "'h' is a layer; call it"
    String item = spec(nested, "return h[0].c(x)");
    assertEquals(List.of(at(item, "h[0].c") + "B: 'h[0].c' calls a module inside an item of a"
        + " module_list, which the forward does not do yet; make the item a block whose forward"
        + " calls c, and call h[0](x)"), errors(item));
    expect(spec(nested, "return d.a()"), "a()", "B: layer 'd.a' takes one tensor, got 0 arguments");
    // the arguments of a call that cannot be made are still checked: two errors, not one
    String t = spec(nested, "return d.zz(zzz)");
    assertEquals(List.of(at(t, "zz(") + "B: 'd' has no module 'zz' (modules: a, e)",
        at(t, "zzz") + "B: unknown name 'zzz' (names here: x)"), errors(t));
    t = spec(nested, "return x[0](zzz)");
    assertEquals(2, errors(t).size(), errors(t).toString());
    t = spec(nested, "return h[5](zzz)");
    assertEquals(2, errors(t).size(), errors(t).toString());
  }

  @Test
  void anAttentionLayerTakesTensorsAndMasks() {
    String attn = "{attn: {multihead_attention: {embed_dim: 4, num_heads: 2, batch_first: true}}}";
    String seq = "q = reshape(x, (batch, 1, 4))";
    // attn(q) is attn(q, q, q)[0]: the output of the query's shape
    assertEquals(List.of(2, 1, 4), inspect(attn, seq, "return attn(q)").outputShape());
    expect(spec(attn, "return attn(3)"), "3", "B: layer 'attn' takes a tensor, got an int");
    expect(spec(attn, seq, "out, _ = attn(q, q, q, attn_mask=3)", "return out"), "3)",
        "B: layer 'attn': attn_mask must be a tensor or None, got an int");
    expect(spec(attn, seq, "out, _ = attn(q, 2, q)", "return out"), "2,",
        "B: layer 'attn': key must be a tensor, got an int");
    // None for a mask is no mask; a misspelled keyword is one error, its arguments still checked
    assertEquals(List.of(2, 1, 4), inspect(attn, seq, "out, _ = attn(q, q, q, attn_mask=None)", "return out").outputShape());
    String t = spec(attn, seq, "out, _ = attn(q, q, q, attn_msk=zzz)", "return out");
    assertEquals(2, errors(t).size(), errors(t).toString());
    // a None among them is no value to check
    t = spec(attn, seq, "out, _ = attn(q, q, q, None, attn_msk=None)", "return out");
    assertEquals(1, errors(t).size(), errors(t).toString());
  }

  @Test
  void valuesHaveTheKindPythonGivesThem() {
    // int / int is a float in Python 3 (a number, not an int); int * int an int; a float operand makes a float
    expect(spec("", "y = 2 / 2", "y = x", "return x"), "y = x", "B: 'y' was a number and cannot become a tensor of shape [batch, 4]");
    expect(spec("", "y = 2 * 3", "y = x", "return x"), "y = x", "B: 'y' was an int and cannot become a tensor of shape [batch, 4]");
    expect(spec("", "y = 2.5 - 1", "y = x", "return x"), "y = x", "B: 'y' was a number and cannot become a tensor of shape [batch, 4]");
    expect(spec("", "y = 1 + 2.5", "y = x", "return x"), "y = x", "B: 'y' was a number and cannot become a tensor of shape [batch, 4]");
    expect(spec("", "y = sum(x) > 0 and sum(x) < 1", "return x * y"), "*",
        "B: '*' needs tensors or numbers, got a tensor of shape [batch, 4] and a boolean");
    // one error for one cause: the value after an error is an unknown tensor, not a second complaint
    expect(spec("{fc: " + linear(4) + "}", "return fc * 2"), "fc", "B: 'fc' is a layer; call it, as in fc(x)");
    oneAt(spec("", "return arange(4) * 2"), "*", "int64");
    // PyTorch's spelling is advised on, then typed as written the netspec way: one error
    oneAt(spec("", "return torch.relu(x)"), "torch", "relu(x)");
    List<String> two = errors(spec("", "return frobnicate(zzz)"));
    assertEquals(2, two.size(), two.toString());
    assertTrue(two.get(1).endsWith("B: unknown name 'zzz' (names here: x)"), two.toString());
  }

  @Test
  void matmulFlopsOfEmptyOperandsAreZero() {
    // (2, 0) @ (0, 2): four outputs, each a sum of nothing
    assertEquals(List.of(2, 2), inspect("", "return x[:, 0:0] @ transpose(x[:, 0:0], 0, 1)").outputShape());
    assertEquals(0, inspect("", "return x[:, 0:0] @ transpose(x[:, 0:0], 0, 1)").flops());
    // (0, 4) @ (4, 2): no outputs
    assertEquals(List.of(0, 2), inspect("", "return x[0:0] @ transpose(x, 0, 1)").outputShape());
    assertEquals(0, inspect("", "return x[0:0] @ transpose(x, 0, 1)").flops());
    // x.T of [batch, 4] is [4, batch]
    assertEquals(List.of(4, 2), inspect("", "return x.T").outputShape());
  }

  @Test
  void aLoopedListReportsEachModuleThatFails() {
    // h.0 takes the 4 features; h.1 wants 8: its error is said, not hidden behind h.0's
    String list = "{h: {module_list: [" + linear(4) + ", {linear: {in_features: 8, out_features: 4}}]}}";
    String t = spec(list, "for layer in h:", "  x = layer(x)", "return x");
    assertEquals(List.of(at(t, "layer(x)") + "B.h.1 (linear): expects 8 input features, got 4; 'h[1]' is declared at line 6"), errors(t));
  }

  @Test
  void namesOfParametersBuffersAndArguments() {
    String b = "netspec: 1\npackage: t\nblocks:\n  B:\n    args: {k: int, s: float, f: bool}\n    input: [batch, 4]\n"
        + "    params: {w: {shape: [4, 3], init: normal}}\n    buffers: {r: {shape: [4], persistent: false}}\n"
        + "    forward: |\n      FWD\n";
    // [batch, 4] @ [4, 3] and [batch, 4] + [4]: no error
    assertEquals(List.of(), errors(b.replace("FWD", "return x @ w")));
    assertEquals(List.of(), errors(b.replace("FWD", "return x + r * k")));
    expect(b.replace("FWD", "return x * f"), "*", "B: '*' needs tensors or numbers, got a tensor of shape [batch, 4] and a boolean");
    String t = b.replace("FWD", "y = s\n      y = x\n      return x");
    expect(t, "y = x", "B: 'y' was a number and cannot become a tensor of shape [batch, 4]");
    t = b.replace("FWD", "y = k\n      y = x\n      return x");
    expect(t, "y = x", "B: 'y' was an int and cannot become a tensor of shape [batch, 4]");
    // r @ w is [4] @ [4, 3] = [3], which does not broadcast with [batch, 4]
    oneAt(b.replace("FWD", "return r @ w + x"), "+", "[3]");
  }
}
