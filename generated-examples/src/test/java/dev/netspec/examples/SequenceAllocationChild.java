package dev.netspec.examples;

import dev.netspec.runtime.autograd.GradMode;
import dev.netspec.runtime.generate.Generation;
import dev.netspec.runtime.kernels.Kernels;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;

/**
 * {@link SequenceAllocationTest}'s child JVM: warms one allocation-free forward of a sequence
 * model generated from specs/ on one kernel thread, with grad mode off, then prints the bytes
 * 20 calls allocate once that is 0 (or after {@code args[1]} seconds) and the calls it took.
 * {@code args[0]}: {@code bert} ({@code BertModel.forwardTupleInto} at a reduced size, batch
 * 2 of 16 tokens, one padded) or {@code gpt2} (one cached decode step of {@code GPT.forward(idx,
 * start, output)} at a reduced size, context 24), {@code gpt2-small CONTEXT} (the same at GPT-2
 * small's size), {@code lstm} ({@code
 * BiLstmTagger.forwardTupleInto}), {@code gru} (GruClassifier and GruStep), {@code encoder}
 * (TinyEncoder and Ends), {@code encoders} (TorchEncoder and SeqFirstEncoder: MultiheadAttention
 * and the Transformer encoder layers), {@code cross} (CrossAttention), {@code masked}
 * (MaskedSelfAttention), {@code seq2seq}, {@code seqfirst} (SeqFirstDecoder), {@code golden
 * NAME} (the golden attention block {@code args[2]}, {@link GoldenBlocks}) or {@code generate}
 * (the steps of {@code Generation}).
 */
final class SequenceAllocationChild {
  private SequenceAllocationChild() {}

  public static void main(String[] args) {
    long seconds = Long.parseLong(args[1]);
    Kernels.setThreads(1);
    GradMode.setEnabled(false);
    if (args[0].equals("generate")) {
      printStepBytesOnceWarm(seconds);
      return;
    }
    Runnable call = switch (args[0]) {
      case "bert" -> bert();
      case "gpt2" -> gpt2();
      case "gpt2-small" -> gpt2Small(Integer.parseInt(args[2]));
      case "lstm" -> lstmTagger();
      case "gru" -> grus();
      case "encoder" -> tinyEncoderAndEnds();
      case "encoders" -> transformerEncoders();
      case "cross" -> crossAttention();
      case "masked" -> maskedSelfAttention();
      case "seq2seq" -> seq2seq();
      case "seqfirst" -> seqFirstDecoder();
      case "golden" -> GoldenBlocks.forwardInto(args[2]);
      default -> throw new IllegalArgumentException(args[0]);
    };
    AllocationProbe.printBytesOnceWarm(call, seconds, "");
  }

