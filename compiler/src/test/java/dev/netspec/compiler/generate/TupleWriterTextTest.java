package dev.netspec.compiler.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The tuples of a forward ({@link TupleWriter}), read from the generated text of both forwards
 * without compiling it. Expectations by hand from Python's and PyTorch's rules: unpacking
 * evaluates every item before it assigns ({@code a, b = b, a * 10} swaps), {@code _} discards a
 * whole item, {@code chunk(h, 3, dim=-1)} of 6 columns gives pieces of 2 starting at 0, 2 and 4,
 * {@code split(h, 3, dim=1)} of 7 gives 3, 3, 1, a negative index counts from the end, an LSTM
 * not given its state starts from zeros (null), and a piece of a buffer is a view only when the
 * dims before the split one are all 1 (else it is strided and copied). TuplesTest,
 * TupleUnpackTest and SplitViewsTest run the same forms compiled.
 */
class TupleWriterTextTest {
  /** Generated again by each test, never kept in a static field (a mutation run swaps mutants into one JVM). */
  private static final String SPEC = """
      netspec: 1
      package: t.tup
      blocks:
        Cell:
          input: [seq, batch, 1]
          layers:
            lstm: {lstm: {input_size: 1, hidden_size: 1}}
          forward: |
            out, (h, c) = lstm(x)
            again, (_, c2) = lstm(x, (h, c))
            return out + 10 * h, c, again + c2
        Attend:
          input: [seq, batch, 2]
          layers:
            attn: {multihead_attention: {embed_dim: 2, num_heads: 1}}
          forward: |
            out, w = attn(x, x, x)
            plain, _ = attn(x, x, x, need_weights=False)
            return out + plain, w
        Swap:
          input: [batch, 2]
          forward: |
            a, b = chunk(x, 2, dim=1)
            a, b = b, a * 10
            _, (c, _) = x, (b, a)
            return c + a
        Pair:
          input: [batch, 4]
          forward: |
            first, second = chunk(x, 2, dim=-1)
            return second, (first, x)
        Flat:
          input: [batch, 4]
          forward: |
            first, second = chunk(x, 2, dim=-1)
            return second, first * 3
        User:
          input: [batch, 4]
          layers:
            pair: Pair
            flat: Flat
          forward: |
            s, (f, y) = pair(x)
            t = flat(x)[0] + flat(x)[-1]
            return s + f + t, y
        Outer:
          input: [1, 6]
          forward: |
            p, q, r = split(x, [2, 3, 1], dim=1)
            return sum(p) + sum(q) + sum(r)
        Rows:
          input: [3, 2]
          forward: |
            h = x * 2
            p, q = split(h, [2, 1], dim=0)
            return concat([q, p], dim=0) + 1
        Cols:
          input: [batch, 6]
          forward: |
            h = relu(x)
            a, _, c = chunk(h, 3, dim=-1)
            return a * 10 + c
        One:
          input: [1, 7]
          forward: |
            h = x + 1
            a = h * 0
            a, b, unread = split(h, 3, dim=1)
            return concat([b, a], dim=-1)
        Nested:
          input: [batch, 4]
          forward: |
            h = x * 2
            return h, (x * 3, h + 1)
        Halves:
          input: [batch, 4]
          forward: |
            return chunk(x, 2, dim=1)
        LoopCell:
          input: [seq, batch, 1]
          layers:
            lstm: {lstm: {input_size: 1, hidden_size: 1}}
          forward: |
            out, (h, c) = lstm(x)
            while sum(h) < 10:
              out, (h, c) = lstm(x, (h, c))
            return out
        LoopAttend:
          input: [seq, batch, 2]
          layers:
            attn: {multihead_attention: {embed_dim: 2, num_heads: 1}}
          forward: |
            out, w = attn(x, x, x)
            while sum(out) < 10:
              out, w = attn(out, out, out)
            return out
      """;

  /**
   * {@link #SPEC} with only {@code blocks} (each test compiles what it reads, so a mutation run
   * reruns only the tests that reach a mutant).
   */
  private static GeneratedText only(String... blocks) {
    String[] parts = SPEC.split("\n(?=  [A-Z])");
    StringBuilder spec = new StringBuilder(parts[0]);
    for (int i = 1; i < parts.length; i++) {
      String name = parts[i].trim().substring(0, parts[i].trim().indexOf(':'));
      if (Arrays.asList(blocks).contains(name)) {
        spec.append('\n').append(parts[i]);
      }
    }
    return GeneratedText.of(spec.append('\n').toString());
  }

  /** The statements of {@code body} from {@code first} on, up to its {@code finally}, trimmed. */
  private static List<String> from(String body, String first) {
    List<String> out = new ArrayList<>();
    boolean on = false;
    for (String line : body.split("\n")) {
      String t = line.trim();
      on |= t.startsWith(first);
      if (t.startsWith("} finally {")) {
        on = false;
      }
      if (on) {
        out.add(t);
      }
    }
    return out;
  }

