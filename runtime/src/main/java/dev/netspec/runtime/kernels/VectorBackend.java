package dev.netspec.runtime.kernels;

import static dev.netspec.runtime.kernels.Vectors.EXACT;
import static dev.netspec.runtime.kernels.Vectors.EXACT_INTS;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Kernels written with the Vector API: a {@code loopBound} loop over whole vectors, one
 * reduction after the loop, a scalar tail. Loaded only by {@link Backends} after it has seen
 * the {@code jdk.incubator.vector} module, so nothing else may refer to this class.
 */
final class VectorBackend implements Backend {
  /** The species every kernel uses: the preferred one, or {@code -Dnetspec.vector.bits=N}. */
  static final VectorSpecies<Float> SPECIES = species(System.getProperty("netspec.vector.bits"));
  /**
   * Whether {@link #convStripsBlock} moves sixteen positions by sixteen channels at a time
   * ({@link StripBlocks}): with 16 lanes.
   */
  private static final boolean BLOCK_TILES = SPECIES.length() == 16;
  /** Made once: callers on hot paths (a training step's tile check) ask for it every call. */
  private static final String NAME = "vector (" + SPECIES.vectorBitSize() + "-bit FloatVector)";

  private static final ScalarBackend SCALAR = new ScalarBackend();

  /**
   * The rotations {@link #sumLanes} adds: by half the lanes, a quarter, ..., one. Summing
   * with them fixes the order of the additions, where {@code reduceLanes(ADD)} adds in one
   * order when interpreted and another once C2 has compiled it (a 1-ulp difference between
   * early and later calls with the same input).
   */
  private static final VectorShuffle<Float>[] HALVES = halves();

  @SuppressWarnings({"unchecked", "rawtypes"}) // a generic array: new VectorShuffle<Float>[n] is not Java
  private static VectorShuffle<Float>[] halves() {
    int steps = Integer.numberOfTrailingZeros(SPECIES.length());
    VectorShuffle<Float>[] h = new VectorShuffle[steps];
    for (int t = 0; t < steps; t++) {
      h[t] = VectorShuffle.iota(SPECIES, SPECIES.length() >> (t + 1), 1, true);
    }
    return h;
  }

  /**
   * The sum of the lanes of {@code v} as a fixed tree: lane i plus lane i + L/2, then i plus
   * i + L/4 of that, and so on; the same float whether interpreted or compiled.
   */
  static float sumLanes(FloatVector v) {
    FloatVector w = v;
    for (VectorShuffle<Float> h : HALVES) {
      w = EXACT.cast(w);
      w = w.add(w.rearrange(h));
    }
    return w.lane(0);
  }

  /**
   * PyTorch's ReLU, lane-wise: {@code x < 0 ? 0 : x} (NaN and {@code -0.0} pass through). One
   * compare and one blend; {@code max(x, 0)} would cost six instructions for Java's NaN and
   * signed-zero rules, and turn {@code -0.0} into {@code 0.0}.
   */
  static FloatVector relu(FloatVector x) {
    FloatVector v = EXACT.cast(x);
    FloatVector zero = EXACT.cast(FloatVector.zero(SPECIES));
    return v.blend(zero, v.lt(zero));
  }

