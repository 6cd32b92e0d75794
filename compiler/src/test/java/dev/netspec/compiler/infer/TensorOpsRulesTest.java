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
 * Subscripts, slices and the tensor operations at their edges, on an input of [batch, 4]
 * inspected at [2, 4]: each size as Python's slicing and PyTorch's functions give it (worked by
 * hand: len(range(4)[1::2]) is 2, torch.arange(0, 5, 2) has 3 elements, ...), and one located
 * error one step past each edge.
 */
class TensorOpsRulesTest {
  private static List<Object> out(String... lines) {
    return inspect("", lines).outputShape();
  }

  /** The one error of {@code line} starts with the location of {@code token} and {@code prefix}. */
  private static void startsWith(String line, String token, String prefix) {
    String text = spec("", line);
    List<String> e = errors(text);
    assertEquals(1, e.size(), e.toString());
    assertTrue(e.get(0).startsWith(at(text, token) + prefix), e.get(0));
  }

  @Test
  void slicesCountAsPython() {
    assertEquals(List.of(2, 2), out("return x[:, 1:3]"));
    assertEquals(List.of(2, 2), out("return x[:, ::2]"));
    assertEquals(List.of(2, 2), out("return x[:, 1::2]"));
    assertEquals(List.of(2, 2), out("return x[:, ::3]"));
    assertEquals(List.of(2, 1), out("return x[:, 3::2]"));
    assertEquals(List.of(2, 3), out("return x[:, -3:]"));
    assertEquals(List.of(2, 3), out("return x[:, :-1]"));
    assertEquals(List.of(2, 0), out("return x[:, 5:]"));
    assertEquals(List.of(2, 2), out("return x[:, -9:2]"));
    assertEquals(List.of(2, 0), out("return x[:, 3:1]"));
    assertEquals(List.of(2, 4), out("return x[:, 0:4]"));
    assertEquals(List.of(2, 4), out("return x[:, 0:5]"));
    // the batch dim is a symbol when compiled: batch - 1 and ceil(batch / 2) at batch 2
    assertEquals(List.of(1, 4), out("return x[1:]"));
    assertEquals(List.of(1, 4), out("return x[:-1]"));
    assertEquals(List.of(1, 4), out("return x[::2]"));
    assertEquals(List.of(0, 4), out("return x[2:]"));
    expect(spec("", "return x[:, ::0]"), "0]", "B: a slice step must be a positive int constant");
    expect(spec("", "return x[:, ::-1]"), "-1]", "B: a slice step must be a positive int constant");
    expect(spec("", "return x[:, x:]"), "x:]",
        "B: a slice bound must be an int: a constant, an int argument or a size of the input, not a tensor");
  }

  @Test
  void indicesAndNewAxes() {
    assertEquals(List.of(2), out("return x[:, 3]"));
    assertEquals(List.of(2), out("return x[:, -4]"));
    assertEquals(List.of(1, 2, 4), out("return x[None]"));
    assertEquals(List.of(2, 4, 1), out("return x[..., None]"));
    assertEquals(List.of(2), out("return x[..., 0]"));
    assertEquals(List.of(4), out("return x[0]"));
    expect(spec("", "return x[:, 4]"), "4]", "B: index 4 is out of range for dim 1 of [batch, 4] (size 4)");
    expect(spec("", "return x[:, -5]"), "-5", "B: index -5 is out of range for dim 1 of [batch, 4] (size 4)");
    expect(spec("", "return x[0, 0, 0]"), "[0, 0", "B: too many indices for a tensor of 2 dims [batch, 4]: 3");
    expect(spec("", "return x[..., ...]"), "...]", "B: a subscript can have only one '...'");
    expect(spec("", "return x[x]"), "x]",
        "B: indexing with a tensor is not supported; index with ints and slices, or use masked_fill or where");
  }

