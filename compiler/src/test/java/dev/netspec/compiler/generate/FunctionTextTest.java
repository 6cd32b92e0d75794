package dev.netspec.compiler.generate;

import static dev.netspec.compiler.generate.GeneratedText.assigned;
import static dev.netspec.compiler.generate.GeneratedText.java;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The allocating Java of the forward's functions and operators ({@link FunctionWriter}, {@link
 * LossWriter}, {@link TensorOpsWriter}), read from the source the compiler writes, no javac.
 * Each expectation is the spec's meaning in the runtime's API: {@code 3 < x} is {@code x > 3},
 * so {@code x.gt(3.0f)}; {@code 2 - x} has no method on a number, so the number is lifted
 * ({@code Tensor.scalar(2.0f).sub(x)}); PyTorch's defaults (a pool's stride is its kernel, its
 * dilation 1, {@code count_include_pad=True}; a loss's {@code reduction='mean'}, {@code
 * ignore_index=-100}, {@code beta=1.0}, {@code label_smoothing=0.0}) are the runtime's
 * constructors' defaults and so are left out only when every argument is at its default.
 */
class FunctionTextTest {
  private static final String OPERATORS = """
      netspec: 1
      package: t.f
      blocks:
        Ops:
          args: {n: int}
          input: [batch, 4, 6]
          forward: |
            a = 2 + x
            b = 2 * x
            c = 3 < x
            d = 3 > x
            e = 3 <= x
            f = 3 >= x
            g = 3 == x
            h = 3 != x
            i = 2 / x
            j = 2 ** x
            k = x ** 2
            l = x != x
            m = x @ transpose(x, 1, 2)
            o = matmul(x, transpose(x, -1, -2))
            p = softmax(x, -1) + log_softmax(x, dim=1) + relu(x) + gelu(x, approximate="tanh") + gelu(x) + silu(x)
            p2 = leaky_relu(x, 0.2) + clamp(x, min=0.5) + clamp(x, max=2.0) + clamp(x, -1.0, 1.0)
            q = sum(x, 1)
            q2 = mean(x, dim=-1, keepdim=True)
            r = flatten(x, 1, 2)
            s = concat((x, x, p), 1)
            t = max_pool2d(x, 2) + avg_pool2d(x, 2)
            u = max_pool2d(x, 3, 1, 1)
            u2 = avg_pool2d(x, (2, 3), (1, 2))
            u3 = max_pool2d(x, 2, padding=1)
            v = max_pool1d(x, 2)
            v2 = avg_pool1d(x, 3, 1, 1)
            w = adaptive_avg_pool2d(x, (1, 2))
            w2 = adaptive_avg_pool1d(x, 1)
            y = x ** (n * 1.5)
            y2 = 2 - x
            y3 = x - 2
            y4 = x / (n / 2)
            y5 = pow(x, 3)
            return sum(x) + sum(k) * (n - 1)
      """;
  private static final String LOSSES = """
      netspec: 1
      package: t.f
      blocks:
        Losses:
          inputs: {x: [batch, 5], t: [batch, 5], c: [batch, int64]}
          forward: |
            a = mse_loss(x, t) + mse_loss(x, t, reduction="sum")
            b = l1_loss(x, t) + l1_loss(x, t, reduction="none")
            d = smooth_l1_loss(x, t) + smooth_l1_loss(x, t, beta=0.5) + smooth_l1_loss(x, t, reduction="sum")
            e = binary_cross_entropy_with_logits(x, t) + binary_cross_entropy_with_logits(x, t, reduction="sum")
            f = cross_entropy(x, c) + cross_entropy(x, c, ignore_index=3) + cross_entropy(x, c, label_smoothing=0.1)
            f2 = cross_entropy(x, c, reduction="sum")
            g = nll_loss(x, c) + nll_loss(x, c, ignore_index=2) + nll_loss(x, c, reduction="sum")
            return a + b + d + e + f + f2 + g
      """;
  private static final String VIEWS = """
      netspec: 1
      package: t.f
      blocks:
        Views:
          args: {heads: int}
          inputs: {x: [batch, seq, 8], m: [batch, seq, 8, bool], mm: [batch, seq, seq, bool], z: [2, 1, 3, 1]}
          forward: |
            a = x[:, 0]
            b = x[..., 1:3]
            c = x[None, :, ::2]
            d = x[:, 1:, :heads]
            e = x[:, seq - 1, 2:8:3]
            e2 = x[..., 0, None]
            f = reshape(x, (batch, seq, heads, -1))
            f2 = reshape(x, (batch * seq, 2 * (heads + 2) - heads, -heads))
            g = view(x, -1)
            h = permute(x, (2, 0, 1))
            i = unsqueeze(x, 1)
            j = squeeze(z)
            k = squeeze(z, 1)
            l = contiguous(h)
            o = masked_fill(x, m, float("-inf"))
            o2 = masked_fill(x, m, float("inf"))
            p = where(m, x, 0.0)
            p2 = where(m, 1.0, x)
            q = tril(x) + triu(x, 1)
            r = arange(seq)
            r2 = arange(1, seq + 1, 2)
            r3 = arange(heads, seq)
            s = scaled_dot_product_attention(x, x, x)
            s2 = scaled_dot_product_attention(x, x, x, attn_mask=mm)
            s3 = scaled_dot_product_attention(x, x, x, attn_mask=x[:, :, :seq])
            s4 = scaled_dot_product_attention(x, x, x, is_causal=True)
            return x * (heads * 2 - 1)
      """;

