package dev.netspec.runtime.nn;

import dev.netspec.runtime.kernels.PackedMatrix;
import dev.netspec.runtime.tensor.Tensor;

/**
 * A Linear weight {@code [out_features, in_features]} packed for the GEMM kernel, kept
 * between forwards. {@link Functional#linearInto} asks it for the packed form of the weight
 * it is given; it repacks (in place, same shape) whenever that is another tensor or the
 * tensor's {@link Tensor#version() version} changed, so in-place edits such as {@code
 * weight.data().add_(1f)} or {@code loadStateDict} are always seen. Writes straight into
 * {@code weight.array()} must be followed by {@link Tensor#bumpVersion()}.
 *
 * <p>One per layer; not for concurrent use (neither are a model's forward buffers).
 */
public final class PackedWeight {
  private Tensor source;
  private long version;
  private PackedMatrix packed;

  /** An empty cache: the first forward packs. */
  public PackedWeight() {}

  /** The packed form of {@code weight} ({@code [out, in]}, i.e. op(B) = weight.T). */
  PackedMatrix of(Tensor weight) {
    if (weight != source || weight.version() != version) {
      Tensor w = weight.contiguous(); // (out, in)
      int out = w.size(0);
      int in = w.size(1);
      if (packed != null && packed.rows() == in && packed.columns() == out) {
        packed.repack(w.array(), w.arrayOffset(), in, true);
      } else {
        packed = PackedMatrix.pack(in, out, w.array(), w.arrayOffset(), in, true);
      }
      source = weight;
      version = weight.version();
    }
    return packed;
  }
}
