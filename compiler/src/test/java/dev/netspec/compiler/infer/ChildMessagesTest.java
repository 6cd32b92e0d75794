package dev.netspec.compiler.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netspec.compiler.Compiler;
import dev.netspec.compiler.CompilerOptions;
import dev.netspec.compiler.SpecSource;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The errors inference reports about a block's children, without javac: how a child is named
 * (its path and type, a {@code same_as} child with the layer it shares, an item of a module list
 * as the forward writes it, {@code h[1]}), what a sequential cannot do (pass several inputs, or
 * a tuple, as PyTorch's nn.Sequential passes one value on), the values a block argument gives a
 * layer that the layer refuses, and the ties and inits checked against the built parameters.
 * The expected messages are the rules written out by hand; the shapes are PyTorch's (nn.Linear's
 * weight is [out_features, in_features]).
 */
class ChildMessagesTest {
  private static List<String> errors(String blocks) {
    // line 1 netspec, 2 package, 3 blocks: the first block is at line 4
    String text = "netspec: 1\npackage: t\nblocks:\n" + blocks;
    return new Compiler(CompilerOptions.defaults()).compile(List.of(new SpecSource(Path.of("t.yaml"), text)))
        .diagnostics().stream().map(d -> d.format()).toList();
  }

  /** Each error's message, without its position and any note after it. */
  private static List<String> messages(List<String> errors) {
    return errors.stream().map(e -> e.substring(e.indexOf("error: ") + 7).split("\n")[0]).toList();
  }

  @Test
  void aSequentialPassesOneInput() {
    String pair = "  Pair:\n    inputs: {a: [batch, 4], b: [batch, 4]}\n    forward: a + b\n";
    // line 8: the sequential's item; line 11: the child under 'layers' (no forward: run in turn)
    assertEquals(List.of("t.yaml:9:18: error: InSeq.0 (Pair): takes 2 inputs, but a 'sequential' passes one;"
        + " call it in a forward with all of them"),
        errors(pair + "  InSeq:\n    input: [batch, 4]\n    sequential: [Pair, relu]\n"));
    assertEquals(List.of("InLayers.p (Pair): takes 2 inputs, but a 'sequential' passes one;"
        + " call it in a forward with all of them"),
        messages(errors(pair + "  InLayers:\n    input: [batch, 4]\n    layers: {p: Pair}\n")));
    // a one-input block in a sequential is fine
    assertEquals(List.of(), errors("  One:\n    input: [batch, 4]\n    sequential: [relu]\n"
        + "  InSeq:\n    input: [batch, 4]\n    sequential: [One, One]\n"));
  }

  @Test
  void aSequentialCannotPassATupleOn() {
    // nn.LSTM returns (output, (h_n, c_n)): output [seq, batch, 8], the states [1, batch, 8]
    String tuple = "([seq, batch, 8], ([1, batch, 8], [1, batch, 8]))";
    assertEquals(List.of("t.yaml:6:18: error: S.0 (lstm): returns a tuple " + tuple + ", which a 'sequential'"
        + " cannot pass on; use 'layers' and a forward that unpacks it, such as a, (b, c) = lstm(x)"),
        errors("  S:\n    input: [seq, batch, 4]\n    sequential: [{lstm: {hidden_size: 8}}, relu]\n"));
    // a named child is called by its name
    assertEquals(List.of("t.yaml:6:14: error: L.rnn (lstm): returns a tuple " + tuple + ", which a 'sequential'"
        + " cannot pass on; use 'layers' and a forward that unpacks it, such as a, (b, c) = rnn(x)"),
        errors("  L:\n    input: [seq, batch, 4]\n    layers: {rnn: {lstm: {hidden_size: 8}}}\n"));
  }