  /**
   * BiLstmTagger (bidirectional, 2 layers, batch first) from given states: batch 2 of 12 tokens
   * into the caller's {@code Output}.
   */
  private static Runnable lstmTagger() {
    BiLstmTagger net = new BiLstmTagger(5L).eval();
    long[] ids = new long[2 * 12];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = (i * 7L) % 20;
    }
    Tensor tokens = Tensor.ofLongs(ids, 2, 12);
    Tensor h0 = Tensor.rand(new Generator(3L), 4, 2, 8);
    Tensor c0 = Tensor.rand(new Generator(4L), 4, 2, 8);
    BiLstmTagger.Output out = new BiLstmTagger.Output(Tensor.zeros(2, 12, 5), Tensor.zeros(4, 2, 8), Tensor.zeros(4, 2, 8));
    return () -> net.forwardTupleInto(tokens, h0, c0, out);
  }

  /**
   * TorchEncoder (batch first: self-attention, a post-norm encoder layer, a two-layer norm-first
   * GELU encoder) and SeqFirstEncoder (sequence first, attention without bias, two post-norm
   * layers), batch 2 of 10 tokens, one {@code forward(x, output)} of each.
   */
  private static Runnable transformerEncoders() {
    TorchEncoder torch = new TorchEncoder(5L).eval();
    SeqFirstEncoder seqFirst = new SeqFirstEncoder(6L).eval();
    Tensor x = Tensor.rand(new Generator(3L), 2, 10, 16);
    Tensor y = Tensor.rand(new Generator(4L), 10, 2, 16);
    Tensor xOut = Tensor.zeros(2, 10, 16);
    Tensor yOut = Tensor.zeros(10, 2, 16);
    return () -> {
      torch.forward(x, xOut);
      seqFirst.forward(y, yOut);
    };
  }

  /** Batch 2 of 7 ids, the second ending in 3 ids of padding (0 in {@code valid}). */
  private static Tensor valid(int batch, int len) {
    long[] v = new long[batch * len];
    for (int i = 0; i < v.length; i++) {
      v[i] = i % len < len - 3 * (i / len) ? 1 : 0;
    }
    return Tensor.ofLongs(v, batch, len);
  }

  /** A causal float mask {@code (len, len)}: -inf above the diagonal. */
  private static Tensor causal(int len) {
    Tensor m = Tensor.zeros(len, len);
    for (int i = 0; i < len; i++) {
      for (int j = i + 1; j < len; j++) {
        m.set(Float.NEGATIVE_INFINITY, i, j);
      }
    }
    return m;
  }

  /** CrossAttention (kdim/vdim, a bool padding mask, per-head weights): batch 2, 5 queries over 7 keys. */
  private static Runnable crossAttention() {
    CrossAttention net = new CrossAttention(5L).eval();
    Tensor query = Tensor.rand(new Generator(3L), 2, 5, 16);
    Tensor key = Tensor.rand(new Generator(4L), 2, 7, 12);
    Tensor value = Tensor.rand(new Generator(5L), 2, 7, 10);
    Tensor valid = valid(2, 7);
    CrossAttention.Output out = new CrossAttention.Output(Tensor.zeros(2, 5, 16), Tensor.zeros(2, 4, 5, 7));
    return () -> net.forwardTupleInto(query, key, value, valid, out);
  }

  /** MaskedSelfAttention (sequence first, a float causal mask, averaged weights): 6 tokens, batch 2. */
  private static Runnable maskedSelfAttention() {
    MaskedSelfAttention net = new MaskedSelfAttention(5L).eval();
    Tensor x = Tensor.rand(new Generator(3L), 6, 2, 16);
    Tensor mask = causal(6);
    MaskedSelfAttention.Output out = new MaskedSelfAttention.Output(Tensor.zeros(6, 2, 16), Tensor.zeros(2, 6, 6));
    return () -> net.forwardTupleInto(x, mask, out);
  }

  /** Seq2Seq (an encoder with a padding mask, a norm-first decoder layer): batch 2, 7 source and 5 target tokens. */
  private static Runnable seq2seq() {
    Seq2Seq net = new Seq2Seq(5L).eval();
    Tensor src = Tensor.rand(new Generator(3L), 2, 7, 16);
    Tensor tgt = Tensor.rand(new Generator(4L), 2, 5, 16);
    Tensor srcValid = valid(2, 7);
    Tensor tgtMask = causal(5);
    Tensor out = Tensor.zeros(2, 5, 16);
    return () -> net.forwardInputsInto(src, srcValid, tgt, tgtMask, out);
  }

  /** SeqFirstDecoder (sequence first, bool masks of three kinds): 7 source and 5 target tokens, batch 2. */
  private static Runnable seqFirstDecoder() {
    SeqFirstDecoder net = new SeqFirstDecoder(5L).eval();
    Tensor src = Tensor.rand(new Generator(3L), 7, 2, 8);
    Tensor tgt = Tensor.rand(new Generator(4L), 5, 2, 8);
    long[] allowed = new long[7 * 7];
    for (int i = 0; i < allowed.length; i++) {
      allowed[i] = i % 7 <= i / 7 ? 1 : 0; // causal: a key at or before the query
    }
    long[] memory = new long[5 * 7];
    for (int i = 0; i < memory.length; i++) {
      memory[i] = i % 7 != 6 ? 1 : 0; // the last source position hidden
    }
    Tensor tgtValid = valid(2, 5);
    Tensor out = Tensor.zeros(5, 2, 8);
    Tensor srcAllowed = Tensor.ofLongs(allowed, 7, 7);
    Tensor memoryAllowed = Tensor.ofLongs(memory, 5, 7);
    return () -> net.forwardInputsInto(src, tgt, srcAllowed, tgtValid, memoryAllowed, out);
  }

  /**
   * GruClassifier ({@code chunk} of the final states into views, {@code concat} placed in one
   * buffer) and GruStep (a GRU from a given state, a {@code split} along features copied into a
   * buffer, a tuple result), one call of each.
   */
  private static Runnable grus() {
    GruClassifier classifier = new GruClassifier(5L).eval();
    long[] ids = new long[2 * 9];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = (i * 11L) % 30;
    }
    Tensor tokens = Tensor.ofLongs(ids, 2, 9);
    Tensor classes = Tensor.zeros(2, 3);
    GruStep step = new GruStep(6L).eval();
    Tensor x = Tensor.rand(new Generator(7L), 5, 2, 10);
    Tensor h0 = Tensor.rand(new Generator(8L), 1, 2, 16);
    GruStep.Output out = new GruStep.Output(Tensor.zeros(5, 2, 4), Tensor.zeros(1, 2, 16));
    return () -> {
      classifier.forward(tokens, classes);
      step.forwardTupleInto(x, h0, out);
    };
  }

  /**
   * TinyEncoder (a module dict's entries called by path, a for loop over a module list of
   * EncoderBlocks) at batch 2 of 7 tokens, and Ends (a module list's items by index, h[0] and
   * h[-1]) at batch 3, each into a tensor made once.
   */
  private static Runnable tinyEncoderAndEnds() {
    TinyEncoder encoder = new TinyEncoder(5L).eval();
    Tensor x = Tensor.rand(new Generator(3L), 2, 7, 16);
    Tensor encoded = Tensor.zeros(2, 7, 16);
    Ends ends = new Ends(6L).eval();
    Tensor y = Tensor.rand(new Generator(4L), 3, 16);
    Tensor out = Tensor.zeros(3, 16);
    return () -> {
      encoder.forward(x, encoded);
      ends.forward(y, out);
    };
  }

  /**
   * What the steps of {@code Generation} allocate beyond their token ids: the bytes of a greedy
   * and a sampled generation of 20 new tokens minus those of 4, less the 16 more ids of each
   * result ({@code long}s), from GPT at the reduced size of {@link #gpt2}; printed with the
   * generations run once 0 or after {@code seconds}.
   */
  private static void printStepBytesOnceWarm(long seconds) {
    GPT gpt = new GPT(500, 32, 4, 64, 5L).eval();
    long[] ids = new long[8];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = (i * 7919L) % 500;
    }
    Tensor prompt = Tensor.ofLongs(ids, 1, ids.length);
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    long extra = Long.MAX_VALUE;
    long runs = 0;
    while (extra != 0 && System.nanoTime() < deadline) {
      extra = 0;
      for (Generation g : new Generation[] {Generation.greedy(), Generation.sampling(0.8, 40, 7L)}) {
        for (int i = 0; i < 5; i++) {
          g.generate(gpt, prompt, 20);
        }
        long a0 = threads.getCurrentThreadAllocatedBytes();
        g.generate(gpt, prompt, 4);
        long a1 = threads.getCurrentThreadAllocatedBytes();
        g.generate(gpt, prompt, 20);
        long a2 = threads.getCurrentThreadAllocatedBytes();
        extra += (a2 - a1) - (a1 - a0) - 16L * Long.BYTES;
        runs += 7;
      }
    }
    System.out.println(extra + " " + runs);
  }

  /** BertModel(vocab 500, hidden 64, 4 heads, intermediate 256, 64 positions, 2 types), 6 layers. */
  private static Runnable bert() {
    BertModel net = new BertModel(500, 64, 4, 256, 64, 2, 5L).eval();
    long[] ids = new long[2 * 16];
    long[] mask = new long[2 * 16];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = 1 + (i * 37L) % 499;
      mask[i] = i < 16 + 11 ? 1 : 0; // the second sequence has 11 tokens and 5 of padding
    }
    Tensor inputIds = Tensor.ofLongs(ids, 2, 16);
    Tensor attentionMask = Tensor.ofLongs(mask, 2, 16);
    BertModel.Output out = new BertModel.Output(Tensor.zeros(2, 16, 64), Tensor.zeros(2, 64), Tensor.zeros(2, 64));
    return () -> net.forwardTupleInto(inputIds, attentionMask, out);
  }

  /** GPT(vocab 500, block 32, 4 heads, 64 wide), 12 layers: the token at position 23 over 23 cached. */
  private static Runnable gpt2() {
    return decodeStep(new GPT(500, 32, 4, 64, 5L), 500, 24);
  }

  /**
   * GPT-2 small ({@code new GPT(50257, 1024, 12, 768)}, seeded weights, 124M parameters) at
   * {@code context} tokens, as Gpt2DecodeBenchmark runs it: the benchmark's JMH rows show
   * 73-87 bytes a step, which this reads without JMH's own allocations.
   */
  private static Runnable gpt2Small(int context) {
    return decodeStep(new GPT(50257, 1024, 12, 768, 1L), 50257, context);
  }

  /** One decode step at position {@code context - 1} after a prefill of the tokens before it. */
  private static Runnable decodeStep(GPT gpt, int vocab, int context) {
    gpt.eval();
    long[] ids = new long[context - 1];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = (i * 7919L) % vocab;
    }
    gpt.forward(Tensor.ofLongs(ids, 1, ids.length), 0); // prefill
    Tensor next = Tensor.ofLongs(new long[] {42}, 1, 1);
    Tensor logits = Tensor.zeros(1, 1, vocab);
    return () -> gpt.forward(next, context - 1, logits);
  }
}
