package dev.netspec.runtime.kernels;

/**
 * One implementation of every kernel. Arrays come with offsets, BLAS-style; counts and
 * offsets are trusted (the public {@link Kernels} facade checks them).
 */
interface Backend {
  /** A short description for logs and benchmark reports. */
  String name();

  /**
   * {@code C = act(A @ op(B) + bias)}: A is {@code m x k} with row stride {@code lda}; op(B)
   * is {@code k x n}, stored row-major with row stride {@code ldb}, or (if {@code transB})
   * stored as its {@code n x k} transpose with row stride {@code ldb}; C is {@code m x n} with
   * row stride {@code ldc} and is overwritten; {@code bias} (length n) may be null.
   */
  void gemm(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      boolean transB, float[] c, int cOff, int ldc, float[] bias, int biasOff, Activation act);

  /** Columns per panel of a {@link PackedMatrix} this backend reads. */
  int panelWidth();

  /** {@code C = act(A @ B + bias)} with B packed by {@link PackedMatrix#pack}. */
  void gemm(int m, float[] a, int aOff, int lda, PackedMatrix b, float[] c, int cOff, int ldc,
      float[] bias, int biasOff, Activation act);

  /**
   * {@code C = act(A @ B + bias)} with A packed once too ({@link PackedRows}): {@code tiles}
   * is what {@link #packRows} made of A (null when this backend packs nothing), {@code a} A
   * itself, row-major with row stride {@code k}.
   */
  void gemm(int m, float[] a, float[] tiles, PackedMatrix b, float[] c, int cOff, int ldc,
      float[] bias, int biasOff, Activation act);

  /** A's rows packed for {@link #gemm(int, float[], float[], PackedMatrix, float[], int, int,
   * float[], int, Activation)}, reusing {@code into} if large enough, or null. */
  float[] packRows(int m, int k, float[] a, float[] into);

  /**
   * Copies {@code k} rows of {@code width} floats, row {@code p} from {@code b[from + p * ld
   * ..]} to {@code panel[at + p * width ..]}: a whole panel of a row-major B ({@link
   * PackedMatrix}). Plain copies by default.
   */
  default void copyPanel(float[] b, int from, int ld, int k, int width, float[] panel, int at) {
    for (int p = 0; p < k; p++) {
      System.arraycopy(b, from + p * ld, panel, at + p * width, width);
    }
  }

  /**
   * A depthwise convolution of one image: for each of {@code channels} output channels
   * {@code o} (input channel {@code o / multiplier}), {@code y[o] = act(bias[o] + sum_{i,j}
   * w[o, i, j] * x[c, oh * sh - padTop + i * dh, ow * sw - padLeft + j * dw])}, zero outside
   * the input; {@code x} is {@code (channels / multiplier, h, w)}, {@code w} {@code (channels,
   * kh, kw)}, {@code y} {@code (channels, oh, ow)}, all contiguous; {@code bias} may be null.
   */
  void depthwiseConv2d(ConvGeometry g, float[] x, int xOff, float[] w, int wOff, float[] bias,
      int biasOff, Activation act, float[] y, int yOff);

  /**
   * {@code max_pool2d} of every plane of {@code g} ({@code batch * inChannels} planes), both
   * arrays contiguous: {@link Pooling#maxPool2d} without the indices.
   */
  void maxPool2d(ConvGeometry g, float[] x, int xOff, float[] y, int yOff);

  /**
   * {@link Pooling#maxPool2d} with {@code indices} (not null), both arrays contiguous: the
   * same outputs and indices as the scalar loop.
   */
  void maxPool2dWithIndices(ConvGeometry g, float[] x, int xOff, float[] y, int yOff,
      int[] indices);

  /**
   * One strip of the direct convolution ({@link DirectConv}): {@code acc[j * width + c] +=
   * sum over r < steps of x[p_j + r] * w[w0 + r * width + c]} for the 6 positions {@code j}
   * and {@code width} output channels {@code c}, each sum one float FMA chain in order of r.
   */
  void convStrip(int width, int steps, float[] x, int p0, int p1, int p2, int p3, int p4,
      int p5, float[] w, int w0, float[] acc);

  /**
   * Two strips of the direct convolution over the same positions, side by side: {@link
   * #convStrip} from filters {@code w0} into {@code acc0} and from {@code w1} into {@code acc1},
   * the same sums in the same order.
   */
  void convStripPair(int width, int steps, float[] x, int p0, int p1, int p2, int p3, int p4,
      int p5, float[] w, int w0, int w1, float[] acc0, float[] acc1);

  /**
   * {@link #convStripPair} for its first position only ({@code acc0[c]} and {@code acc1[c]},
   * {@code c < width}; the rest untouched): a strip's ragged last position (the 7x7 stage at
   * batch 1, 49 positions), the same sums in the same order.
   */
  void convPositionPair(int width, int steps, float[] x, int p, float[] w, int w0, int w1,
      float[] acc0, float[] acc1);

