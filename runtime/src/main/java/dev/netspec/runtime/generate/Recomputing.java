package dev.netspec.runtime.generate;

import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.tensor.DType;
import dev.netspec.runtime.tensor.Tensor;
import java.util.Arrays;

/** {@link CausalLM#recomputing}: the tokens so far, run through a stateless block on every call. */
final class Recomputing implements CausalLM {
  private final Module block;
  private final int maxContext;
  private Tensor history; // (batch, max_context) int64: the tokens so far, in the first length
  private int length;

  Recomputing(Module block, int maxContext) {
    if (maxContext <= 0) {
      throw new IllegalArgumentException("causal LM: the context must be greater than 0, got "
          + maxContext);
    }
    this.block = block;
    this.maxContext = maxContext;
  }

  @Override
  public Tensor forward(Tensor ids, int position) {
    Generation.checkIds(ids, "ids");
    int batch = ids.size(0);
    int n = ids.size(1);
    if (history == null || history.size(0) != batch) {
      if (position != 0) {
        throw new IllegalArgumentException("causal LM: position " + position + " of a batch of "
            + batch + " that holds no tokens yet; start at position 0");
      }
      history = Tensor.zeros(DType.INT64, batch, maxContext);
    }
    if (position < 0 || position > length) {
      throw new IllegalArgumentException("causal LM: position " + position + " must be in [0, "
          + length + "]: " + length + " tokens so far, and positions may not skip any");
    }
    if (position + n > maxContext) {
      throw new IllegalArgumentException("causal LM: tokens [" + position + ", " + (position + n)
          + ") exceed the context of " + maxContext + " tokens");
    }
    history.narrow(1, position, n).copy_(ids);
    length = position + n;
    Tensor logits = block.forward(history.narrow(1, 0, length).contiguous());
    if (logits.dim() != 3 || logits.size(0) != batch || logits.size(1) != length) {
      throw new IllegalArgumentException("causal LM: " + block.getClass().getSimpleName()
          + " gave logits of shape " + Arrays.toString(logits.shape()) + " for ids of shape ["
          + batch + ", " + length + "]; expected (batch, seq, vocab) = [" + batch + ", "
          + length + ", vocab]");
    }
    return logits.narrow(1, position, n).contiguous();
  }

  @Override
  public void resetCache() {
    length = 0;
  }

  @Override
  public int maxContext() {
    return maxContext;
  }
}
