package dev.netspec.runtime.generate;

import dev.netspec.runtime.autograd.GradMode;
import dev.netspec.runtime.tensor.DType;
import dev.netspec.runtime.tensor.Tensor;
import java.util.Arrays;

/**
 * Decoding from a {@link CausalLM}: the prompt's tokens are run once (prefill), then each new
 * token is chosen from the logits of the last one and fed back at the next position, until
 * {@code maxNewTokens} tokens have been added to every sequence of the batch.
 *
 * <ul>
 *   <li>{@link #greedy()}: the most likely token, the first one on a tie ({@code
 *       logits.argmax(-1)}, as PyTorch's greedy decoding);
 *   <li>{@link #sampling(double, int, long)}: nanoGPT's and Hugging Face's sampling: the logits
 *       divided by the temperature, every token below the {@code k}-th largest logit removed
 *       (tokens tied with it stay), a softmax, one draw. The draws come from netspec's seeded
 *       {@link dev.netspec.runtime.tensor.Generator}: the same seed gives the same tokens on
 *       every run and machine, though not the draws of {@code torch.multinomial}.
 * </ul>
 *
 * <pre>{@code
 * Tensor ids = Generation.greedy().generate(model, prompt, 32);   // (batch, n + 32) int64
 * Tensor sampled = Generation.sampling(0.8, 40, 7).generate(model, prompt, 32);
 * }</pre>
 */
public final class Generation {
  /** Told after each new token of the batch: {@code done} of {@code total}. */
  @FunctionalInterface
  public interface Progress {
    void token(int done, int total);
  }

  private final double temperature; // 0 for greedy
  private final int topK; // 0 for no filtering
  private final long seed;

  private Generation(double temperature, int topK, long seed) {
    this.temperature = temperature;
    this.topK = topK;
    this.seed = seed;
  }

  /** The most likely token at each step. */
  public static Generation greedy() {
    return new Generation(0, 0, 0);
  }

