package dev.netspec.compiler.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The views of the allocation-free forward ({@link ViewWriter}), read from the generated text
 * without compiling it. The rules are PyTorch's: a reshape, an unsqueeze or a whole-range
 * subscript of a contiguous tensor is a view of its storage; a transpose or a select is a
 * strided view, which a reshape could not view again without a copy. So a view of a buffer is a
 * field made once when the buffers are sized ({@code mulOutView = mulOut.reshape(batch, 24)}),
 * a view of an input is remade only for another input tensor, a strided view of an input is
 * copied into a buffer (the layer reading it then needs no copy), and a reshape of a buffer that
 * may be strided leaves the block without an allocation-free forward. Attention's result is
 * stored heads-inner, so its {@code transpose(1, 2)} (or {@code (2, 1)}) is contiguous.
 */
class ViewTextTest {
  /**
   * Generated again by each test, never kept in a static field: a mutation run swaps the
   * mutated writer into one JVM for several mutants, so text made once would hide them.
   */
  private static final String SPEC = """
      netspec: 1
      package: t.views
      blocks:
        InView:
          input: [batch, 4, 6]
          forward: |
            a = reshape(x, (batch, 24))
            b = x[:, 1]
            c = transpose(x, 1, 2)
            d = unsqueeze(x, 1)
            return sum(a) + sum(b) + sum(c) + sum(d)
        Chain:
          input: [batch, 4, 6]
          forward: |
            h = x * 2
            a = reshape(h, (batch, 24))
            b = reshape(a, (batch, 4, 6))
            c = unsqueeze(b, 1)
            d = reshape(c, (batch, 24))
            return b + h + sum(d)
        Strided:
          input: [batch, 4, 6]
          forward: |
            h = x * 2
            t = transpose(h, 1, 2)
            s = h[:, 1:3]
            u = h[:, :]
            v = reshape(u, (batch, 24))
            return t * 3 + sum(s) + sum(v)
        ReshapeStrided:
          input: [batch, 4, 6]
          forward: |
            h = x * 2
            t = transpose(h, 1, 2)
            return reshape(t, (batch, 24))
        OutView:
          input: [batch, 4, 6]
          forward: |
            h = x * 2
            return transpose(h, 1, 2)
        InIf:
          input: [batch, 4, 6]
          forward: |
            if sum(x) > 0:
              return reshape(x, (batch, 24)) * 2
            return reshape(x, (batch, 24)) * 3
        Heads:
          inputs:
            hidden_states: [batch, seq, 8]
          layers:
            query: {linear: 8}
            key: {linear: 8}
            value: {linear: 8}
          forward: |
            q = transpose(reshape(query(hidden_states), (batch, seq, 2, 4)), 1, 2)
            k = transpose(reshape(key(hidden_states), (batch, seq, 2, 4)), 1, 2)
            v = transpose(reshape(value(hidden_states), (batch, seq, 2, 4)), 1, 2)
            y = scaled_dot_product_attention(q, k, v)
            return reshape(transpose(y, 2, 1), (batch, seq, 8))
        LateHeads:
          args: {hidden_size: int, num_attention_heads: int}
          inputs:
            hidden_states: [batch, seq, hidden_size]
          layers:
            query: {linear: hidden_size}
            key: {linear: hidden_size}
            value: {linear: hidden_size}
          forward: |
            q = transpose(reshape(query(hidden_states), (batch, seq, num_attention_heads, -1)), 1, 2)
            k = transpose(reshape(key(hidden_states), (batch, seq, num_attention_heads, -1)), 1, 2)
            v = transpose(reshape(value(hidden_states), (batch, seq, num_attention_heads, -1)), 1, 2)
            y = scaled_dot_product_attention(q, k, v)
            return reshape(transpose(y, 1, 2), (batch, seq, hidden_size))
        OtherAxes:
          inputs:
            hidden_states: [batch, seq, 8]
          layers:
            query: {linear: 8}
          forward: |
            q = transpose(reshape(query(hidden_states), (batch, seq, 2, 4)), 1, 2)
            y = scaled_dot_product_attention(q, q, q)
            return reshape(transpose(y, 2, 3), (batch, seq, 8))
      """;

  /** The statements of {@code block}'s allocation-free forward after its {@code workspace(...)} call. */
  private static List<String> steps(GeneratedText text, String block) {
    String body = text.buffered(block);
    assertNotNull(body, block + " has no allocation-free forward");
    List<String> out = new ArrayList<>();
    for (String line : body.substring(body.indexOf('\n', body.indexOf("workspace(")) + 1).split("\n")) {
      out.add(line.trim());
    }
    return out;
  }

  private static void assertContains(String text, String... lines) {
    for (String l : lines) {
      assertTrue(text.contains(l), () -> "no '" + l + "' in\n" + text);
    }
  }

