package dev.netspec.examples;

import dev.netspec.runtime.autograd.GradMode;
import dev.netspec.runtime.kernels.Kernels;
import dev.netspec.runtime.tensor.Tensor;

/**
 * {@link SequenceAllocationTest}'s child JVM: warms one allocation-free forward of a sequence
 * model generated from specs/ on one kernel thread, with grad mode off, then prints the bytes
 * 20 calls allocate once that is 0 (or after {@code args[1]} seconds) and the calls it took.
 * {@code args[0]}: {@code bert} ({@code BertModel.forwardTupleInto} at a reduced size, batch
 * 2 of 16 tokens, one padded) or {@code gpt2} (one cached decode step of {@code GPT.forward(idx,
 * start, output)} at a reduced size, context 24).
 */
final class SequenceAllocationChild {
  private SequenceAllocationChild() {}

  public static void main(String[] args) {
    long seconds = Long.parseLong(args[1]);
    Kernels.setThreads(1);
    GradMode.setEnabled(false);
    Runnable call = args[0].equals("bert") ? bert() : gpt2();
    AllocationProbe.printBytesOnceWarm(call, seconds, "");
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
