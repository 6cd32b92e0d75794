package dev.netspec.runtime.generate;

import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.tensor.Tensor;

/**
 * A causal language model as {@link Generation} drives it: token ids in, next-token logits
 * out, the tokens before {@code position} remembered from earlier calls. A decoder with a
 * {@link dev.netspec.runtime.nn.KVCache} implements it directly (each call costs time
 * linear in the context); any block that maps ids {@code (batch, t)} to logits {@code (batch,
 * t, vocab)} becomes one through {@link #recomputing}, which runs the whole prefix again on
 * every call.
 */
public interface CausalLM {
  /**
   * The logits {@code (batch, n, vocab)} of the int64 tokens {@code ids (batch, n)} at
   * positions {@code [position, position + n)}, each predicting the token after it. The
   * tokens before {@code position} are those of the earlier calls since {@link
   * #resetCache()}; a {@code position} before the end forgets the tokens from there on. The
   * result may be a buffer the model reuses: read it before the next call.
   */
  Tensor forward(Tensor ids, int position);

  /**
   * {@link #forward(Tensor, int)} written into {@code logits} {@code (batch, n, vocab)}, which
   * must not share storage with {@code ids}; returns {@code logits}. {@link Generation} calls it
   * with one tensor for every step. A decoder generated from a spec writes straight into it
   * (allocating nothing once warm); this default copies the result of {@code forward(ids,
   * position)}.
   */
  default Tensor forward(Tensor ids, int position, Tensor logits) {
    return forward(ids, position).copyInto(logits);
  }

  /** Forgets every token: the next call starts at position 0. */
  void resetCache();

  /** The most tokens a sequence may reach (the cache's {@code max_len}, the model's context). */
  int maxContext();

  /**
   * {@code block} (ids {@code (batch, t)} int64 to logits {@code (batch, t, vocab)}, no state
   * between calls) as a causal LM of context {@code maxContext}: each call runs the block on
   * every token so far and keeps the logits of the new ones, as PyTorch code without a cache
   * does. A step then costs a forward over the whole sequence.
   */
  static CausalLM recomputing(Module block, int maxContext) {
    return new Recomputing(block, maxContext);
  }
}