  @Test
  void aViewOfAnInputIsRemadeOnlyForAnotherTensorAndCopiedWhenStrided() {
    GeneratedText text = GeneratedText.of(SPEC);
    assertEquals(List.of(
        "if (x != xViewOf) {", "xView = x.reshape(batch, 24);", "xViewOf = x;", "}",
        "Tensor a = xView; // (batch, 24)",
        "if (x != xView2Of) {", "xView2 = x.select(1, 1);", "xView2Of = x;", "}",
        "xView2.copyInto(subscriptOut); // (batch, 6)",
        "Tensor b = subscriptOut; // (batch, 6)",
        "if (x != xView3Of) {", "xView3 = x.transpose(1, 2);", "xView3Of = x;", "}",
        "xView3.copyInto(transposeOut); // (batch, 6, 4)",
        "Tensor c = transposeOut; // (batch, 6, 4)",
        "if (x != xView4Of) {", "xView4 = x.unsqueeze(1);", "xView4Of = x;", "}",
        "Tensor d = xView4; // (batch, 1, 4, 6)"), steps(text, "InView").subList(0, 22));
  }

  @Test
  void viewsOfABufferAreFieldsMadeWithTheBuffers() {
    GeneratedText text = GeneratedText.of(SPEC);
    assertEquals(List.of("Tensor h = x.mulInto(2.0f, mulOut); // (batch, 4, 6)",
        "Tensor a = mulOutView; // (batch, 24)", "Tensor b = mulOutView2; // (batch, 4, 6)",
        "Tensor c = mulOutView3; // (batch, 1, 4, 6)", "Tensor d = mulOutView4; // (batch, 24)",
        "b.addInto(h, addOut); // (batch, 4, 6)"), steps(text, "Chain").subList(0, 6));
    // a view of a view is named after the buffer, and views the view (a reshape of a reshape stays contiguous)
    assertContains(text.source("Chain"), "mulOutView = mulOut.reshape(batch, 24);",
        "mulOutView2 = mulOutView.reshape(batch, 4, 6);", "mulOutView3 = mulOutView2.unsqueeze(1);",
        "mulOutView4 = mulOutView3.reshape(batch, 24);");
  }

  @Test
  void aStridedViewIsAFieldButNotReshapedAgain() {
    GeneratedText text = GeneratedText.of(SPEC);
    assertEquals(List.of("Tensor h = x.mulInto(2.0f, mulOut); // (batch, 4, 6)",
        "Tensor t = mulOutView; // (batch, 6, 4)", "Tensor s = mulOutView2; // (batch, 2, 6)",
        "Tensor u = mulOutView3; // (batch, 4, 6)", "Tensor v = mulOutView4; // (batch, 24)",
        "t.mulInto(3.0f, mulOut2); // (batch, 6, 4)"), steps(text, "Strided").subList(0, 6));
    // h[:, :] is h itself, so still contiguous: its reshape is a view
    assertContains(text.source("Strided"), "mulOutView = mulOut.transpose(1, 2);",
        "mulOutView2 = mulOut.slice(1, 1, 3);", "mulOutView3 = mulOut;", "mulOutView4 = mulOutView3.reshape(batch, 24);");
    // reshape(transpose(h)) needs a copy PyTorch's reshape would make: no allocation-free forward
    assertNull(text.buffered("ReshapeStrided"));
    assertNotNull(text.buffered("Strided"));
  }

  @Test
  void aReturnedViewIsCopiedIntoTheOutput() {
    GeneratedText text = GeneratedText.of(SPEC);
    assertEquals(List.of("Tensor h = x.mulInto(2.0f, mulOut); // (batch, 4, 6)",
        "return mulOutView.copyInto(output); // (batch, 6, 4)"), steps(text, "OutView").subList(0, 2));
    assertContains(text.source("OutView"), "mulOutView = mulOut.transpose(1, 2);");
  }

  @Test
  void aViewOfAnInputInsideABranchIsMadeAtEachCall() {
    GeneratedText text = GeneratedText.of(SPEC);
    assertEquals(List.of("if (x.sumAsFloat() > 0.0f) {", "return x.reshape(batch, 24).mulInto(2.0f, output); // (batch, 24)",
        "}", "if (x != xViewOf) {", "xView = x.reshape(batch, 24);", "xViewOf = x;", "}",
        "return xView.mulInto(3.0f, output); // (batch, 24)"), steps(text, "InIf").subList(0, 8));
  }

  @Test
  void attentionsResultIsStoredHeadsInnerSoItsTransposeReshapes() {
    GeneratedText text = GeneratedText.of(SPEC);
    assertContains(text.source("Heads"), "attentionOut = Tensor.zeros(batch, seq, 2, 4).transpose(1, 2);",
        "queryOutView2 = queryOutView.transpose(1, 2);", "attentionOutView = attentionOut.transpose(2, 1);",
        "attentionOutView2 = attentionOutView.reshape(batch, seq, 8);");
    assertContains(text.buffered("Heads"), "Tensor q = queryOutView2; // (batch, 2, seq, 4)",
        "Functional.scaledDotProductAttentionInto(queryOutView2, keyOutView2, valueOutView2, null, false, attentionOut);",
        "return attentionOutView2.copyInto(output); // (batch, seq, 8)");
    // head_dim from a reshape's -1: the result is sized from the query and value views once they exist
    assertContains(text.source("LateHeads"), "attentionOut = Tensor.zeros(queryOutView2.size(0), queryOutView2.size(2), "
        + "queryOutView2.size(1), valueOutView2.size(3)).transpose(1, 2);",
        "attentionOutView2 = attentionOutView.reshape(batch, seq, hiddenSize);");
    // transpose(2, 3) of the heads-inner result is strided: its reshape would copy
    assertNull(text.buffered("OtherAxes"));
  }
}
