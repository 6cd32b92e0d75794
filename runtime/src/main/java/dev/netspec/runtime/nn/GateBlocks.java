package dev.netspec.runtime.nn;

import dev.netspec.runtime.kernels.Kernels;
import dev.netspec.runtime.kernels.PackedMatrix;
import dev.netspec.runtime.tensor.Tensor;

/**
 * One LSTM layer direction's weights in the gate layout of {@link Kernels#lstmStep} (the four
 * gates of each block of hidden units side by side), packed once and kept between forwards:
 * {@code W_ih} and {@code W_hh} packed with their rows permuted, the biases permuted. Like
 * {@link PackedWeight}, it is redone (in place) when a source tensor or its {@link
 * Tensor#version() version} changes, so {@code loadStateDict} and in-place edits are seen.
 *
 * <p>Shared by a module's replicas: a reader sees one whole snapshot and only one thread packs.
 */
final class GateBlocks {
  /** The permuted, packed forms and the sources and versions they were made from. */
  record Snapshot(Tensor wIh, long vIh, Tensor wHh, long vHh, Tensor bIh, long vBIh, Tensor bHh,
      long vBHh, PackedMatrix ih, PackedMatrix hh, float[] biasIh, float[] biasHh) {
    boolean matches(Tensor wih, Tensor whh, Tensor bih, Tensor bhh) {
      return wIh == wih && vIh == wih.version() && wHh == whh && vHh == whh.version()
          && bIh == bih && (bih == null || vBIh == bih.version()) && bHh == bhh
          && (bhh == null || vBHh == bhh.version());
    }
  }

  private volatile Snapshot current;

  /** The forms of these weights ({@code (4n, in)}, {@code (4n, n)}; biases {@code (4n)} or null). */
  Snapshot of(Tensor wih, Tensor whh, Tensor bih, Tensor bhh) {
    Snapshot s = current;
    if (s != null && s.matches(wih, whh, bih, bhh)) {
      return s;
    }
    return repack(wih, whh, bih, bhh);
  }

  private synchronized Snapshot repack(Tensor wih, Tensor whh, Tensor bih, Tensor bhh) {
    Snapshot s = current;
    if (s != null && s.matches(wih, whh, bih, bhh)) {
      return s;
    }
    long vIh = wih.version();
    long vHh = whh.version();
    long vBIh = bih == null ? 0 : bih.version();
    long vBHh = bhh == null ? 0 : bhh.version();
    int n = whh.size(1);
    int in = wih.size(1);
    int block = Kernels.lstmBlock();
    PackedMatrix ih = pack(wih.contiguous(), n, in, block, s == null ? null : s.ih);
    PackedMatrix hh = pack(whh.contiguous(), n, n, block, s == null ? null : s.hh);
    float[] biasIh = bih == null ? null : permuted(bih.contiguous(), n, 1, block);
    float[] biasHh = bhh == null ? null : permuted(bhh.contiguous(), n, 1, block);
    s = new Snapshot(wih, vIh, whh, vHh, bih, vBIh, bhh, vBHh, ih, hh, biasIh, biasHh);
    current = s;
    return s;
  }

  /** {@code w} ({@code (4n, cols)}) with its rows permuted, packed as op(B) = w.T; reuses {@code old} if it fits. */
  private static PackedMatrix pack(Tensor w, int n, int cols, int block, PackedMatrix old) {
    float[] rows = permuted(w, n, cols, block);
    if (old != null && old.rows() == cols && old.columns() == 4 * n) {
      old.repack(rows, 0, cols, true);
      return old;
    }
    return PackedMatrix.pack(cols, 4 * n, rows, 0, cols, true);
  }

  /**
   * A copy of contiguous {@code t} ({@code 4n} rows of {@code cols}) whose row {@code 4 B u + q
   * B + j} is row {@code q n + u B + j} of {@code t} ({@link Kernels#lstmStep}'s layout).
   */
  static float[] permuted(Tensor t, int n, int cols, int block) {
    float[] src = t.array();
    int off = t.arrayOffset();
    float[] out = new float[4 * n * cols];
    for (int r = 0; r < 4 * n; r++) {
      int u = r / (4 * block);
      int q = r / block % 4;
      int j = r % block;
      System.arraycopy(src, off + (q * n + u * block + j) * cols, out, r * cols, cols);
    }
    return out;
  }
}
