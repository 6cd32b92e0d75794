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
 * <p>One per layer. Safe to share between threads for inference: a reader sees one whole
 * snapshot (source, version, packed matrix), and only one thread packs. A repack happens
 * only after the weight was edited; editing it while another thread runs a forward is, as in
 * PyTorch, a race the caller must avoid.
 */
public final class PackedWeight {
  /** The weight tensor and version a packed matrix was made from. */
  private record Snapshot(Tensor source, long version, PackedMatrix packed) {}

  private volatile Snapshot current;

  /** An empty cache: the first forward packs. */
  public PackedWeight() {}

  /** The packed form of {@code weight} ({@code [out, in]}, i.e. op(B) = weight.T). */
  PackedMatrix of(Tensor weight) {
    Snapshot s = current;
    if (s != null && s.source == weight && s.version == weight.version()) {
      return s.packed;
    }
    return repack(weight);
  }

  private synchronized PackedMatrix repack(Tensor weight) {
    Snapshot s = current;
    long version = weight.version();
    if (s == null || s.source != weight || s.version != version) {
      Tensor w = weight.contiguous(); // (out, in)
      int out = w.size(0);
      int in = w.size(1);
      PackedMatrix packed = s == null ? null : s.packed;
      if (packed != null && packed.rows() == in && packed.columns() == out) {
        packed.repack(w.array(), w.arrayOffset(), in, true); // no allocation
      } else {
        packed = PackedMatrix.pack(in, out, w.array(), w.arrayOffset(), in, true);
      }
      s = new Snapshot(weight, version, packed);
      current = s;
    }
    return s.packed;
  }
}
