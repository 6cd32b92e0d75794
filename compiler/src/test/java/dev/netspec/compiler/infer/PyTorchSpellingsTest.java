package dev.netspec.compiler.infer;

import static dev.netspec.compiler.infer.ForwardErrorsTest.at;
import static dev.netspec.compiler.infer.ForwardErrorsTest.errors;
import static dev.netspec.compiler.infer.ForwardErrorsTest.expect;
import static dev.netspec.compiler.infer.ForwardErrorsTest.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a PyTorch user writes in a forward that the language spells otherwise: each is one
 * error at the expression, saying what to write ({@code errors/pytorch_spellings.yaml} has the
 * common ones; these are the rest: members without a call, names that are nothing, module
 * prefixes of any depth, methods that are no function, the sizes of {@code view} and
 * {@code permute} one by one or as a tuple).
 */
class PyTorchSpellingsTest {
  private static final String LAYERS = "{fc1: {linear: 4}}";

  /** The one error of {@code a = <expr>} in a block with layer fc1 and parameter scale. */
  private static void advice(String expr, String message) {
    String text = spec(LAYERS, "a = " + expr, "return fc1(x)");
    expect(text, expr, message);
  }

  /** The one error of {@code a = <expr>}, which lists the forward's functions after {@code start}. */
  private static void listsTheFunctions(String expr, String start) {
    String text = spec(LAYERS, "a = " + expr, "return fc1(x)");
    List<String> e = errors(text);
    assertEquals(1, e.size(), e.toString());
    assertTrue(e.get(0).startsWith(at(text, expr) + start + " (functions: abs, adaptive_avg_pool1d, "), e.get(0));
    assertTrue(e.get(0).contains(", relu, reshape, ") && e.get(0).endsWith(", view, where)"), e.get(0));
  }

  @Test
  void selfIsNotWritten() {
    advice("self.fc1", "B: write 'fc1(...)' to call layer 'fc1': a forward calls its layers by name, without 'self.'");
    advice("self.nothing", "B: 'self.nothing' is not a member of this block; a forward names its members without 'self.'");
    advice("self.fc2(x)", "B: 'self.fc2' is not a layer of this block; did you mean 'fc1'? (a forward calls its layers"
        + " by name, without 'self.')");
    advice("self.zzzzzz(x)", "B: 'self.zzzzzz' is not a layer of this block (a forward calls its layers by name,"
        + " without 'self.')");
    // the layer is still built and checked: called on the wrong features, that is the next error
    String wrong = spec("{fc1: {linear: {in_features: 3, out_features: 4}}}", "return self.fc1(x)");
    List<String> e = errors(wrong);
    assertEquals(2, e.size(), e.toString());
    assertEquals(at(wrong, "self") + "B: write 'fc1(x)', not 'self.fc1(x)': a forward calls its layers by name,"
        + " without 'self.'", e.get(0));
    assertTrue(e.get(1).contains("B.fc1 (linear): expects 3 input features, got 4"), e.get(1));
  }

  @Test
  void aForwardMakesNoNewTensors() {
    String makes = "; a forward makes no new tensors: declare a buffer (buffers: {name: {shape: [...]}},"
        + " zeros unless its 'init' says otherwise) and use it by its name, or compute from the input (x * 0)";
    advice("torch.zeros(2, 3)", "B: 'torch.zeros' is not a function of the forward language" + makes);
    advice("torch.randn_like(x)", "B: 'torch.randn_like' is not a function of the forward language" + makes);
    advice("ones(2)", "B: unknown function or layer 'ones'" + makes);
    // a name only near one of them is no maker: the functions are listed
    listsTheFunctions("torch.zeroes(2)", "B: 'torch.zeroes' is not a function of the forward language");
  }

  @Test
  void functionsHaveNoModulePrefix() {
    advice("torch.nn.functional.relu(x)", "B: write 'relu(x)', not 'torch.nn.functional.relu(x)': functions are"
        + " called without a module prefix");
    advice("nn.functional.tanh(x)", "B: write 'tanh(x)', not 'nn.functional.tanh(x)': functions are called"
        + " without a module prefix");
    advice("F.rleu(x)", "B: 'F.rleu' is not a function of the forward language; did you mean 'relu'?");
    listsTheFunctions("nn.zzzz(x)", "B: 'nn.zzzz' is not a function of the forward language");
    // a prefix that is not a module of PyTorch's is a tensor method on a name
    listsTheFunctions("np.zzzz(x)", "B: 'np.zzzz(x)': a forward has no tensor methods, and no function 'zzzz'");
    // any chain of PyTorch's module names is a prefix
    advice("F.functional.relu(x)", "B: write 'relu(x)', not 'F.functional.relu(x)': functions are called without a"
        + " module prefix");
    // what to write is the whole call: a layer inside without 'self.', a function inside without its prefix
    advice("F.relu(self.fc1(x))", "B: write 'relu(fc1(x))', not 'F.relu(self.fc1(x))': functions are called without"
        + " a module prefix");
    advice("self.fc1(torch.tanh(x))", "B: write 'fc1(tanh(x))', not 'self.fc1(torch.tanh(x))': a forward calls its"
        + " layers by name, without 'self.'");
    // operators in what to write keep only the parentheses Python needs
    advice("x.view(-1, 2 * 2 * 1)", "B: write 'view(x, (-1, 2 * 2 * 1))', not 'x.view(-1, 2 * 2 * 1)': a forward"
        + " calls functions, not tensor methods");
    advice("x.view(-1, (1 + 1) * 2 - (4 - 4) - 0 ** 2 ** 1)", "B: write 'view(x, (-1, (1 + 1) * 2 - (4 - 4) - 0 ** 2"
        + " ** 1))', not 'x.view(-1, (1 + 1) * 2 - (4 - 4) - 0 ** 2 ** 1)': a forward calls functions, not tensor"
        + " methods");
  }