  private static final String BUFFERED = """
      netspec: 1
      package: t.f
      blocks:
        Buffered:
          inputs: {x: [batch, seq, 8], m: [batch, seq, 8, bool], mm: [batch, seq, seq, bool], bias: [batch, seq, seq]}
          layers:
            fc: {linear: 8}
          forward: |
            a = masked_fill(fc(x), m, 0.0)
            b = where(m, fc(a), 1.0)
            c = tril(fc(b), -1) + triu(fc(b))
            s = scaled_dot_product_attention(c, c, c, attn_mask=mm)
            s2 = scaled_dot_product_attention(c, c, c, attn_mask=bias)
            s3 = scaled_dot_product_attention(c, c, c, is_causal=True)
            return s + s2 + s3
      """;

  private static String ops() {
    return java(OPERATORS, "Ops");
  }

  private static String losses() {
    return java(LOSSES, "Losses");
  }

  private static String views() {
    return java(VIEWS, "Views");
  }

  @Test
  void numberAndTensorOperands() {
    String ops = ops();
    // Commutative operators and (in)equality flip the operands; order comparisons mirror.
    assertEquals("x.add(2.0f)", assigned(ops, "a"));
    assertEquals("x.mul(2.0f)", assigned(ops, "b"));
    assertEquals("x.gt(3.0f)", assigned(ops, "c"));
    assertEquals("x.lt(3.0f)", assigned(ops, "d"));
    assertEquals("x.ge(3.0f)", assigned(ops, "e"));
    assertEquals("x.le(3.0f)", assigned(ops, "f"));
    assertEquals("x.eq(3.0f)", assigned(ops, "g"));
    assertEquals("x.ne(3.0f)", assigned(ops, "h"));
    // Division and power do not commute: the number becomes a scalar tensor.
    assertEquals("Tensor.scalar(2.0f).div(x)", assigned(ops, "i_"));
    assertEquals("Tensor.scalar(2.0f).pow(x)", assigned(ops, "j"));
    assertEquals("Tensor.scalar(2.0f).sub(x)", assigned(ops, "y2"));
    assertEquals("x.sub(2.0f)", assigned(ops, "y3"));
    assertEquals("x.pow(2.0f)", assigned(ops, "k"));
    assertEquals("x.pow(3.0f)", assigned(ops, "y5"));
    assertEquals("x.ne(x)", assigned(ops, "l"));
    assertEquals("x.matmul(x.transpose(1, 2))", assigned(ops, "m"));
    assertEquals("x.matmul(x.transpose(-1, -2))", assigned(ops, "o"));
  }

  @Test
  void numberArithmeticIsJava() {
    String ops = ops();
    assertEquals("x.pow((n * 1.5f))", assigned(ops, "y"));
    assertEquals("x.div((n / 2.0f))", assigned(ops, "y4"));
    assertTrue(ops.contains("return x.sum().add(k.sum().mul((n - 1.0f)));"), ops);
  }

