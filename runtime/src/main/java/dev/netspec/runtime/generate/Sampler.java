package dev.netspec.runtime.generate;

import dev.netspec.runtime.tensor.Generator;

/**
 * One draw per row of logits from {@code softmax(top_k(logits / temperature))}: nanoGPT's
 * {@code generate} and Hugging Face's {@code TopKLogitsWarper}. Top-k keeps every logit at
 * least the {@code k}-th largest ({@code logits < topk(logits, k).values[-1]} become {@code
 * -inf}), so ties with it stay. The scratch grows once to the vocabulary, then draws allocate
 * nothing.
 */
final class Sampler {
  private final float temperature;
  private final int topK;
  private final Generator random;
  private float[] scaled = new float[0]; // the row divided by the temperature
  private float[] select = new float[0]; // a copy that quickselect reorders

  Sampler(double temperature, int topK, long seed) {
    this.temperature = (float) temperature;
    this.topK = topK;
    this.random = new Generator(seed);
  }

  /** A token drawn from the logits {@code a[from, from + vocab)}. */
  int draw(float[] a, int from, int vocab) {
    if (scaled.length < vocab) {
      scaled = new float[vocab];
      select = new float[vocab];
    }
    float max = Float.NEGATIVE_INFINITY;
    for (int i = 0; i < vocab; i++) {
      float x = a[from + i] / temperature;
      if (Float.isNaN(x)) {
        throw new IllegalArgumentException("generation: the logits hold NaN at token " + i
            + "; cannot sample from them");
      }
      scaled[i] = x;
      max = Math.max(max, x);
    }
    float threshold = topK > 0 && topK < vocab ? kthLargest(vocab, topK) : Float.NEGATIVE_INFINITY;
    double sum = 0;
    for (int i = 0; i < vocab; i++) {
      sum += scaled[i] >= threshold ? Math.exp(scaled[i] - max) : 0;
    }
    if (!(sum > 0)) { // every logit -inf: nothing to draw from
      throw new IllegalArgumentException(
          "generation: every logit is -inf; cannot sample from them");
    }
    double u = random.nextDouble() * sum;
    double cumulative = 0;
    int last = 0;
    for (int i = 0; i < vocab; i++) {
      if (scaled[i] >= threshold) {
        double p = Math.exp(scaled[i] - max);
        if (p > 0) {
          cumulative += p;
          last = i;
          if (u < cumulative) {
            return i;
          }
        }
      }
    }
    return last; // u rounded up to the sum: the last token with any probability
  }

  /** The {@code k}-th largest of {@code scaled[0, n)} (quickselect on a copy, expected O(n)). */
  private float kthLargest(int n, int k) {
    System.arraycopy(scaled, 0, select, 0, n);
    int target = k - 1; // its index once sorted in descending order
    int lo = 0;
    int hi = n - 1;
    while (lo < hi) {
      float pivot = select[(lo + hi) >>> 1];
      int i = lo;
      int j = hi;
      while (i <= j) {
        while (select[i] > pivot) {
          i++;
        }
        while (select[j] < pivot) {
          j--;
        }
        if (i <= j) {
          float t = select[i];
          select[i] = select[j];
          select[j] = t;
          i++;
          j--;
        }
      }
      if (target <= j) {
        hi = j;
      } else if (target >= i) {
        lo = i;
      } else {
        return select[target];
      }
    }
    return select[target];
  }
}
