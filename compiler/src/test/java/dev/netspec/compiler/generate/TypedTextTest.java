package dev.netspec.compiler.generate;

import static dev.netspec.compiler.generate.GeneratedText.classes;
import static dev.netspec.compiler.generate.GeneratedText.method;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The forwards of blocks with named, typed or several inputs, a tuple result or a {@code
 * position:} ({@link TypedForward}, {@link TypedBuffered}, {@link Decoding}, {@link Serving},
 * {@link MaskFields}, {@link ChildCallWriter}), read from the source the compiler writes, no
 * javac. The expectations are the runtime's contracts: {@code Module.forward(x)} and {@code
 * forward(x, out)}, {@code CausalLM}'s {@code forward(ids, position)}, {@code resetCache()},
 * {@code maxContext()}, {@code MultiheadAttention.forward(query, key, value,
 * keyPaddingMask, needWeights, attnMask, averageAttnWeights)} and its {@code forwardInto}
 * forms, {@code AttentionMask.ofBool} for a bool mask (True = masked, as PyTorch) and {@code
 * of} for a float one; the input checks say what the spec declares (dtype, rank, known sizes,
 * an {@code int} argument, a size named twice equal).
 */
class TypedTextTest {
  private static final String SPEC = """
      netspec: 1
      package: t.t
      blocks:
        Enc:
          inputs: {h: [batch, seq, 8], valid: [batch, seq, int64], bias: [seq, seq]}
          layers:
            attn: {multihead_attention: {embed_dim: 8, num_heads: 2, batch_first: true}}
          forward: |
            a, _ = attn(h, h, h, key_padding_mask=valid == 0, need_weights=False)
            b, _ = attn(a, a, a, key_padding_mask=valid == 0, attn_mask=bias, need_weights=False)
            c, _ = attn(b, b, b, key_padding_mask=valid == 1, need_weights=False)
            d, w = attn(c, c, c, attn_mask=bias)
            return d + w[:, :, 0:1]
        Two:
          args: {dim: int}
          inputs: {x: [batch, dim], y: [batch, dim]}
          layers:
            fc: {linear: dim}
          forward: |
            return fc(x) + y, relu(x)
        Mixer:
          args: {dim: int, heads: int}
          input: [batch, seq, dim]
          layers:
            up: {linear: heads * dim}
            down: {linear: dim}
          forward: down(relu(up(x)))
        Decoder:
          inputs: {ids: [batch, seq, int64]}
          position: start
          layers:
            tokens: {embedding: {num_embeddings: 10, embedding_dim: 8}}
            places: {embedding: {num_embeddings: 16, embedding_dim: 8}}
            qkv: {linear: 24}
            cache: {kv_cache: {embed_dim: 8, num_heads: 2, max_len: 16}}
            logits: {linear: 10}
          forward: logits(cache(qkv(tokens(ids) + places(arange(start, start + seq)))))
        Ids:
          inputs: {ids: [batch, seq, int64]}
          layers:
            embed: {embedding: {num_embeddings: 10, embedding_dim: 8}}
          forward: embed(ids)
        Pair:
          inputs: {output: [batch, 4], scope: [batch, 4]}
          forward: |
            return mse_loss(output, scope)
        Caller:
          input: [batch, 6]
          layers:
            two: {Two: {dim: 6}}
          forward: |
            y, z = two(x, x)
            return y + z
        One:
          inputs: {h: [batch, 8]}
          layers:
            fc: {linear: 8}
          forward: fc(h)
        Split:
          layers:
            fc: {linear: 8}
          forward: |
            return fc(x), relu(x)
        Top:
          input: [batch, 8]
          layers:
            sp: {Split: {}}
            one: {One: {}}
          forward: |
            a, b = sp(x)
            return one(a + b)
      """;

  private String enc;
  private String two;
  private String mixer;
  private String decoder;
  private String ids;
  private String pair;
  private String caller;
  private String one;
  private String split;

  @BeforeEach
  void generate() {
    Map<String, String> c = classes(SPEC);
    enc = c.get("Enc");
    two = c.get("Two");
    mixer = c.get("Mixer");
    decoder = c.get("Decoder");
    ids = c.get("Ids");
    pair = c.get("Pair");
    caller = c.get("Caller");
    one = c.get("One");
    split = c.get("Split");
  }