  static VectorSpecies<Float> species(String bits) {
    if (bits == null || bits.isEmpty()) {
      return FloatVector.SPECIES_PREFERRED;
    }
    switch (bits.trim()) {
      case "64":
        return FloatVector.SPECIES_64;
      case "128":
        return FloatVector.SPECIES_128;
      case "256":
        return FloatVector.SPECIES_256;
      case "512":
        return FloatVector.SPECIES_512;
      default:
        throw new IllegalArgumentException(
            "netspec.vector.bits must be 64, 128, 256 or 512, got '" + bits + "'");
    }
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void gemm(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff,
      int ldb, boolean transB, float[] c, int cOff, int ldc, float[] bias, int biasOff,
      Activation act) {
    VectorGemm.gemm(m, n, k, a, aOff, lda, b, bOff, ldb, transB, c, cOff, ldc, bias, biasOff,
        act);
  }

  @Override
  public boolean attentionSlice(int l, int s, int e, int ev, float scale, int causal,
      float[] q, int q0, int ldq, float[] k, int k0, int ldk, float[] v, int v0, int ldv,
      float[] mask, int m0, int ldm, float[] out, int o0, int ldo) {
    // a causal slice of fewer rows than a group (a decode step) would pay the keys' transpose
    // for a single row of products: the general path's
    if (!VectorAttention.fits(s, e, ev) || causal >= 0 && l < VectorAttention.GROUP) {
      return false;
    }
    VectorAttention.slice(this, l, s, e, ev, scale, causal, q, q0, ldq, k, k0, ldk, v, v0, ldv,
        mask, m0, ldm, out, o0, ldo);
    return true;
  }

  @Override
  public int panelWidth() {
    return VectorGemm.NR;
  }

  @Override
  public void gemm(int m, float[] a, int aOff, int lda, PackedMatrix b, float[] c, int cOff,
      int ldc, float[] bias, int biasOff, Activation act) {
    VectorGemm.gemm(m, a, aOff, lda, null, b, c, cOff, ldc, bias, biasOff, act);
  }

  @Override
  public void gemm(int m, float[] a, float[] tiles, PackedMatrix b, float[] c, int cOff,
      int ldc, float[] bias, int biasOff, Activation act) {
    VectorGemm.gemm(m, a, 0, b.rows(), tiles, b, c, cOff, ldc, bias, biasOff, act);
  }

  @Override
  public float[] packRows(int m, int k, float[] a, float[] into) {
    return VectorGemm.packRows(m, k, a, 0, k, into);
  }

  /** Two vectors a row when the panel is two vectors wide (1.8x the copies' speed for 16). */
  @Override
  public void copyPanel(float[] b, int from, int ld, int k, int width, float[] panel, int at) {
    int lanes = SPECIES.length();
    if (width != 2 * lanes) {
      Backend.super.copyPanel(b, from, ld, k, width, panel, at);
      return;
    }
    for (int p = 0; p < k; p++) {
      int src = from + p * ld;
      int dst = at + p * width;
      EXACT.cast(FloatVector.fromArray(SPECIES, b, src)).intoArray(panel, dst);
      EXACT.cast(FloatVector.fromArray(SPECIES, b, src + lanes)).intoArray(panel, dst + lanes);
    }
  }

  @Override
  public void maxPool2d(ConvGeometry g, float[] x, int xOff, float[] y, int yOff) {
    VectorPooling.maxPool2d(g, x, xOff, y, yOff);
  }

  @Override
  public void maxPool2dWithIndices(ConvGeometry g, float[] x, int xOff, float[] y, int yOff,
      int[] indices) {
    VectorPoolPairs.maxPool2d(g, x, xOff, y, yOff, indices);
  }

  @Override
  public void convStrip(int width, int steps, float[] x, int p0, int p1, int p2, int p3,
      int p4, int p5, float[] w, int w0, float[] acc) {
    if (width != ConvStrips.WIDTH) {
      SCALAR.convStrip(width, steps, x, p0, p1, p2, p3, p4, p5, w, w0, acc);
      return;
    }
    ConvStrips.strip(steps, x, p0, p1, p2, p3, p4, p5, w, w0, acc);
  }

  @Override
  public void convStripPair(int width, int steps, float[] x, int p0, int p1, int p2, int p3,
      int p4, int p5, float[] w, int w0, int w1, float[] acc0, float[] acc1) {
    if (width != ConvStrips.WIDTH || !WideStrips.ENABLED) {
      convStrip(width, steps, x, p0, p1, p2, p3, p4, p5, w, w0, acc0);
      convStrip(width, steps, x, p0, p1, p2, p3, p4, p5, w, w1, acc1);
      return;
    }
    WideStrips.pair(steps, x, p0, p1, p2, p3, p4, p5, w, w0, w1, acc0, acc1);
  }

  @Override
  public void convPositionPair(int width, int steps, float[] x, int p, float[] w, int w0,
      int w1, float[] acc0, float[] acc1) {
    if (width != ConvStrips.WIDTH) {
      SCALAR.convPositionPair(width, steps, x, p, w, w0, w1, acc0, acc1);
      return;
    }
    WideStrips.position(steps, x, p, w, w0, w1, acc0, acc1);
  }

  @Override
  public void convStripsBlock(int width, float[][] accs, int from, int n, float[] block,
      int stride) {
    int u = 0;
    if (width == ConvStrips.WIDTH && BLOCK_TILES) {
      for (; u + 16 <= n; u += 16) {
        StripBlocks.tile(accs, from, u, 0, block, stride);
        StripBlocks.tile(accs, from, u, 16, block, stride);
      }
    }
    ScalarBackend.stripsBlock(width, accs, from, u, n, block, stride); // the rest
  }

  @Override
  public void depthwiseConv2d(ConvGeometry g, float[] x, int xOff, float[] w, int wOff,
      float[] bias, int biasOff, Activation act, float[] y, int yOff) {
    Depthwise.conv2d(g, x, xOff, w, wOff, bias, biasOff, act == Activation.RELU, y, yOff);
  }

  @Override
  public void binary(BinaryOp op, float[] x, int xOff, float[] y, int yOff, float[] out,
      int outOff, int n) {
    VectorBinary.binary(op, x, xOff, y, yOff, out, outOff, n);
  }

  @Override
  public void binaryScalar(BinaryOp op, float[] x, int xOff, float y, float[] out, int outOff,
      int n) {
    VectorBinary.binaryScalar(op, x, xOff, y, out, outOff, n);
  }

  @Override
  public void unary(UnaryOp op, float[] x, int xOff, float[] out, int outOff, int n) {
    if (op == UnaryOp.GELU) {
      VectorGelu.gelu(x, xOff, out, outOff, n);
      return;
    }
    if (op != UnaryOp.NEG && op != UnaryOp.ABS && op != UnaryOp.RELU && op != UnaryOp.SQRT) {
      SCALAR.unary(op, x, xOff, out, outOff, n);
      return;
    }
    int bound = SPECIES.loopBound(n);
    int i = 0;
    for (; i < bound; i += SPECIES.length()) {
      FloatVector u = EXACT.cast(FloatVector.fromArray(SPECIES, x, xOff + i));
      FloatVector r;
      switch (op) {
        case NEG:
          r = u.neg();
          break;
        case ABS:
          r = u.abs();
          break;
        case RELU:
          r = relu(u);
          break;
        default:
          r = u.sqrt();
          break;
      }
      EXACT.cast(r).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = op.apply(x[xOff + i]);
    }
  }

  @Override
  public void where(float[] mask, int maskOff, float[] a, int aOff, float[] b, int bOff,
      float[] out, int outOff, int n) {
    int bound = SPECIES.loopBound(n);
    int i = 0;
    for (; i < bound; i += SPECIES.length()) {
      VectorMask<Float> m = EXACT.cast(FloatVector.fromArray(SPECIES, mask, maskOff + i))
          .compare(VectorOperators.NE, 0f); // NaN counts as true, as bool(nan) does
      FloatVector whenFalse = EXACT.cast(FloatVector.fromArray(SPECIES, b, bOff + i));
      FloatVector whenTrue = EXACT.cast(FloatVector.fromArray(SPECIES, a, aOff + i));
      EXACT.cast(whenFalse.blend(whenTrue, m)).intoArray(out, outOff + i);
    }
    SCALAR.where(mask, maskOff + i, a, aOff + i, b, bOff + i, out, outOff + i, n - i);
  }

  @Override
  public void maskedFill(float[] mask, int maskOff, float value, float[] x, int xOff,
      float[] out, int outOff, int n) {
    FloatVector fill = EXACT.cast(FloatVector.broadcast(SPECIES, value));
    int bound = SPECIES.loopBound(n);
    int i = 0;
    for (; i < bound; i += SPECIES.length()) {
      VectorMask<Float> m = EXACT.cast(FloatVector.fromArray(SPECIES, mask, maskOff + i))
          .compare(VectorOperators.NE, 0f);
      FloatVector v = EXACT.cast(FloatVector.fromArray(SPECIES, x, xOff + i));
      EXACT.cast(v.blend(fill, m)).intoArray(out, outOff + i);
    }
    SCALAR.maskedFill(mask, maskOff + i, value, x, xOff + i, out, outOff + i, n - i);
  }

  @Override
  public void reluBackward(float[] g, int gOff, float[] y, int yOff, float[] out, int outOff,
      int n) {
    FloatVector zero = EXACT.cast(FloatVector.zero(SPECIES));
    int bound = SPECIES.loopBound(n);
    int i = 0;
    for (; i < bound; i += SPECIES.length()) {
      VectorMask<Float> dead =
          EXACT.cast(FloatVector.fromArray(SPECIES, y, yOff + i)).compare(VectorOperators.LE, zero);
      FloatVector v = EXACT.cast(FloatVector.fromArray(SPECIES, g, gOff + i));
      EXACT.cast(v.blend(zero, dead)).intoArray(out, outOff + i);
    }
    SCALAR.reluBackward(g, gOff + i, y, yOff + i, out, outOff + i, n - i);
  }

  @Override
  public void compareScalar(CompareOp op, float[] x, int xOff, float y, float[] out,
      int outOff, int n) {
    FloatVector zeros = EXACT.cast(FloatVector.zero(SPECIES));
    FloatVector ones = EXACT.cast(FloatVector.broadcast(SPECIES, 1f));
    int bound = SPECIES.loopBound(n);
    int i = 0;
    for (; i < bound; i += SPECIES.length()) {
      FloatVector u = EXACT.cast(FloatVector.fromArray(SPECIES, x, xOff + i));
      VectorMask<Float> mask;
      switch (op) {
        case EQ:
          mask = u.compare(VectorOperators.EQ, y);
          break;
        case NE:
          mask = u.compare(VectorOperators.NE, y);
          break;
        case LT:
          mask = u.compare(VectorOperators.LT, y);
          break;
        case LE:
          mask = u.compare(VectorOperators.LE, y);
          break;
        case GT:
          mask = u.compare(VectorOperators.GT, y);
          break;
        default:
          mask = u.compare(VectorOperators.GE, y);
          break;
      }
      EXACT.cast(zeros.blend(ones, mask)).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = op.test(x[xOff + i], y) ? 1f : 0f;
    }
  }

  @Override
  public float sum(float[] x, int off, int n) {
    FloatVector acc = EXACT.cast(FloatVector.zero(SPECIES));
    int bound = SPECIES.loopBound(n);
    int i = 0;
    for (; i < bound; i += SPECIES.length()) {
      acc = EXACT.cast(acc).add(EXACT.cast(FloatVector.fromArray(SPECIES, x, off + i)));
    }
    float s = sumLanes(acc);
    for (; i < n; i++) {
      s += x[off + i];
    }
    return s;
  }

  /** {@link Gates#exp} written out lane-wise (see {@link VectorGates} on why not a method). */
  @Override
  public float expSum(float[] x, int off, int n, float shift) {
    FloatVector sh = EXACT.cast(FloatVector.broadcast(SPECIES, shift));
    FloatVector zero = EXACT.cast(FloatVector.zero(SPECIES));
    FloatVector one = EXACT.cast(FloatVector.broadcast(SPECIES, 1f));
    FloatVector lo = EXACT.cast(FloatVector.broadcast(SPECIES, Gates.EXP_LO));
    FloatVector hi = EXACT.cast(FloatVector.broadcast(SPECIES, Gates.EXP_HI));
    FloatVector log2e = EXACT.cast(FloatVector.broadcast(SPECIES, Gates.LOG2E));
    FloatVector magic = EXACT.cast(FloatVector.broadcast(SPECIES, Gates.MAGIC));
    FloatVector ln2Hi = EXACT.cast(FloatVector.broadcast(SPECIES, -Gates.LN2_HI));
    FloatVector ln2Lo = EXACT.cast(FloatVector.broadcast(SPECIES, -Gates.LN2_LO));
    FloatVector p0 = EXACT.cast(FloatVector.broadcast(SPECIES, Gates.P0));
    FloatVector p1 = EXACT.cast(FloatVector.broadcast(SPECIES, Gates.P1));
    FloatVector p2 = EXACT.cast(FloatVector.broadcast(SPECIES, Gates.P2));
    FloatVector p3 = EXACT.cast(FloatVector.broadcast(SPECIES, Gates.P3));
    FloatVector p4 = EXACT.cast(FloatVector.broadcast(SPECIES, Gates.P4));
    FloatVector p5 = EXACT.cast(FloatVector.broadcast(SPECIES, Gates.P5));
    FloatVector acc = zero;
    int bound = SPECIES.loopBound(n);
    int i = 0;
    for (; i < bound; i += SPECIES.length()) {
      FloatVector d = EXACT.cast(FloatVector.fromArray(SPECIES, x, off + i)).sub(sh);
      FloatVector a = d.max(lo).min(hi);
      FloatVector big = a.fma(log2e, magic);
      FloatVector k = big.sub(magic); // round(a log2e)
      FloatVector r = k.fma(ln2Lo, k.fma(ln2Hi, a)); // a - k ln2, in two parts
      FloatVector p = p0.fma(r, p1).fma(r, p2).fma(r, p3).fma(r, p4).fma(r, p5);
      FloatVector scale = EXACT.cast(EXACT_INTS.cast(big.reinterpretAsInts()).add(Gates.BIAS)
          .lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats()); // 2^k
      FloatVector e = p.fma(r.mul(r), r).add(one).mul(scale).blend(zero, d.lt(lo));
      EXACT.cast(e).intoArray(x, off + i);
      acc = EXACT.cast(acc).add(e);
    }
    float sum = sumLanes(acc);
    for (; i < n; i++) {
      float d = x[off + i] - shift;
      float e = d < Gates.EXP_LO ? 0f : Gates.exp(d);
      x[off + i] = e;
      sum += e;
    }
    return sum;
  }

  @Override
  public float max(float[] x, int off, int n) {
    return extreme(x, off, n, true);
  }

  @Override
  public float min(float[] x, int off, int n) {
    return extreme(x, off, n, false);
  }

  private static float extreme(float[] x, int off, int n, boolean max) {
    int bound = SPECIES.loopBound(n);
    int i = 0;
    float r = x[off];
    if (bound > 0) {
      FloatVector acc = EXACT.cast(FloatVector.fromArray(SPECIES, x, off));
      for (i = SPECIES.length(); i < bound; i += SPECIES.length()) {
        FloatVector u = EXACT.cast(FloatVector.fromArray(SPECIES, x, off + i));
        acc = max ? EXACT.cast(acc).max(u) : EXACT.cast(acc).min(u);
      }
      r = acc.reduceLanes(max ? VectorOperators.MAX : VectorOperators.MIN);
    }
    for (; i < n; i++) {
      r = max ? Math.max(r, x[off + i]) : Math.min(r, x[off + i]);
    }
    return r;
  }

  @Override
  public void scaleShift(float[] x, int xOff, float scale, float shift, float[] out,
      int outOff, int n) {
    FloatVector a = EXACT.cast(FloatVector.broadcast(SPECIES, scale));
    FloatVector b = EXACT.cast(FloatVector.broadcast(SPECIES, shift));
    int bound = SPECIES.loopBound(n);
    int i = 0;
    for (; i < bound; i += SPECIES.length()) {
      FloatVector v = EXACT.cast(FloatVector.fromArray(SPECIES, x, xOff + i));
      EXACT.cast(v.fma(a, b)).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = Math.fma(x[xOff + i], scale, shift);
    }
  }

  @Override
  public float sumSquaredDeviations(float[] x, int off, float mean, int n) {
    FloatVector m = EXACT.cast(FloatVector.broadcast(SPECIES, mean));
    FloatVector acc = EXACT.cast(FloatVector.zero(SPECIES));
    int bound = SPECIES.loopBound(n);
    int i = 0;
    for (; i < bound; i += SPECIES.length()) {
      FloatVector d = EXACT.cast(FloatVector.fromArray(SPECIES, x, off + i)).sub(m);
      acc = d.fma(d, acc);
    }
    float s = sumLanes(acc);
    for (; i < n; i++) {
      float d = x[off + i] - mean;
      s += d * d;
    }
    return s;
  }

  @Override
  public float dot(float[] x, int xOff, float[] y, int yOff, int n) {
    FloatVector acc = EXACT.cast(FloatVector.zero(SPECIES));
    int bound = SPECIES.loopBound(n);
    int i = 0;
    for (; i < bound; i += SPECIES.length()) {
      FloatVector u = EXACT.cast(FloatVector.fromArray(SPECIES, x, xOff + i));
      acc = u.fma(EXACT.cast(FloatVector.fromArray(SPECIES, y, yOff + i)), acc);
    }
    float s = sumLanes(acc);
    for (; i < n; i++) {
      s += x[xOff + i] * y[yOff + i];
    }
    return s;
  }

  @Override
  public void axpy(float a, float[] x, int xOff, float[] y, int yOff, int n) {
    FloatVector va = EXACT.cast(FloatVector.broadcast(SPECIES, a));
    int bound = SPECIES.loopBound(n);
    int i = 0;
    for (; i < bound; i += SPECIES.length()) {
      FloatVector u = EXACT.cast(FloatVector.fromArray(SPECIES, x, xOff + i));
      FloatVector v = EXACT.cast(FloatVector.fromArray(SPECIES, y, yOff + i));
      EXACT.cast(u.fma(va, v)).intoArray(y, yOff + i);
    }
    for (; i < n; i++) {
      y[yOff + i] = Math.fma(a, x[xOff + i], y[yOff + i]); // one rounding, as the vector body
    }
  }

  @Override
  public void lstmCell(int n, float[] gates, int gOff, float[] hg, int hgOff, float[] c,
      int cOff, float[] h, int hOff) {
    VectorGates.lstmCell(n, gates, gOff, hg, hgOff, c, cOff, h, hOff);
  }

  @Override
  public void gruCell(int n, float[] gates, int gOff, float[] hg, int hgOff, float[] hPrev,
      int hpOff, float[] h, int hOff) {
    VectorGates.gruCell(n, gates, gOff, hg, hgOff, hPrev, hpOff, h, hOff);
  }
}