  /**
   * The sums of a group of the direct convolution's strips ({@link DirectConv}), {@code
   * accs[from + s]} for strip {@code s}, {@code (6, width)} each, into {@code block} as {@code
   * (width, positions)}: {@code block[c * stride + u] = accs[from + u / 6][u % 6 * width + c]}
   * for positions {@code u < n} and channels {@code c < width}.
   */
  void convStripsBlock(int width, float[][] accs, int from, int n, float[] block, int stride);

  /** {@code out[i] = op(x[i], y[i])} for {@code i < n}. */
  void binary(BinaryOp op, float[] x, int xOff, float[] y, int yOff, float[] out, int outOff,
      int n);

  /** {@code out[i] = op(x[i], y)} for {@code i < n}. */
  void binaryScalar(BinaryOp op, float[] x, int xOff, float y, float[] out, int outOff, int n);

  /** {@code out[i] = op(x[i])} for {@code i < n}. */
  void unary(UnaryOp op, float[] x, int xOff, float[] out, int outOff, int n);

  /** {@code out[i] = op(x[i], y) ? 1 : 0} for {@code i < n}. */
  void compareScalar(CompareOp op, float[] x, int xOff, float y, float[] out, int outOff, int n);

  /** {@code out[i] = mask[i] != 0 ? a[i] : b[i]} for {@code i < n} ({@code torch.where}). */
  void where(float[] mask, int maskOff, float[] a, int aOff, float[] b, int bOff, float[] out,
      int outOff, int n);

  /** {@code out[i] = mask[i] != 0 ? value : x[i]} for {@code i < n} ({@code masked_fill}). */
  void maskedFill(float[] mask, int maskOff, float value, float[] x, int xOff, float[] out,
      int outOff, int n);

  /**
   * {@code out[i] = y[i] <= 0 ? 0 : g[i]} for {@code i < n}: ReLU's backward on its output
   * {@code y} (PyTorch's {@code threshold_backward}; a NaN output passes the gradient).
   */
  void reluBackward(float[] g, int gOff, float[] y, int yOff, float[] out, int outOff, int n);

  /** The sum of {@code x[off .. off + n)}; 0 when n is 0. */
  float sum(float[] x, int off, int n);

  /** The largest of {@code n >= 1} values, NaN if any is NaN. */
  float max(float[] x, int off, int n);

  /** The smallest of {@code n >= 1} values, NaN if any is NaN. */
  float min(float[] x, int off, int n);

  /** The dot product of {@code x[xOff ..]} and {@code y[yOff ..]} over n values. */
  float dot(float[] x, int xOff, float[] y, int yOff, int n);

  /** {@code y[i] += a * x[i]} for {@code i < n} (BLAS {@code saxpy}). */
  void axpy(float a, float[] x, int xOff, float[] y, int yOff, int n);

  /** {@code out[i] = fma(x[i], scale, shift)} for {@code i < n}: one channel of an affine. */
  void scaleShift(float[] x, int xOff, float scale, float shift, float[] out, int outOff, int n);

  /** The sum of {@code (x[i] - mean)^2} over n values (a variance's numerator); 0 if n is 0. */
  float sumSquaredDeviations(float[] x, int off, float mean, int n);

  /**
   * {@code x[i] = exp(x[i] - shift)} for {@code i < n} ({@link Gates#exp}, 0 below its range:
   * a masked score weighs nothing); returns their sum. A softmax's numerators.
   */
  float expSum(float[] x, int off, int n, float shift);

  /**
   * One slice of {@link Attention} in a kernel of this backend's own, if it has one for these
   * sizes: {@code out = softmax(q k^T * scale + mask) v} for {@code l} query rows and {@code
   * s} keys, {@code mask == null} or added (rows {@code ldm} apart, 0 to broadcast), and with
   * {@code causal >= 0} query {@code i} seeing only keys {@code j <= i + causal} ({@code -1}:
   * every key). Returns false, having written nothing, where it has none; the caller then runs
   * the general algorithm, which this one's results match up to the order of additions.
   */
  default boolean attentionSlice(int l, int s, int e, int ev, float scale, int causal,
      float[] q, int q0, int ldq, float[] k, int k0, int ldk, float[] v, int v0, int ldv,
      float[] mask, int m0, int ldm, float[] out, int o0, int ldo) {
    return false;
  }

  /** One LSTM step for one row: see {@link Kernels#lstmCell}. */
  void lstmCell(int n, float[] gates, int gOff, float[] hg, int hgOff, float[] c, int cOff,
      float[] h, int hOff);

  /** One GRU step for one row: see {@link Kernels#gruCell}. */
  void gruCell(int n, float[] gates, int gOff, float[] hg, int hgOff, float[] hPrev, int hpOff,
      float[] h, int hOff);
}