  @Test
  void severalInputsAreForwardInputs() {
    String m = method(enc, "public Tensor forwardInputs(");
    assertTrue(m.startsWith("public Tensor forwardInputs(Tensor h, Tensor valid, Tensor bias) {\n"
        + "    checkInputs(h, valid, bias);\n"
        + "    if (records(h, valid, bias)) {\n"
        + "      return forwardRecorded(h, valid, bias);\n"
        + "    }\n"
        + "    Enc free = claim();\n"
        + "    try {\n"
        + "      return free.forwardInputsInto(h, valid, bias, Tensor.zeros(h.size(0), h.size(1), 8));\n"
        + "    } finally {\n"
        + "      release(free);\n"
        + "    }\n"), m);
    // Module's one-tensor forward is not this block's: it says what to call instead.
    assertTrue(enc.contains("  @Override\n  public Tensor forward(Tensor x) {\n    throw new UnsupportedOperationException("
        + "\"Enc takes h float32 (batch, seq, 8), valid int64 (batch, seq), bias float32 (seq, seq); call"
        + " forwardInputs(h, valid, bias)\");\n  }\n"), enc);
    assertTrue(enc.contains("  public Tensor forwardInputsInto(Tensor h, Tensor valid, Tensor bias, Tensor output) {\n"
        + "    enterForward();\n    try {\n      checkInputs(h, valid, bias);\n      workspace(h, valid, bias);\n"), enc);
    assertTrue(enc.contains("    } finally {\n      exitForward();\n    }\n"), enc);
    assertTrue(enc.contains("   * Inputs {@code h float32 (batch, seq, 8), valid int64 (batch, seq), bias float32 (seq, seq)};"
        + " writes the output into {@code output} (shape {@code (batch, seq, 8)}, sharing\n"), enc);
    // Two inputs would be Module's forward(x, out): never named forward.
    assertFalse(enc.contains("public Tensor forward(Tensor h"), enc);
  }

  @Test
  void inputChecksNameWhatCame() {
    String m = method(enc, "private void checkInputs(");
    assertTrue(m.startsWith("private void checkInputs(Tensor h, Tensor valid, Tensor bias) {\n"), m);
    assertTrue(m.contains("if (h.dtype() != DType.FLOAT32\n"
        + "        || h.dim() != 3\n"
        + "        || valid.dtype() != DType.INT64\n"
        + "        || valid.dim() != 2\n"
        + "        || bias.dtype() != DType.FLOAT32\n"
        + "        || bias.dim() != 2\n"
        + "        || h.size(2) != 8\n"
        + "        || valid.size(0) != h.size(0)\n"
        + "        || valid.size(1) != h.size(1)\n"
        + "        || bias.size(0) != h.size(1)\n"
        + "        || bias.size(1) != h.size(1)) {\n"), m);
    assertTrue(m.contains("throw new IllegalArgumentException(\"Enc: expected h float32 (batch, seq, 8), valid int64"
        + " (batch, seq), bias float32 (seq, seq), got \"\n"
        + "              + \"h \" + h.dtype().name().toLowerCase(Locale.ROOT) + \" \" + Arrays.toString(h.shape())\n"
        + "              + \", valid \" + valid.dtype().name().toLowerCase(Locale.ROOT) + \" \""
        + " + Arrays.toString(valid.shape())\n"), m);
    // An int argument's size is its field.
    assertTrue(method(two, "private void checkInputs(").contains("|| x.size(1) != dim\n"
        + "        || y.size(0) != x.size(0)\n        || y.size(1) != dim) {"), two);
  }

  @Test
  void tupleResultIsAnOutputRecord() {
    assertTrue(two.contains("public record Output(Tensor item0, Tensor item1) {"), two);
    assertTrue(two.contains("The result of Two, {@code ((batch, dim), (batch, dim))}"), two);
    String m = method(two, "public Output forwardTuple(");
    assertTrue(m.contains("return free.forwardTupleInto(x, y, new Output(Tensor.zeros(x.size(0), dim),"
        + " Tensor.zeros(x.size(0), dim)));"), m);
    assertTrue(two.contains("\"Two takes x float32 (batch, dim), y float32 (batch, dim) and returns a tuple; call"
        + " forwardTuple(x, y)\""), two);
    assertTrue(two.contains("public Output forwardTupleInto(Tensor x, Tensor y, Output output) {"), two);
    assertTrue(two.contains("   * Inputs {@code x float32 (batch, dim), y float32 (batch, dim)}; writes the outputs into the"
        + " tensors of {@code output} (shape {@code ((batch, dim), (batch, dim))}, sharing\n"), two);
    assertTrue(method(two, "private Output forwardRecorded(").contains("return new Output(fc.forward(x).add(y), x.relu());"));
    // A parent calls it by its tuple method.
    assertTrue(caller.contains("two.forwardTuple(x, x)"), caller);
    // The record's constructor, its args and a zero seed.
    assertTrue(two.contains("return replicaOf(() -> new Two(dim, 0L));"), two);
  }

