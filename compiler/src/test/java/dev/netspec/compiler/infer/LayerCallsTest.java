package dev.netspec.compiler.infer;

import static dev.netspec.compiler.infer.ForwardErrorsTest.errors;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netspec.compiler.Compilation;
import dev.netspec.compiler.Compiler;
import dev.netspec.compiler.CompilerOptions;
import dev.netspec.compiler.Inspection;
import dev.netspec.compiler.SpecSource;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Calls of layers that take several tensors (attention, transformer layers) matched to their
 * parameters as Python matches a call, and the names a tuple result is unpacked into. Shapes
 * and flops by hand from PyTorch's documented rules; messages at the expression they are about.
 */
class LayerCallsTest {
  private static final String ATTN = "{attn: {multihead_attention: {embed_dim: 8, num_heads: 2, batch_first: true}},"
      + " dec: {transformer_decoder_layer: {d_model: 8, nhead: 2, batch_first: true}},"
      + " enc: {transformer_encoder_layer: {d_model: 8, nhead: 2, batch_first: true}},"
      + " lstm: {lstm: {input_size: 8, hidden_size: 4, batch_first: true}}}";

  /** Block B with input [batch, 5, 8], the layers above, and the given forward lines. */
  private static String spec(String... forward) {
    StringBuilder s = new StringBuilder("netspec: 1\npackage: t\nblocks:\n  B:\n    input: [batch, 5, 8]\n");
    s.append("    layers: ").append(ATTN).append("\n    forward: |\n");
    for (String f : forward) {
      s.append("      ").append(f).append('\n');
    }
    return s.toString();
  }

  /** "t.yaml:L:C: error: " at the first {@code token} of forward line {@code n} (1-based). */
  private static String at(String text, int n, String token) {
    String[] lines = text.split("\n");
    int first = 0;
    while (!lines[first].contains("forward:")) {
      first++;
    }
    String l = lines[first + n];
    return "t.yaml:" + (first + n + 1) + ":" + (l.indexOf(token) + 1) + ": error: ";
  }

  private static void expect(String text, int line, String token, String message) {
    assertEquals(List.of(at(text, line, token) + message), errors(text), text);
  }

  @Test
  void everyParameterPositionally() {
    // all seven of MultiheadAttention.forward's parameters: weights per head (average_attn_weights=False)
    String all = spec("a, w = attn(x, x, x, None, True, None, False)", "return w");
    Compilation c = new Compiler(CompilerOptions.defaults()).compile(List.of(new SpecSource(Path.of("t.yaml"), all)));
    assertEquals(List.of(), c.diagnostics());
    Inspection i = c.inspect("B", new int[] {2, 5, 8});
    assertEquals(List.of(2, 2, 5, 5), i.outputShape(), "(N, num_heads, L, S)");
    // in-projections 3 * 2 * (2 * 5) * 8 * 8 = 3840, out-projection 2 * 10 * 8 * 8 = 1280,
    // scores and the weighted values 2 * (2 * 2 heads * 5 * 5 * 4) each = 800 + 800
    assertEquals(3840 + 1280 + 800 + 800, i.flops());
    expect(spec("c = enc(x, None, None, None)", "return c"), 1, "enc",
        "B: layer 'enc' takes at most 3 arguments (src, src_mask, src_key_padding_mask), got 4");
    assertEquals(List.of(), errors(spec("c = enc(x, None, None)", "return c")));
  }

  @Test
  void theTensorsItNeeds() {
    expect(spec("b = dec(x)", "return b"), 1, "dec",
        "B: layer 'dec' needs memory (it takes tgt, memory, tgt_mask, memory_mask, tgt_key_padding_mask,"
            + " memory_key_padding_mask)");
    assertEquals(List.of(), errors(spec("b = dec(x, x)", "return b")));
    expect(spec("e, _ = attn(x, key=x)", "return e"), 1, "attn",
        "B: layer 'attn' needs value (it takes query, key, value, key_padding_mask, need_weights, attn_mask,"
            + " average_attn_weights)");
  }

  @Test
  void namesATupleIsUnpackedInto() {
    expect(spec("out, hc = lstm(x)", "return out"), 1, "hc",
        "B: 'hc' would hold a tuple ([1, batch, 4], [1, batch, 4]); unpack it, as in (a, b), or discard it with _");
    assertEquals(List.of(), errors(spec("out, (h, c) = lstm(x)", "return out + 0 * sum(h) + 0 * sum(c)")));
    assertEquals(List.of(), errors(spec("out, _ = lstm(x)", "return out")));
    expect(spec("n = 3", "n, m = chunk(x, 2, 1)", "return m"), 2, "n,",
        "B: 'n' was an int and cannot become a tensor of shape [batch, 3, 8]");
    expect(spec("a, w = attn(x, x, x, need_weights=False)", "return a"), 1, "w =",
        "B: 'w' would hold None (attention weights with need_weights=False); discard it with _");
  }
}