  @Test
  void aLayerIsNamedByItsPathAndType() {
    // an item of a module list called with the wrong input: written as the forward writes it
    String list = "  B:\n    input: [batch, 4]\n    layers:\n      h: {module_list: [{linear: 4}, {linear: 2}]}\n"
        + "    forward: |\n      x = h[0](x)\n      y = h[1](x)\n      return h[1](x[:, 0:3])\n";
    // nn.Linear(4, 2) given 3 features: the error is at the call, and names where h is declared
    assertEquals(List.of("t.yaml:11:14: error: B.h.1 (linear): shared layer expects 4 input features, got 3"
        + " (input [batch, 3]); 'h[1]' is declared at line 7"), errors(list));
    // a same_as child: its own path, then the layer it shares (nn.Embedding takes int64 ids)
    String shared = "  S:\n    input: [batch, 16]\n    sequential:\n"
        + "      - embedding: {num_embeddings: 10, embedding_dim: 4}\n      - same_as: \"0\"\n";
    List<String> e = errors(shared);
    assertEquals(2, e.size(), e.toString());
    assertEquals("t.yaml:7:9: error: S.0 (embedding): takes an int64 tensor, got a tensor of shape [batch, 16];"
        + " declare the input as int64, as in [batch, seq, int64]", e.get(0));
    assertEquals("t.yaml:8:9: error: S.1 (same_as 0: embedding): takes an int64 tensor, got a tensor of shape"
        + " [batch, 16, 4]; declare the input as int64, as in [batch, seq, int64]", e.get(1));
  }

  @Test
  void aValueFromABlockArgumentIsCheckedWhereTheLayerIsDeclared() {
    // Linear(8, -4) and Dropout(1.5) raise in PyTorch; the literals are checked by the checker,
    // the values from the caller's arguments here, naming the expression they come from
    String norm = "  Norm:\n    args: {dim: int, p: float}\n    input: [batch, 8]\n    layers:\n"
        + "      fc: {linear: {in_features: 8, out_features: dim - 4}}\n      drop: {dropout: p}\n"
        + "    forward: drop(fc(x))\n"
        + "  User:\n    input: [batch, 8]\n    layers: {n: {Norm: {dim: 0, p: 1.5}}}\n    forward: n(x)\n";
    assertEquals(List.of("Norm.fc (linear): out_features must be positive, got -4 (from dim - 4)",
        "Norm.drop (dropout): dropout probability has to be between 0 and 1, got 1.5 (from p)"),
        messages(errors(norm)));
    // each error notes where the values are given (User's line 13): the known ones, in order
    String note = "t.yaml:13:14: note: User.n builds Norm here with dim=0, p=1.5";
    errors(norm).forEach(e -> assertEquals(note, e.split("\n")[1], e));
    // the same block with values that fit: no error
    assertEquals(List.of(), errors(norm.replace("{dim: 0, p: 1.5}", "{dim: 8, p: 0.5}")));
    // a block passing on its own (symbolic) argument gives no values to note
    String mid = norm + "  Mid:\n    args: {d: int}\n    input: [batch, 8]\n    layers: {n: {Norm: {dim: d, p: 0.5}}}\n"
        + "    forward: n(x)\n";
    assertEquals(List.of(), errors(mid.replace("{dim: 0, p: 1.5}", "{dim: 8, p: 0.5}")));
  }

  @Test
  void tiesNameTwoBuiltParametersOfOneShape() {
    // head: Linear(8, 4), weight [4, 8]; embed.proj: Linear(8, 8), weight [8, 8]
    String net = "  Net:\n    input: [batch, 8]\n    layers:\n      embed: {module_dict: {proj: {linear: 8}}}\n"
        + "      head: {linear: 4}\n      out: {linear: {in_features: 4, out_features: 8}}\n    tie:\n";
    String fwd = "    forward: out(head(embed.proj(x)))\n";
    assertEquals(List.of("t.yaml:11:7: error: Net: cannot tie head.weight [4, 8] to embed.proj.weight [8, 8]:"
        + " the shapes differ"), errors(net + "      head.weight: embed.proj.weight\n" + fwd));
    assertEquals(List.of("t.yaml:11:7: error: Net: tie 'head.bais' names no parameter; did you mean 'head.bias'?"),
        errors(net + "      head.bais: out.bias\n" + fwd));
    assertEquals(List.of("t.yaml:11:18: error: Net: tie source 'out.bais' names no parameter;"
        + " did you mean 'out.bias'?"), errors(net + "      head.bias: out.bais\n" + fwd));
    // out.weight [8, 4] and head.weight [4, 8] differ; out.bias [8] and embed.proj.bias [8] agree
    assertEquals(List.of(), errors(net + "      out.bias: embed.proj.bias\n" + fwd));
  }