  @Test
  void replicaPassesTheArguments() {
    assertTrue(mixer.contains("  @Override\n  public Mixer replica() {\n"
        + "    return replicaOf(() -> new Mixer(dim, heads, 0L));\n  }\n"), mixer);
    assertTrue(mixer.contains("A new Mixer sharing this one's parameters"), mixer);
    assertTrue(mixer.contains("exist once. See {@link Module#replica()}."), mixer);
    assertTrue(ids.contains("return replicaOf(() -> new Ids(0L));"), ids);
  }

  @Test
  void recordedForwardClaimsAReplica() {
    String m = method(enc, "private Tensor forwardRecorded(");
    assertTrue(m.startsWith("private Tensor forwardRecorded(Tensor h, Tensor valid, Tensor bias) {\n"
        + "    // While another thread is inside this instance, the same call runs on a free replica.\n"
        + "    Enc free = claim();\n"
        + "    if (free != this) {\n"
        + "      try {\n"
        + "        return free.forwardRecorded(h, valid, bias);\n"
        + "      } finally {\n"
        + "        release(free);\n"
        + "      }\n"
        + "    }\n"
        + "    try {\n"), m);
    assertTrue(m.endsWith("    } finally {\n      release(this);\n    }\n  }\n"), m);
  }

  @Test
  void boundLayerCallsFollowTheSignature() {
    String m = method(enc, "private Tensor forwardRecorded(");
    // forward(query, key, value, keyPaddingMask, needWeights, attnMask, averageAttnWeights)
    assertTrue(m.contains("attn.forward(h, h, h, AttentionMask.ofBool(valid.eq(0.0f)), false, null, true)"), m);
    assertTrue(m.contains("attn.forward(a, a, a, AttentionMask.ofBool(valid.eq(0.0f)), false, AttentionMask.of(bias),"
        + " true)"), m);
    assertTrue(m.contains("attn.forward(c, c, c, null, true, AttentionMask.of(bias), true)"), m);
  }

  @Test
  void masksAreFieldsWrappedAgain() {
    String m = method(enc, "public Tensor forwardInputsInto(");
    // Without the weights: forwardInto(query, key, value, keyPaddingMask, attnMask, out).
    assertTrue(m.contains("      attnKeyPaddingMask = AttentionMask.ofBool(eqOut, attnKeyPaddingMask);\n"
        + "      attn.forwardInto(h, h, h, attnKeyPaddingMask, null, attnOutput);"), m);
    // Other values, another field; the same float mask of the same layer, one field.
    assertTrue(m.contains("      attnKeyPaddingMask_ = AttentionMask.ofBool(eqOut2, attnKeyPaddingMask_);\n"
        + "      attnAttnMask = AttentionMask.of(bias, attnAttnMask);\n"
        + "      attn.forwardInto(a, a, a, attnKeyPaddingMask_, attnAttnMask, attnOutput2);"), m);
    assertTrue(m.contains("attnKeyPaddingMask__ = AttentionMask.ofBool(eqOut3, attnKeyPaddingMask__);"), m);
    // With the weights: forwardInto(query, key, value, keyPaddingMask, attnMask, average, Output).
    assertTrue(m.contains("      attnAttnMask = AttentionMask.of(bias, attnAttnMask);\n"
        + "      attn.forwardInto(c, c, c, null, attnAttnMask, true, attnResult);"), m);
    assertEquals(4, enc.split("\n  private AttentionMask ", -1).length - 1, enc);
  }