  /**
   * A token drawn at each step from {@code softmax(top_k(logits / temperature))}.
   *
   * @param temperature greater than 0: below 1 sharpens, above 1 flattens the distribution
   * @param topK how many of the most likely tokens may be drawn; 0 for all of them
   * @param seed the draws' seed: one seed, one sequence of tokens
   */
  public static Generation sampling(double temperature, int topK, long seed) {
    if (!(temperature > 0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException("generation: temperature must be a positive number,"
          + " got " + temperature + " (greedy() picks the most likely token)");
    }
    if (topK < 0) {
      throw new IllegalArgumentException(
          "generation: top_k must be 0 (no filtering) or positive, got " + topK);
    }
    return new Generation(temperature, topK, seed);
  }

  /** Whether this picks the most likely token rather than drawing one. */
  public boolean isGreedy() {
    return temperature == 0;
  }

  /** {@link #generate(CausalLM, Tensor, int, Progress)} without progress. */
  public Tensor generate(CausalLM model, Tensor prompt, int maxNewTokens) {
    return generate(model, prompt, maxNewTokens, null);
  }

  /**
   * The prompt {@code (batch, n)} int64 followed by {@code maxNewTokens} tokens per sequence:
   * {@code (batch, n + maxNewTokens)} int64. Resets the model's cache first. The prompt must
   * hold at least one token and, with the new tokens, fit the model's context; both are
   * checked before anything runs.
   *
   * @param progress told after each new token, or null
   */
  public Tensor generate(CausalLM model, Tensor prompt, int maxNewTokens, Progress progress) {
    checkIds(prompt, "prompt");
    int batch = prompt.size(0);
    int n = prompt.size(1);
    int context = model.maxContext();
    if (n == 0) {
      throw new IllegalArgumentException("generation: the prompt holds no tokens; give at least"
          + " one");
    }
    if (n > context) {
      throw new IllegalArgumentException("generation: the prompt's " + n + " tokens are more"
          + " than the model's context of " + context);
    }
    if (maxNewTokens < 0) {
      throw new IllegalArgumentException(
          "generation: max_new_tokens must not be negative, got " + maxNewTokens);
    }
    if ((long) n + maxNewTokens > context) {
      throw new IllegalArgumentException("generation: the prompt's " + n + " tokens and "
          + maxNewTokens + " new tokens (" + ((long) n + maxNewTokens) + ") exceed the model's"
          + " context of " + context + "; ask for at most " + (context - n) + " new tokens");
    }
    Tensor out = Tensor.zeros(DType.INT64, batch, n + maxNewTokens); // (batch, n + new)
    out.narrow(1, 0, n).copy_(prompt);
    if (maxNewTokens == 0) {
      return out;
    }
    long[] tokens = out.longArray();
    int width = n + maxNewTokens;
    Tensor next = Tensor.zeros(DType.INT64, batch, 1); // (batch, 1): the token fed back
    long[] nextIds = next.longArray();
    Tensor stepLogits = null; // (batch, 1, vocab): every step's logits, written in place
    try (GradMode.Scope scope = GradMode.noGrad()) { // inference: nothing records
      Sampler sampler = isGreedy() ? null : new Sampler(temperature, topK, seed);
      model.resetCache();
      Tensor logits = model.forward(prompt.isContiguous() ? prompt : prompt.contiguous(), 0);
      for (int step = 0; step < maxNewTokens; step++) {
        int rows = step == 0 ? n : 1; // the logits' tokens: the prompt's, then the one fed back
        Tensor last = checkLogits(logits, batch, rows);
        int vocab = last.size(2);
        float[] a = last.array();
        for (int b = 0; b < batch; b++) {
          int row = last.arrayOffset() + (b * rows + rows - 1) * vocab; // logits[b, -1, :]
          long token = sampler == null ? argmax(a, row, vocab) : sampler.draw(a, row, vocab);
          tokens[b * width + n + step] = token;
          nextIds[b] = token;
        }
        next.bumpVersion();
        if (progress != null) {
          progress.token(step + 1, maxNewTokens);
        }
        if (step + 1 < maxNewTokens) {
          if (stepLogits == null) {
            stepLogits = Tensor.zeros(batch, 1, vocab);
          }
          logits = model.forward(next, n + step, stepLogits);
        }
      }
      out.bumpVersion();
      return out;
    }
  }

  /** The first index of the largest value of {@code a[from, from + n)}, or of its first NaN. */
  static int argmax(float[] a, int from, int n) {
    int best = 0;
    float max = a[from];
    for (int i = 0; i < n && !Float.isNaN(max); i++) {
      float x = a[from + i];
      if (x > max || Float.isNaN(x)) {
        max = x;
        best = i;
      }
    }
    return best;
  }

  /** The model's logits for {@code rows} tokens, contiguous. */
  private static Tensor checkLogits(Tensor logits, int batch, int rows) {
    if (logits.dim() != 3 || logits.size(0) != batch || logits.size(1) != rows
        || logits.size(2) == 0) {
      throw new IllegalArgumentException("generation: the model gave logits of shape "
          + Arrays.toString(logits.shape()) + " for " + rows + " tokens of a batch of " + batch
          + "; expected (batch, n, vocab) = [" + batch + ", " + rows + ", vocab]");
    }
    logits.requireFloat("generation");
    return logits.isContiguous() ? logits : logits.contiguous();
  }

  /** Refuses anything but int64 token ids {@code (batch, n)}. */
  static void checkIds(Tensor ids, String what) {
    if (ids.dtype() != DType.INT64 || ids.dim() != 2 || ids.size(0) == 0) {
      throw new IllegalArgumentException("generation: the " + what + " must be int64 token ids"
          + " (batch, n) with batch >= 1, got " + ids.dtype() + " " + Arrays.toString(ids.shape()));
    }
  }

  @Override
  public String toString() {
    return isGreedy() ? "greedy" : "sampling(temperature=" + temperature + ", top_k="
        + (topK == 0 ? "None" : topK) + ", seed=" + seed + ")";
  }
}
