package dev.netspec.compiler.generate;

import static dev.netspec.compiler.generate.GeneratedText.java;
import static dev.netspec.compiler.generate.GeneratedText.method;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * How a block calls its children ({@link ChildCallWriter}), read from the source the compiler
 * writes, no javac: a layer called with one tensor and no keywords by its one-tensor form
 * ({@code attn.forward(y)}, self-attention), a block child with several inputs by {@code
 * forwardInputs} ({@code forwardInputsInto} when buffered), and {@code relu(fc(x))} as one
 * {@code Linear.forwardInto(x, Activation.RELU, out)} (the runtime's GEMM epilogue), but not for
 * a lazy layer, whose size is known only at its first call.
 */
class ChildCallTextTest {
  private static final String SPEC = """
      netspec: 1
      package: t.c
      blocks:
        Sum2:
          inputs: {a: [batch, 8], b: [batch, 8]}
          forward: a * b
        Calls:
          input: [batch, 8]
          layers:
            fc: {linear: 8}
            lazy: {lazy_linear: 8}
            attn: {multihead_attention: {embed_dim: 8, num_heads: 2, batch_first: true}}
            s: {Sum2: {}}
          forward: |
            y = relu(fc(x))
            z = relu(lazy(y))
            w, _ = attn(unsqueeze(z, 1), unsqueeze(z, 1), unsqueeze(z, 1), need_weights=False)
            return s(relu(w[:, 0]), y)
        Fused:
          input: [batch, 4, 8]
          layers:
            fc: {linear: 8}
            attn: {multihead_attention: {embed_dim: 8, num_heads: 2, batch_first: true}}
            s: {Sum2: {}}
          forward: |
            y = relu(fc(x))
            w = attn(y)
            return relu(s(w[:, 0], y[:, 1]))
      """;

  @Test
  void bufferedCalls() {
    String m = method(java(SPEC, "Fused"), "public Tensor forward(Tensor x, Tensor output) {");
    assertTrue(m.contains("      Tensor y = fc.forwardInto(x, Activation.RELU, fcOut); // (batch, 4, 8)\n"
        + "      Tensor w = attn.forward(y, attnOut); // (batch, 4, 8)\n"
        + "      s.forwardInputsInto(attnOutView, fcOutView, sOut); // (batch, 8)\n"
        + "      return sOut.reluInto(output); // (batch, 8)\n"), m);
  }

  @Test
  void allocatingCalls() {
    String m = method(java(SPEC, "Fused"), "private Tensor forwardRecorded(");
    assertTrue(m.contains("      Tensor y = fc.forward(x).relu(); // (batch, 4, 8)\n"
        + "      Tensor w = attn.forward(y); // (batch, 4, 8)\n"
        + "      return s.forwardInputs(w.select(1, 0), y.select(1, 1)).relu();\n"), m);
    String calls = java(SPEC, "Calls");
    assertTrue(calls.contains("      Tensor z = lazy.forward(y).relu(); // (batch, 8)\n"), calls);
    // Several arguments or a keyword: the layer's call signature.
    assertTrue(calls.contains("attn.forward(z.unsqueeze(1), z.unsqueeze(1), z.unsqueeze(1), null, false, null, true)"),
        calls);
    assertTrue(calls.contains("return s.forwardInputs(w.select(1, 0).relu(), y);"), calls);
  }
}