  @Test
  void decoderImplementsCausalLm() {
    assertTrue(decoder.contains("public final class Decoder extends Module implements CausalLM {"), decoder);
    String m = method(decoder, "public Tensor forward(Tensor ids, int start) {");
    assertTrue(m.contains("    checkInputs(ids);\n    CachedSelfAttention.seek(caches(), start);\n"
        + "    if (records(ids)) {\n      return forwardRecorded(ids, start);\n    }\n"
        + "    return forward(ids, start, Tensor.zeros(ids.size(0), ids.size(1), 10));\n"), m);
    assertTrue(decoder.contains("  private List<CachedSelfAttention> caches() {\n    if (caches == null) {\n"
        + "      caches = CachedSelfAttention.in(this);\n    }\n    return caches;\n  }\n"), decoder);
    assertTrue(decoder.contains("  @Override\n  public Tensor forward(Tensor ids) {\n    return forward(ids, 0);\n  }\n"),
        decoder);
    assertTrue(decoder.contains("  @Override\n  public void resetCache() {\n    CachedSelfAttention.reset(caches());\n  }\n"),
        decoder);
    assertTrue(decoder.contains("  @Override\n  public int maxContext() {\n"
        + "    return CachedSelfAttention.maxContext(caches());\n  }\n"), decoder);
    assertTrue(decoder.contains("  private List<CachedSelfAttention> caches;\n"), decoder);
    // CausalLM's forward(ids, position, logits).
    String into = method(decoder, "public Tensor forward(Tensor ids, int start, Tensor output) {");
    assertTrue(decoder.contains("  @Override\n  public Tensor forward(Tensor ids, int start, Tensor output) {"), decoder);
    assertTrue(into.contains("      checkInputs(ids);\n      CachedSelfAttention.seek(caches(), start);\n"
        + "      workspace(ids);\n"), into);
    // The recorded path seeks too, and stays on this instance (its caches are the caller's).
    String rec = method(decoder, "private Tensor forwardRecorded(");
    assertTrue(rec.startsWith("private Tensor forwardRecorded(Tensor ids, int start) {\n"
        + "    CachedSelfAttention.seek(caches(), start);\n"), rec);
    assertFalse(rec.contains("claim()"), rec);
  }

  @Test
  void oneInt64InputIsForward() {
    assertTrue(ids.contains("  @Override\n  public Tensor forward(Tensor ids) {\n    checkInputs(ids);\n"
        + "    if (records(ids)) {\n      return forwardRecorded(ids);\n    }\n"
        + "    return concurrentForward(ids, Tensor.zeros(ids.size(0), ids.size(1), 8));\n  }\n"), ids);
    assertTrue(ids.contains("  @Override\n  public Tensor forward(Tensor ids, Tensor output) {"), ids);
    assertTrue(ids.contains("if (ids.dtype() != DType.INT64\n        || ids.dim() != 2) {"), ids);
    assertFalse(ids.contains("UnsupportedOperationException"), ids);
  }

  @Test
  void copyingIntoAvoidsTheInputsNames() {
    // A loss has no allocation-free form: the buffered parent's call copies, in a no-grad scope
    // whose names are not the inputs'.
    String m = method(pair, "public Tensor forwardInputsInto(");
    assertEquals("public Tensor forwardInputsInto(Tensor output, Tensor scope, Tensor _output) {\n"
        + "    GradMode.Scope noGradScope = GradMode.noGrad();\n"
        + "    try {\n"
        + "      return forwardInputs(output, scope).copyInto(_output);\n"
        + "    } finally {\n"
        + "      noGradScope.close();\n"
        + "    }\n"
        + "  }\n", m);
    assertTrue(pair.contains("{@code forwardInputs(...)} without recording, copied into {@code _output}: Pair"), pair);
  }

  @Test
  void oneNamedInputIsModulesForward() {
    assertTrue(one.contains("  @Override\n  public Tensor forward(Tensor h) {\n    checkInputs(h);\n"), one);
    assertTrue(one.contains("  @Override\n  public Tensor forward(Tensor h, Tensor output) {\n"), one);
    assertFalse(one.contains("UnsupportedOperationException"), one);
  }

  @Test
  void withoutInputContractNothingIsChecked() {
    // No 'input:': the shapes are what its callers give; no buffered form, no checks.
    String m = method(split, "public Output forwardTuple(");
    assertTrue(m.startsWith("public Output forwardTuple(Tensor x) {\n"
        + "    // While another thread is inside this instance, the same call runs on a free replica.\n"), m);
    assertFalse(split.contains("checkInputs"), split);
    assertTrue(split.contains("\"Split takes x float32 (batch, 8) and returns a tuple; call forwardTuple(x)\""), split);
  }
}