  @Test
  void tensorMethodsAreFunctions() {
    advice("x.dtype", "B: only '.T' is supported after an expression, not '.dtype'");
    advice("x.contiguous()", "B: write 'x', not 'x.contiguous()': a forward has no '.contiguous()'");
    advice("x.detach()", "B: write 'x', not 'x.detach()': a forward has no '.detach()'");
    advice("fc1(x).view((-1, 8))", "B: write 'view(fc1(x), (-1, 8))', not 'fc1(x).view((-1, 8))': a forward calls"
        + " functions, not tensor methods");
    advice("x.permute(1, 0)", "B: write 'permute(x, (1, 0))', not 'x.permute(1, 0)': a forward calls functions,"
        + " not tensor methods");
    advice("x.sum(1)", "B: write 'sum(x, 1)', not 'x.sum(1)': a forward calls functions, not tensor methods");
    advice("x.t()", "B: write 'x.T', not 'x.t()': a forward transposes with '.T'");
    listsTheFunctions("x.t(1)", "B: 'x.t(1)': a forward has no tensor methods, and no function 't'");
    advice("x.sofmax(1)", "B: 'x.sofmax(1)': a forward has no tensor methods, and no function 'sofmax'; did you mean"
        + " 'softmax'?");
  }

  @Test
  void whatToWriteNamesTheSizesAtAnyDepth() {
    // the sizes read with x.size(i) or x.shape[i] are written by their names (or numbers) wherever they stand
    advice("x.view(x.size(0) * 2, -1)", "B: write 'view(x, (batch * 2, -1))', not 'x.view(x.size(0) * 2, -1)': a"
        + " forward calls functions, not tensor methods");
    advice("x.reshape(x.shape[0], x.shape[-1])", "B: write 'reshape(x, (batch, 4))', not"
        + " 'x.reshape(x.shape[0], x.shape[-1])': a forward calls functions, not tensor methods");
    // behind a no-op: the message names all that was written, once
    advice("x.contiguous().view(x.size(0), -1)", "B: write 'view(x, (batch, -1))', not"
        + " 'x.contiguous().view(x.size(0), -1)': a forward calls functions, not tensor methods");
    advice("x.detach().contiguous().sum(1)", "B: write 'sum(x, 1)', not 'x.detach().contiguous().sum(1)':"
        + " a forward calls functions, not tensor methods");
    // a size of a tensor that is not the input's name stays as written
    advice("fc1(x).view(fc1(x).size(0), -1)", "B: write 'view(fc1(x), (fc1(x).size(0), -1))', not"
        + " 'fc1(x).view(fc1(x).size(0), -1)': a forward calls functions, not tensor methods");
    advice("math.sqrt(x.size(1) * 2)", "B: write '(4 * 2) ** 0.5', not 'math.sqrt(x.size(1) * 2)': a forward has no"
        + " module 'math'; it computes a square root with '** 0.5'");
  }

  @Test
  void argmaxAndLenSayWhatToWrite() {
    advice("argmax(x, 1)", "B: 'argmax' is not a function of the forward language: a forward computes float"
        + " tensors, not int64 indices; return the scores and take the indices from the output in Java,"
        + " y.argmax(dim, false), as after PyTorch's model(x)");
    advice("len(x)", "B: write 'batch', not 'len(x)': a forward reads the input's sizes by their names in"
        + " 'input:' (or writes the number)");
    advice("len(fc1(x))", "B: 'len' is not a function of the forward language: a forward reads the input's sizes"
        + " by their names in 'input:' (with input: [batch, 20], 'batch' is x.size(0)); in view or reshape, -1"
        + " stands for the size left over, as in view(x, (batch, -1)); a forward loops over a module list with"
        + " 'for layer in layers:'");
    // the operands' own mistakes are reported too
    List<String> e = errors(spec(LAYERS, "a = stack([x, y])", "return fc1(x)"));
    assertEquals(2, e.size(), e.toString());
    assertTrue(e.get(1).contains("unknown name 'y'"), e.toString());
  }
}