  @Test
  void viewsKeepTheElements() {
    assertEquals(List.of(8), out("return reshape(x, (-1,))"));
    assertEquals(List.of(2, 2, 2), out("return view(x, (batch, 2, -1))"));
    assertEquals(List.of(4, 2), out("return permute(x, (1, 0))"));
    assertEquals(List.of(2, 1, 4), out("return unsqueeze(x, 1)"));
    assertEquals(List.of(2, 4, 1), out("return unsqueeze(x, 2)"));
    assertEquals(List.of(1, 2, 4), out("return unsqueeze(x, -3)"));
    assertEquals(List.of(2, 4, 1), out("return unsqueeze(x, -1)"));
    assertEquals(List.of(2, 4), out("return squeeze(unsqueeze(x, 1), 1)"));
    // squeezing a dim that is not 1 leaves it, as PyTorch does
    assertEquals(List.of(2, 4), out("return squeeze(x, 1)"));
    assertEquals(List.of(2, 4), out("return contiguous(x)"));
    expect(spec("", "return reshape(x, (-1, -1))"), "reshape", "B: reshape: reshape takes at most one -1");
    expect(spec("", "return reshape(x, (0, 4))"), "reshape", "B: reshape: reshape sizes must be positive or -1, got 0");
    startsWith("return reshape(x, (batch, 3))", "reshape", "B: reshape: cannot reshape [batch, 4] (");
    expect(spec("", "return unsqueeze(x, 3)"), "unsqueeze",
        "B: unsqueeze: dim 3 is out of range for a new dim of [batch, 4] (from -3 to 2)");
    expect(spec("", "return unsqueeze(x, -4)"), "unsqueeze",
        "B: unsqueeze: dim -4 is out of range for a new dim of [batch, 4] (from -3 to 2)");
    expect(spec("", "return squeeze(x, 0)"), "squeeze",
        "B: squeeze: dim 0 of [batch, 4] is batch, which may or may not be 1; index it (x[:, 0]) or reshape instead");
    startsWith("return permute(x, (0,))", "permute", "B: permute: dims ");
    startsWith("return permute(x, (0, 0))", "permute", "B: permute: dims ");
  }

  @Test
  void arangeCountsAsRange() {
    assertEquals(List.of(4), out("return arange(4)"));
    assertEquals(List.of(3), out("return arange(1, 4)"));
    assertEquals(List.of(3), out("return arange(0, 5, 2)"));
    assertEquals(List.of(2), out("return arange(0, 4, 2)"));
    assertEquals(List.of(0), out("return arange(4, 1)"));
    assertEquals(List.of(2), out("return arange(batch)"));
    expect(spec("", "return arange(0, 4, 0)"), "arange", "B: arange: step must be a positive int, got 0");
  }

  @Test
  void masksAndConstants() {
    // x > 0 is one flop per element, masked_fill and where one more each
    assertEquals(16, inspect("", "return masked_fill(x, x > 0, float('-inf'))").flops());
    assertEquals(16, inspect("", "return where(x > 0, x, 0)").flops());
    assertEquals(List.of(2, 4), out("return where(x > 0, x, 0)"));
    assertEquals(List.of(2, 4), out("return tril(x)"));
    assertEquals(List.of(2, 4), out("return triu(x, 1)"));
    expect(spec("", "return masked_fill(x, x > 0, float('nan'))"), "'nan'",
        "B: float: takes 'inf' or '-inf', as in float('-inf'); write other numbers as they are");
    startsWith("return tril(sum(x, 1))", "tril", "B: tril: ");
  }

  @Test
  void attentionShapesAndFlops() {
    // q = k = v of (2, 2, 2): scores (2, 2, 2) from 2 * 2 * 2 * 2 multiply-adds, the output as
    // many again: 2 * (16 + 16) = 64 flops
    String qkv = "q = reshape(x, (batch, 2, 2))";
    assertEquals(List.of(2, 2, 2), out(qkv, "return scaled_dot_product_attention(q, q, q)"));
    assertEquals(64, inspect("", qkv, "return scaled_dot_product_attention(q, q, q, is_causal=True)").flops());
    expect(spec("", qkv, "return scaled_dot_product_attention(q, q, q, dropout_p=0.1)"), "0.1",
        "B: scaled_dot_product_attention: dropout_p must be 0: the forward runs in eval mode");
    expect(spec("", qkv, "return scaled_dot_product_attention(q, q, q, is_causal=1)"), "1)",
        "B: scaled_dot_product_attention: is_causal must be True or False");
    expect(spec("", qkv, "m = q > 0", "return scaled_dot_product_attention(q, q, q, attn_mask=m, is_causal=True)"),
        "scaled_dot", "B: scaled_dot_product_attention: give attn_mask or is_causal=True, not both");
  }

