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
 * start, output)} at a reduced size, context 24), {@code lstm} ({@code
 * BiLstmTagger.forwardTupleInto}), {@code gru} (GruClassifier and GruStep), {@code encoder}
 * (TinyEncoder and Ends) or {@code generate} (the steps of {@code Generation}).
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
      case "lstm" -> lstmTagger();
      case "gru" -> grus();
      case "encoder" -> encoders();
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
  private static Runnable encoders() {
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
    GPT gpt = new GPT(500, 32, 4, 64, 5L).eval();
    long[] ids = new long[23];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = (i * 7919L) % 500;
    }
    gpt.forward(Tensor.ofLongs(ids, 1, ids.length), 0); // prefill
    Tensor next = Tensor.ofLongs(new long[] {42}, 1, 1);
    Tensor logits = Tensor.zeros(1, 1, 500);
    return () -> gpt.forward(next, 23, logits);
  }
}