  @Test
  void elementwiseAndReductions() {
    String ops = ops();
    assertEquals("x.softmax(-1).add(x.logSoftmax(1)).add(x.relu()).add(Functional.gelu(x, \"tanh\")).add(x.gelu())"
        + ".add(Functional.silu(x))", assigned(ops, "p"));
    assertEquals("Functional.leakyRelu(x, 0.2f).add(Functional.clamp(x, 0.5f, Float.POSITIVE_INFINITY))"
        + ".add(Functional.clamp(x, Float.NEGATIVE_INFINITY, 2.0f)).add(Functional.clamp(x, -1.0f, 1.0f))",
        assigned(ops, "p2"));
    assertEquals("x.sum(1, false)", assigned(ops, "q"));
    assertEquals("x.mean(-1, true)", assigned(ops, "q2"));
    assertEquals("x.flatten(1, 2)", assigned(ops, "r"));
    assertEquals("Tensor.concat(List.of(x, x, p), 1)", assigned(ops, "s"));
  }

  @Test
  void pools() {
    String ops = ops();
    // One square kernel, stride and padding at their defaults: the short form.
    assertEquals("Functional.maxPool2d(x, 2).add(Functional.avgPool2d(x, 2))", assigned(ops, "t"));
    // Otherwise every size as PyTorch takes it; max: dilation 1, ceil_mode false; avg: ceil_mode
    // false, count_include_pad true, no divisor_override.
    assertEquals("Functional.maxPool2d(x, new int[] {3}, new int[] {1}, new int[] {1}, new int[] {1}, false)",
        assigned(ops, "u"));
    assertEquals("Functional.avgPool2d(x, new int[] {2, 3}, new int[] {1, 2}, new int[] {0}, false, true, null)",
        assigned(ops, "u2"));
    assertEquals("Functional.maxPool2d(x, new int[] {2}, null, new int[] {1}, new int[] {1}, false)",
        assigned(ops, "u3"));
    // 1-D: the stride defaults to the kernel.
    assertEquals("Functional.maxPool1d(x, 2, 2, 0, 1, false)", assigned(ops, "v"));
    assertEquals("Functional.avgPool1d(x, 3, 1, 1, false, true)", assigned(ops, "v2"));
    assertEquals("Functional.adaptiveAvgPool2d(x, 1, 2)", assigned(ops, "w"));
    assertEquals("Functional.adaptiveAvgPool1d(x, 1)", assigned(ops, "w2"));
  }

  @Test
  void lossesLeaveOutOnlyAllDefaults() {
    String losses = losses();
    assertEquals("new MSELoss().forward(x, t).add(new MSELoss(Reduction.SUM).forward(x, t))", assigned(losses, "a"));
    assertEquals("new L1Loss().forward(x, t).add(new L1Loss(Reduction.NONE).forward(x, t))", assigned(losses, "b"));
    assertEquals("new SmoothL1Loss().forward(x, t).add(new SmoothL1Loss(Reduction.MEAN, 0.5).forward(x, t))"
        + ".add(new SmoothL1Loss(Reduction.SUM, 1.0).forward(x, t))", assigned(losses, "d"));
    assertEquals("new BCEWithLogitsLoss().forward(x, t).add(new BCEWithLogitsLoss(Reduction.SUM, null).forward(x, t))",
        assigned(losses, "e"));
    assertEquals("new CrossEntropyLoss().forward(x, c).add(new CrossEntropyLoss(Reduction.MEAN, 3L, 0.0).forward(x, c))"
        + ".add(new CrossEntropyLoss(Reduction.MEAN, -100L, 0.1).forward(x, c))", assigned(losses, "f"));
    assertEquals("new CrossEntropyLoss(Reduction.SUM, -100L, 0.0).forward(x, c)", assigned(losses, "f2"));
    assertEquals("new NLLLoss().forward(x, c).add(new NLLLoss(Reduction.MEAN, 2L).forward(x, c))"
        + ".add(new NLLLoss(Reduction.SUM, -100L).forward(x, c))", assigned(losses, "g"));
    // No allocation-free form: a buffered parent's call copies, without recording.
    assertTrue(losses.contains("  public Tensor forwardInputsInto(Tensor x, Tensor t, Tensor c, Tensor output) {\n"
        + "    GradMode.Scope scope = GradMode.noGrad();\n    try {\n"
        + "      return forwardInputs(x, t, c).copyInto(output);\n    } finally {\n      scope.close();\n"), losses);
  }

  @Test
  void subscriptsAreViews() {
    String views = views();
    // An index selects (the dim goes), a slice keeps its dim, None inserts one, ... skips the rest.
    assertEquals("x.select(1, 0)", assigned(views, "a"));
    assertEquals("x.slice(2, 1, 3)", assigned(views, "b"));
    assertEquals("x.unsqueeze(0).slice(2, 0, Integer.MAX_VALUE, 2)", assigned(views, "c"));
    assertEquals("x.slice(1, 1, Integer.MAX_VALUE).slice(2, 0, heads)", assigned(views, "d"));
    assertEquals("x.select(1, seq - 1).slice(1, 2, 8, 3)", assigned(views, "e"));
    assertEquals("x.select(2, 0).unsqueeze(2)", assigned(views, "e2"));
  }