  @Test
  void anLstmsStateIsUnpackedFromItsRecordInBothForwards() {
    GeneratedText text = only("Cell");
    assertEquals(List.of(
        "LSTM.Output lstmResult = lstm.forwardWithState(x); // ((seq, batch, 1), ((1, batch, 1), (1, batch, 1)))",
        "Tensor out = lstmResult.output(); // (seq, batch, 1)",
        "Tensor h = lstmResult.hN(); // (1, batch, 1)",
        "Tensor c = lstmResult.cN(); // (1, batch, 1)",
        "LSTM.Output lstmResult_ = lstm.forwardWithState(x, h, c); // ((seq, batch, 1), ((1, batch, 1), (1, batch, 1)))",
        "Tensor again = lstmResult_.output(); // (seq, batch, 1)",
        "Tensor c2 = lstmResult_.cN(); // (1, batch, 1)",
        "return new Output(out.add(h.mul(10.0f)), c, again.add(c2));"),
        from(text.method("Cell", "private Output forwardRecorded(", null), "LSTM.Output"));
    assertEquals(List.of(
        "lstm.forwardInto(x, null, null, lstmResult); // ((seq, batch, 1), ((1, batch, 1), (1, batch, 1)))",
        "Tensor out = lstmResult.output(); // (seq, batch, 1)",
        "Tensor h = lstmResult.hN(); // (1, batch, 1)",
        "Tensor c = lstmResult.cN(); // (1, batch, 1)",
        "lstm.forwardInto(x, h, c, lstmResult_); // ((seq, batch, 1), ((1, batch, 1), (1, batch, 1)))",
        "Tensor again = lstmResult_.output(); // (seq, batch, 1)",
        "Tensor c2 = lstmResult_.cN(); // (1, batch, 1)",
        // each item of the result written into the caller's record, in order
        "Tensor item0Out = output.item0();",
        "h.mulInto(10.0f, mulOut); // (1, batch, 1)",
        "out.addInto(mulOut, item0Out); // (seq, batch, 1)",
        "Tensor cOut = output.c();",
        "c.copyInto(cOut); // (1, batch, 1)",
        "Tensor item2Out = output.item2();",
        "again.addInto(c2, item2Out); // (seq, batch, 1)",
        "return output;"), from(text.method("Cell", "public Output forwardTupleInto(", null), "lstm."));
    // each call's record of buffers, one per item of LSTM's (output, (h_n, c_n))
    assertEquals(List.of("lstmResult = new LSTM.Output(lstmOutput, lstmHN, lstmCN);",
        "lstmResult_ = new LSTM.Output(lstmOutput2, lstmHN2, lstmCN2);"),
        GeneratedText.lines(text.source("Cell"), "lstmResult = new", "lstmResult_ = new"));
  }

  @Test
  void attentionsWeightsAreUnpackedOrLeftOut() {
    GeneratedText text = only("Attend");
    assertEquals(List.of(
        "MultiheadAttention.Output attnResult = attn.forward(x, x, x, null, true, null, true); "
            + "// ((seq, batch, 2), (batch, seq, seq))",
        "Tensor out = attnResult.output(); // (seq, batch, 2)",
        "Tensor w = attnResult.weights(); // (batch, seq, seq)",
        "MultiheadAttention.Output attnResult_ = attn.forward(x, x, x, null, false, null, true); // ((seq, batch, 2), None)",
        "Tensor plain = attnResult_.output(); // (seq, batch, 2)",
        "return new Output(out.add(plain), w);"),
        from(text.method("Attend", "private Output forwardRecorded(", null), "MultiheadAttention.Output"));
    assertEquals(List.of(
        "attn.forwardInto(x, x, x, null, null, true, attnResult); // ((seq, batch, 2), (batch, seq, seq))",
        "Tensor out = attnResult.output(); // (seq, batch, 2)",
        "Tensor w = attnResult.weights(); // (batch, seq, seq)",
        // without weights: the output alone, into one buffer
        "attn.forwardInto(x, x, x, null, null, attnOutput2); // ((seq, batch, 2), None)",
        "Tensor plain = attnOutput2; // (seq, batch, 2)",
        "Tensor item0Out = output.item0();",
        "out.addInto(plain, item0Out); // (seq, batch, 2)",
        "Tensor wOut = output.w();",
        "w.copyInto(wOut); // (batch, seq, seq)",
        "return output;"), from(text.method("Attend", "public Output forwardTupleInto(", null), "attn."));
    // the record the layer writes into, made with the buffers: output and weights
    assertEquals(List.of("attnResult = new MultiheadAttention.Output(attnOutput, attnWeights);"),
        GeneratedText.lines(text.source("Attend"), "attnResult ="));
  }