  @Test
  void attentionOperandsAtTheirEdges() {
    // q (2, 2, 2), k (2, 1, 2), v (2, 1, 4): scores (2, 2, 1) from 4 dots of 2, the output
    // (2, 2, 4) from 16 sums over 1 key; 2 flops a multiply-add: 2 * (4 * 2 + 16 * 1) = 48
    String qkv = "q = reshape(x, (batch, 2, 2))";
    String kv = "k = reshape(x, (batch, 1, 4))[:, :, 0:2]";
    String v = "v = reshape(x, (batch, 1, 4))";
    assertEquals(List.of(2, 2, 4), out(qkv, kv, v, "return scaled_dot_product_attention(q, k, v)"));
    assertEquals(48, inspect("", qkv, kv, v, "return scaled_dot_product_attention(q, k, v)").flops());
    // a mask broadcasts to the scores (batch, 2, 1): (2, 1) and (1, 1, 1) do, (1, 2) does not
    assertEquals(List.of(2, 2, 4), out(qkv, kv, v, "m = q[0, :, 0:1] > 0",
        "return scaled_dot_product_attention(q, k, v, attn_mask=m)"));
    assertEquals(List.of(2, 2, 4), out(qkv, kv, v, "m = q[0:1, 0:1, 0:1] > 0",
        "return scaled_dot_product_attention(q, k, v, attn_mask=m)"));
    expect(spec("", qkv, kv, v, "m = q[0, 0:1, :] > 0", "return scaled_dot_product_attention(q, k, v, attn_mask=m)"),
        "m)", "B: scaled_dot_product_attention: attn_mask [1, 2] does not broadcast to the scores [batch, 2, 1]");
    expect(spec("", qkv, v, "return scaled_dot_product_attention(q, q, v)"), "scaled_dot",
        "B: scaled_dot_product_attention: key [batch, 2, 2] and value [batch, 1, 4] differ in length (dim -2: 2 and 1)");
    expect(spec("", "return scaled_dot_product_attention(x[0], x, x)"), "scaled_dot",
        "B: scaled_dot_product_attention: query, key and value need at least 2 dims (..., length, features),"
            + " got [4], [batch, 4] and [batch, 4]");
    expect(spec("", "return scaled_dot_product_attention(x, x, x[0])"), "scaled_dot",
        "B: scaled_dot_product_attention: query, key and value need at least 2 dims (..., length, features),"
            + " got [batch, 4], [batch, 4] and [4]");
    expect(spec("", "return scaled_dot_product_attention(x, x, arange(4))"), "arange",
        "B: scaled_dot_product_attention: 'value' must be a float32 tensor, got an int64 tensor of shape [4]");
    expect(spec("", "return scaled_dot_product_attention(x, x, x, attn_mask=2)"), "2)",
        "B: scaled_dot_product_attention: 'attn_mask' must be a tensor, got an int");
    assertEquals(List.of(2, 4), out("return scaled_dot_product_attention(x, x, x, attn_mask=None)"));
  }

  @Test
  void whereKeepsIdsAndTakesNumbers() {
    // where of two int64 tensors is int64 (negating it is refused); with a number, float32
    startsWith("return -where(x[:, 0:1] > 0, arange(4), arange(4))", "-where", "B: ");
    assertEquals(List.of(2, 4), out("return -where(x[:, 0:1] > 0, arange(4), 0)"));
    assertEquals(List.of(2, 4), out("return where(x > 0, 1.5, x)"));
    expect(spec("", "return where(x > 0, x, True)"), "True",
        "B: where: 'other' must be a tensor or a number, got a boolean");
    expect(spec("", "return where(x > 0, True, x)"), "True,",
        "B: where: 'input' must be a tensor or a number, got a boolean");
  }

  @Test
  void anItemIsTakenFromALayersFlatTuple() {
    String attn = "{attn: {multihead_attention: {embed_dim: 4, num_heads: 2, batch_first: true}},"
        + " lstm: {lstm: {input_size: 4, hidden_size: 4, batch_first: true}}}";
    String seq = "q = reshape(x, (batch, 1, 4))";
    assertEquals(List.of(2, 1, 1), inspect(attn, seq, "return attn(q, q, q)[1]").outputShape());
    assertEquals(List.of(2, 1, 4), inspect(attn, seq, "return attn(q, q, q)[-2]").outputShape());
    startsWith2(attn, "return split(x, 2, 1)[0]", "[0]", "B: an item is taken from a layer's result, as in attn(q, k, v)[0]; unpack ");
    startsWith2(attn, "return attn(q, q, q)[q]", "[q]", "B: an item of a tuple (");
    startsWith2(attn, "return lstm(q)[0]", "[0]", "B: an item is taken from a flat tuple of tensors; unpack ");
  }

  /** As {@code startsWith}, with layers and the line after {@code q = reshape(x, (batch, 1, 4))}. */
  private static void startsWith2(String layers, String line, String token, String prefix) {
    String text = spec(layers, "q = reshape(x, (batch, 1, 4))", line);
    List<String> e = errors(text);
    assertEquals(1, e.size(), e.toString());
    String[] lines = text.split("\n");
    int row = lines.length - 1;
    assertTrue(e.get(0).startsWith("t.yaml:" + (row + 1) + ":" + (lines[row].indexOf(token) + 1) + ": error: " + prefix),
        e.get(0));
  }
}