  @Test
  void viewsAndSizes() {
    String views = views();
    assertEquals("x.reshape(batch, seq, heads, -1)", assigned(views, "f"));
    assertEquals("x.reshape(batch * seq, (2 * (heads + 2)) - heads, -heads)", assigned(views, "f2"));
    assertEquals("x.view(-1)", assigned(views, "g"));
    assertEquals("x.permute(2, 0, 1)", assigned(views, "h"));
    assertEquals("x.unsqueeze(1)", assigned(views, "i_"));
    // Every size-1 dim, from the last so the earlier keep their index.
    assertEquals("z.squeeze(3).squeeze(1)", assigned(views, "j"));
    assertEquals("z.squeeze(1)", assigned(views, "k"));
    assertEquals("h.contiguous()", assigned(views, "l"));
  }

  @Test
  void masksAndRanges() {
    String views = views();
    assertEquals("x.maskedFill(m, Float.NEGATIVE_INFINITY)", assigned(views, "o"));
    assertEquals("x.maskedFill(m, Float.POSITIVE_INFINITY)", assigned(views, "o2"));
    assertEquals("Tensor.where(m, x, Tensor.scalar(0.0f))", assigned(views, "p"));
    assertEquals("Tensor.where(m, Tensor.scalar(1.0f), x)", assigned(views, "p2"));
    assertEquals("x.tril(0).add(x.triu(1))", assigned(views, "q"));
    assertEquals("Tensor.arange(seq)", assigned(views, "r"));
    assertEquals("Tensor.arange(1, seq + 1, 2)", assigned(views, "r2"));
    assertEquals("Tensor.arange(heads, seq, 1)", assigned(views, "r3"));
    assertTrue(views.contains("return x.mul(((heads * 2.0f) - 1.0f));"), views);
  }

  @Test
  void attention() {
    String views = views();
    assertEquals("Functional.scaledDotProductAttention(x, x, x, null, false)", assigned(views, "s"));
    assertEquals("Functional.scaledDotProductAttention(x, x, x, AttentionMask.ofBool(mm), false)",
        assigned(views, "s2"));
    assertEquals("Functional.scaledDotProductAttention(x, x, x, AttentionMask.of(x.slice(2, 0, seq)), false)",
        assigned(views, "s3"));
    assertEquals("Functional.scaledDotProductAttention(x, x, x, null, true)", assigned(views, "s4"));
  }

  @Test
  void masksAndAttentionIntoBuffers() {
    // Out.maskedFill(x, mask, value, out), Out.where(cond, a, b, out) (a number stays a float),
    // Out.tril/triu(x, diagonal, out); attention with a bool mask (attend where True) or a
    // float one added to the scores, or causal.
    String m = GeneratedText.method(java(BUFFERED, "Buffered"), "public Tensor forwardInputsInto(");
    assertTrue(m.contains("      Tensor a = Out.maskedFill(fcOut, m, 0.0f, maskedFillOut); // (batch, seq, 8)\n"
        + "      fc.forward(a, fcOut2); // (batch, seq, 8)\n"
        + "      Tensor b = Out.where(m, fcOut2, 1.0f, whereOut); // (batch, seq, 8)\n"
        + "      fc.forward(b, fcOut3); // (batch, seq, 8)\n"
        + "      Out.tril(fcOut3, -1, trilOut); // (batch, seq, 8)\n"
        + "      fc.forward(b, fcOut4); // (batch, seq, 8)\n"
        + "      Out.triu(fcOut4, 0, triuOut); // (batch, seq, 8)\n"), m);
    assertTrue(m.contains("      Tensor s = Functional.scaledDotProductAttentionBoolInto(addOut, addOut, addOut, mm,"
        + " attentionOut); // (batch, seq, 8)\n"
        + "      Tensor s2 = Functional.scaledDotProductAttentionInto(addOut, addOut, addOut, bias, false, attentionOut2);"
        + " // (batch, seq, 8)\n"
        + "      Tensor s3 = Functional.scaledDotProductAttentionInto(addOut, addOut, addOut, null, true, attentionOut3);"
        + " // (batch, seq, 8)\n"), m);
  }
}