  @Test
  void unpackingEvaluatesEveryItemBeforeAssigning() {
    GeneratedText text = only("Swap", "Outer");
    assertEquals(List.of(
        "List<Tensor> parts = x.chunk(2, 1); // ((batch, 1), (batch, 1))",
        "Tensor a = parts.get(0); // (batch, 1)",
        "Tensor b = parts.get(1); // (batch, 1)",
        "Tensor item = b;",
        "Tensor item_ = a.mul(10.0f);",
        "a = item; // (batch, 1)",
        "b = item_; // (batch, 1)",
        "Tensor item__ = x;",
        "Tensor item___ = b;",
        "Tensor item____ = a;",
        "Tensor c = item___; // (batch, 1)",
        "return c.add(a);"), from(text.allocating("Swap"), "List<Tensor> parts"));
    assertEquals(List.of(
        "List<Tensor> parts = x.split(new int[] {2, 3, 1}, 1); // ((1, 2), (1, 3), (1, 1))",
        "Tensor p = parts.get(0); // (1, 2)",
        "Tensor q = parts.get(1); // (1, 3)",
        "Tensor r = parts.get(2); // (1, 1)"), from(text.allocating("Outer"), "List<Tensor> parts").subList(0, 4));
  }

  @Test
  void aNestedResultIsWrittenItemByItemAndAWholeChunkReturned() {
    GeneratedText text = only("Nested", "Halves");
    assertEquals(List.of(
        "Tensor h = x.mulInto(2.0f, mulOut); // (batch, 4)",
        "Tensor hOut = output.h();",
        "h.copyInto(hOut); // (batch, 4)",
        "Tensor item1Out = output.item1();",
        "x.mulInto(3.0f, item1Out); // (batch, 4)",
        "Tensor item2Out = output.item2();",
        "h.addInto(1.0f, item2Out); // (batch, 4)",
        "return output;"), from(text.method("Nested", "public Output forwardTupleInto(", null), "Tensor h ="));
    // chunk(x, 2) of 4 columns: exactly two pieces
    assertEquals(List.of("List<Tensor> parts = x.chunk(2, 1); // ((batch, 2), (batch, 2))",
        "return new Output(parts.get(0), parts.get(1));"),
        GeneratedText.lines(text.method("Halves", "public Output forwardTuple(", null), "List<Tensor> parts", "return new"));
  }

  @Test
  void aLoopWhoseUnpackingFeedsItsOwnCallHasNoAllocationFreeForward() {
    // out, (h, c) = lstm(x, (h, c)) again and again: the layer would write the buffers it reads
    GeneratedText text = only("LoopCell", "LoopAttend");
    assertNull(text.buffered("LoopCell"));
    assertNull(text.buffered("LoopAttend"));
  }

  @Test
  void aChildBlocksTupleIsUnpackedOrIndexedFromEitherEnd() {
    GeneratedText text = only("Pair", "Flat", "User");
    assertEquals(List.of(
        "Pair.Output pairResult = pair.forwardTuple(x); // ((batch, 2), ((batch, 2), (batch, 4)))",
        "Tensor s = pairResult.second(); // (batch, 2)",
        "Tensor f = pairResult.first(); // (batch, 2)",
        "Tensor y = pairResult.x(); // (batch, 4)",
        // [-1] of two items is the second
        "Tensor t = flat.forwardTuple(x).second().add(flat.forwardTuple(x).item1()); // (batch, 2)",
        "return new Output(s.add(f).add(t), y);"), from(text.method("User", "public Output forwardTuple(", null), "Pair."));
  }

  @Test
  void aPieceOfABufferIsAViewOnlyAlongItsOuterDims() {
    GeneratedText text = only("Rows", "Cols", "One", "Swap");
    assertEquals(List.of("Tensor h = x.mulInto(2.0f, mulOut); // (3, 2)", "Tensor p = pView; // (2, 2)",
        "Tensor q = qView; // (1, 2)"), from(text.buffered("Rows"), "Tensor h").subList(0, 3));
    String rows = text.source("Rows");
    assertEquals(List.of("pView = mulOut.narrow(0, 0, 2);", "qView = mulOut.narrow(0, 2, 1);"),
        GeneratedText.lines(rows, "pView =", "qView ="));
    // columns of a (batch, 6) buffer are strided: copied; the discarded middle piece not computed
    assertEquals(List.of("Tensor h = x.reluInto(reluOut); // (batch, 6)",
        "Tensor a = Out.narrowCopy(h, 1, 0, aOut); // (batch, 2)",
        "Tensor c = Out.narrowCopy(h, 1, 4, cOut); // (batch, 2)",
        "a.mulInto(10.0f, mulOut); // (batch, 2)"), from(text.buffered("Cols"), "Tensor h").subList(0, 4));
    // a (1, 7) buffer's columns are dense: views at 0 and 3; the unread third piece not made
    assertEquals(List.of("Tensor h = x.addInto(1.0f, addOut); // (1, 7)", "Tensor a = h.mulInto(0.0f, mulOut); // (1, 7)",
        "a = aView; // (1, 3)", "Tensor b = bView; // (1, 3)"), from(text.buffered("One"), "Tensor h").subList(0, 4));
    assertEquals(List.of("aView = addOut.narrow(1, 0, 3);", "bView = addOut.narrow(1, 3, 3);"),
        GeneratedText.lines(text.source("One"), "aView =", "bView =", "unreadView ="));
    // a chunk of an input: no buffer to view, so no allocation-free forward for it here
    assertNull(text.buffered("Swap"));
  }
}