  @Test
  void aTieToALayerThatWasNotBuiltIsNotASecondError() {
    // the caller's width 0 is refused at both layers: their weights are unknown, and the tie
    // (of two [width, 8] weights, one shape) says nothing more
    String net = "  Net:\n    args: {width: int}\n    input: [batch, 8]\n    layers:\n"
        + "      a: {linear: {in_features: 8, out_features: width}}\n"
        + "      b: {linear: {in_features: 8, out_features: width}}\n"
        + "    tie: {a.weight: b.weight}\n    forward: b(x)\n"
        + "  User:\n    input: [batch, 8]\n    layers: {n: {Net: {width: 0}}}\n    forward: n(x)\n";
    assertEquals(List.of("Net.a (linear): out_features must be positive, got 0 (from width)",
        "Net.b (linear): out_features must be positive, got 0 (from width)"), messages(errors(net)));
    // a tie to a parameter the layer does not declare is still reported (no layer built: nothing to suggest)
    List<String> bad = messages(errors(net.replace("{a.weight: b.weight}", "{a.wait: b.weight}")));
    assertEquals(true, bad.contains("Net: tie 'a.wait' names no parameter"), bad.toString());
    List<String> badSource = messages(errors(net.replace("{a.weight: b.weight}", "{a.weight: b.wait}")));
    assertEquals(true, badSource.contains("Net: tie source 'b.wait' names no parameter"),
        badSource.toString());
  }

  @Test
  void anInitNamesAParameterTheBuiltLayerHas() {
    // nn.LazyLinear's weight has no shape before the first forward: it cannot be initialized
    assertEquals(List.of("t.yaml:6:45: error: Lazy.0 (linear): cannot initialize 'weight' of a lazy layer;"
        + " its shape is known only at the first forward"),
        errors("  Lazy:\n    input: [batch, \"?\"]\n    sequential: [{linear: 4, init: {weight: zeros}}, relu]\n"));
    // nn.Linear has weight and bias, nothing else; a known input makes it a Linear
    assertEquals(List.of(), errors("  Fine:\n    input: [batch, 3]\n"
        + "    sequential: [{linear: 4, init: {weight: zeros, bias: ones}}, relu]\n"));
  }

  @Test
  void aContainerCalledWholeIsOneError() {
    // nn.ModuleList has no forward: calling it is the error, once; its items (whose in_features
    // would come from a call) are not also "never called"
    assertEquals(List.of("t.yaml:8:14: error: B.h (module_list): a module_list has no forward of its own;"
        + " loop over it in a forward: for layer in h: x = layer(x); 'h' is declared at line 7"),
        errors("  B:\n    input: [batch, 8]\n    layers:\n      h: {module_list: [{linear: 8}, {linear: 8}]}\n"
            + "    forward: h(x)\n"));
    // nn.ModuleDict in a sequential: its items are called by name, from a forward
    assertEquals(List.of("S.1 (module_dict): a module_dict has no forward of its own; a sequential runs each"
        + " item in turn, so name it under 'layers' (as d) and call its modules in a forward, as in d.a(x)"),
        messages(errors("  S:\n    input: [batch, 8]\n    sequential:\n      - relu\n"
            + "      - module_dict: {a: {linear: 8}}\n")));
  }
}
