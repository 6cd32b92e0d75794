package dev.netspec.runtime.kernels;

import static dev.netspec.runtime.kernels.VectorBackend.SPECIES;
import static dev.netspec.runtime.kernels.Vectors.EXACT;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * {@link Attention}'s slices in registers, for the shapes of BERT's and GPT-2's heads: an
 * added mask or none, a causal mask or none (with at least {@value #GROUP} query rows: GPT-2's
 * prefill, not a decode step's one row), no probabilities or log-sum-exp written, keys a
 * multiple of four vectors ({@value #KEY_VECTORS} L) and value widths a multiple of two.
 * Per slice the keys are transposed once to {@code (e, s)}, so a row of scores is
 * vectors of keys: {@link #scores4} computes four query rows' scores against four vectors of
 * keys in 16 accumulators (each query value broadcast once per four key vectors, where the
 * general path's GEMM packs its operands on every call), scales and masks them as it stores
 * them, and keeps each row's max. The numerators are {@link #expSum}'s (the softmax's own
 * exp), and {@link #pv8} multiplies eight rows of them by the values in 16 accumulators and
 * divides by the sums as it writes the output. A row's scores live in one L1 block of {@code 8 x s}
 * floats between the two products. Under a causal mask a group of eight rows computes only
 * the vectors of keys its last row sees (a square slice's products nearly halve). The same
 * floats as the general algorithm (the scalar backend's twin, which the tests compare) up to
 * the order of additions and the numerators' exp (within 2e-7 relative of the gates' exp).
 * Methods take no vectors (see {@link Vectors}); loaded only through {@link VectorBackend}.
 */
final class VectorAttention {
  private VectorAttention() {}

  private static final int L = SPECIES.length();
  /** Key vectors per block of scores: 4 rows x 4 vectors, 16 accumulators. */
  static final int KEY_VECTORS = 4;
  /** Value vectors per block of the output: 8 rows x 2 vectors, 16 accumulators. */
  static final int VALUE_VECTORS = 2;
  /** Query rows per group: two blocks of scores, one block of the output. */
  static final int GROUP = 8;
  /** The most keys whose rows of scores are held at once: 8 rows, 128 KiB. */
  static final int MAX_KEYS = 4096;

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  /** One thread's buffers, grown for a larger slice, then reused. */
  private static final class Scratch {
    float[] keys = new float[0]; // (e, s): the slice's keys transposed
    float[] scores = new float[0]; // (GROUP, s): a group's scores, then numerators
    float[] zeros = new float[0]; // (s): the mask of a slice without one
    final float[] max = new float[GROUP];
    final float[] sum = new float[GROUP];
    final float[] lanes = new float[L]; // a row's sum of numerators, lane by lane

    void size(int s, int e) {
      if (keys.length < s * e) {
        keys = new float[s * e];
      }
      if (scores.length < GROUP * s) {
        scores = new float[GROUP * s];
        zeros = new float[s];
      }
    }
  }

  /** Whether {@link #slice} runs these sizes (else the general algorithm does). */
  static boolean fits(int s, int e, int ev) {
    return s > 0 && s <= MAX_KEYS && s % (KEY_VECTORS * L) == 0 && e > 0
        && ev > 0 && ev % (VALUE_VECTORS * L) == 0;
  }

  /**
   * One slice: {@code out = softmax(q k^T * scale + mask) v} for {@code l} query rows,
   * {@code s} keys ({@link #fits}), rows {@code ldq}, {@code ldk}, {@code ldv}, {@code ldm},
   * {@code ldo} apart; {@code mask == null} for none. With {@code causal >= 0} query {@code i}
   * sees only keys {@code j <= i + causal}: a group's products stop at the vector of keys
   * holding its last row's last key (about half of them for a square slice), and the keys a
   * row of the group may not see are {@code -inf} before its max. A row whose every score is
   * {@code -inf} gives NaN, as the general path.
   */
  static void slice(VectorBackend backend, int l, int s, int e, int ev, float scale, int causal,
      float[] q, int q0, int ldq, float[] k, int k0, int ldk, float[] v, int v0, int ldv,
      float[] mask, int m0, int ldm, float[] out, int o0, int ldo) {
    Scratch sc = SCRATCH.get();
    sc.size(s, e);
    float[] kt = sc.keys;
    transpose(k, k0, ldk, keys(s, causal, l), e, kt, s); // no row sees a key past these
    float[] m = mask == null ? sc.zeros : mask;
    int mOff = mask == null ? 0 : m0;
    int mStride = mask == null ? 0 : ldm;
    float[] scores = sc.scores;
    int i = 0;
    for (; i + GROUP <= l; i += GROUP) {
      int n = keys(s, causal, i + GROUP);
      for (int r = 0; r < GROUP; r += 4) {
        int qi = q0 + (i + r) * ldq;
        int mi = mOff + (i + r) * mStride;
        scores4(s, n, e, scale, q, qi, ldq, kt, m, mi, mStride, scores, r * s, sc.max, r);
      }
      if (causal >= 0) {
        future(backend, GROUP, s, n, i + causal + 1, scores, sc.max);
      }
      numerators(GROUP, s, n, scores, sc);
      pv8(s, n, ev, scores, v, v0, ldv, sc.sum, out, o0 + i * ldo, ldo);
      nanRows(GROUP, ev, sc.sum, out, o0 + i * ldo, ldo);
    }
    for (; i < l; i++) { // the last rows one at a time
      int n = keys(s, causal, i + 1);
      scores1(s, n, e, scale, q, q0 + i * ldq, kt, m, mOff + i * mStride, scores, sc.max);
      if (causal >= 0) {
        future(backend, 1, s, n, i + causal + 1, scores, sc.max);
      }
      numerators(1, s, n, scores, sc);
      pv1(s, n, ev, scores, v, v0, ldv, sc.sum[0], out, o0 + i * ldo);
      nanRows(1, ev, sc.sum, out, o0 + i * ldo, ldo);
    }
  }

  /**
   * Keys {@code [0, n)} of {@code e} values, rows {@code ldk} apart from {@code k0}, into
   * {@code kt} as {@code (e, s)}: eight keys at a time, so each store of a row of {@code kt}
   * is eight neighbours (1.4x the one-key-at-a-time loop in a probe: that loop stored every
   * value {@code 4 s} bytes from the last), then one at a time.
   */
  private static void transpose(float[] k, int k0, int ldk, int n, int e, float[] kt, int s) {
    int j = 0;
    for (; j + 8 <= n; j += 8) {
      int f0 = k0 + j * ldk;
      int f1 = f0 + ldk;
      int f2 = f1 + ldk;
      int f3 = f2 + ldk;
      int f4 = f3 + ldk;
      int f5 = f4 + ldk;
      int f6 = f5 + ldk;
      int f7 = f6 + ldk;
      for (int d = 0; d < e; d++) {
        int t = d * s + j;
        kt[t] = k[f0 + d];
        kt[t + 1] = k[f1 + d];
        kt[t + 2] = k[f2 + d];
        kt[t + 3] = k[f3 + d];
        kt[t + 4] = k[f4 + d];
        kt[t + 5] = k[f5 + d];
        kt[t + 6] = k[f6 + d];
        kt[t + 7] = k[f7 + d];
      }
    }
    for (; j < n; j++) {
      int from = k0 + j * ldk;
      for (int d = 0; d < e; d++) {
        kt[d * s + j] = k[from + d];
      }
    }
  }

  /**
   * The keys whose scores a group of query rows ending before row {@code end} needs: all
   * {@code s}, or under a causal mask those up to the last row's last key, rounded up to
   * whole vectors.
   */
  private static int keys(int s, int causal, int end) {
    if (causal < 0) {
      return s;
    }
    int last = Math.min(s, end + causal); // keys [0, last) are seen by some row
    return Math.min(s, (last + L - 1) / L * L);
  }

  /**
   * The causal mask on {@code rows} rows of {@code n} scores ({@code s} apart from 0): row
   * {@code r} sees keys {@code [0, first + r)}; the others become {@code -inf} (weight 0 in
   * {@link #expSum}) and the row's max is taken again over the keys it sees.
   */
  private static void future(VectorBackend backend, int rows, int s, int n, int first,
      float[] scores, float[] max) {
    for (int r = 0; r < rows; r++) {
      int end = Math.min(n, first + r);
      if (end < n) {
        Arrays.fill(scores, r * s + end, r * s + n, Float.NEGATIVE_INFINITY);
        max[r] = end == 0 ? Float.NEGATIVE_INFINITY : backend.max(scores, r * s, end);
      }
    }
  }

  /**
   * The first {@code n} scores of each of {@code rows} rows exponentiated against its max, in
   * place, and its sum kept; a row with nothing but {@code -inf} (every key masked) becomes
   * zeros with sum 0.
   */
  private static void numerators(int rows, int s, int n, float[] scores, Scratch sc) {
    for (int r = 0; r < rows; r++) {
      float max = sc.max[r];
      if (max == Float.NEGATIVE_INFINITY) {
        Arrays.fill(scores, r * s, r * s + n, 0f);
        sc.sum[r] = 0;
      } else {
        sc.sum[r] = expSum(scores, r * s, n, max, sc.lanes);
      }
    }
  }

  /** Below this a numerator is exactly 0: {@code round(x log2e) = -127}, whose 2^k bits are 0. */
  static final float EXP_FLOOR = -88f;
  /** {@code e^r = 1 + r (1 + r (E2 + r (E3 + r (E4 + r E5))))} for |r| <= ln2 / 2. */
  static final float E2 = 0.49999232f;
  static final float E3 = 0.16667114f;
  static final float E4 = 0.04189011f;
  static final float E5 = 0.00831253f;

  /**
   * {@code x[i] = exp(x[i] - max)} over {@code n} scores (a multiple of L), in place, and
   * their sum: the softmax's own exp, cheaper than {@link Gates#exp} since {@code x - max <=
   * 0}. No upper clamp; the lower one at {@link #EXP_FLOOR} gives exactly 0 (a masked
   * {@code -inf} weighs nothing) with no compare and blend; {@code r = x - k ln2} in one part
   * and a degree-5 polynomial fitted for relative error (within 2e-7 of {@code e^r} in
   * float; {@code ln2}'s rounding adds {@code |k| 3e-8}, under the error the score itself
   * carries, {@code |x - max|} times its rounding). 18 operations a vector, 23 before.
   */
  static float expSum(float[] x, int off, int n, float max, float[] lanes) {
    FloatVector sh = EXACT.cast(FloatVector.broadcast(SPECIES, max));
    FloatVector floor = EXACT.cast(FloatVector.broadcast(SPECIES, EXP_FLOOR));
    FloatVector log2e = EXACT.cast(FloatVector.broadcast(SPECIES, Gates.LOG2E));
    FloatVector magic = EXACT.cast(FloatVector.broadcast(SPECIES, Gates.MAGIC));
    FloatVector ln2 = EXACT.cast(FloatVector.broadcast(SPECIES, -0.6931471805599453f));
    FloatVector one = EXACT.cast(FloatVector.broadcast(SPECIES, 1f));
    FloatVector e2 = EXACT.cast(FloatVector.broadcast(SPECIES, E2));
    FloatVector e3 = EXACT.cast(FloatVector.broadcast(SPECIES, E3));
    FloatVector e4 = EXACT.cast(FloatVector.broadcast(SPECIES, E4));
    FloatVector e5 = EXACT.cast(FloatVector.broadcast(SPECIES, E5));
    FloatVector acc = EXACT.cast(FloatVector.zero(SPECIES));
    for (int i = 0; i < n; i += L) {
      FloatVector a = EXACT.cast(FloatVector.fromArray(SPECIES, x, off + i)).sub(sh).max(floor);
      FloatVector big = a.fma(log2e, magic);
      FloatVector k = big.sub(magic); // round(a log2e)
      FloatVector r = k.fma(ln2, a);
      FloatVector p = e5.fma(r, e4).fma(r, e3).fma(r, e2).fma(r, one).fma(r, one);
      FloatVector scale = EXACT.cast(Vectors.EXACT_INTS.cast(big.reinterpretAsInts())
          .add(Gates.BIAS).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats()); // 2^k
      FloatVector e = EXACT.cast(p.mul(scale));
      e.intoArray(x, off + i);
      acc = EXACT.cast(acc.add(e));
    }
    acc.intoArray(lanes, 0);
    float sum = 0;
    for (int j = 0; j < L; j++) {
      sum += lanes[j];
    }
    return sum;
  }

  /** NaN for each output row whose sum is 0 (its keys were all masked), as PyTorch. */
  private static void nanRows(int rows, int ev, float[] sum, float[] out, int o, int ldo) {
    for (int r = 0; r < rows; r++) {
      if (sum[r] == 0) {
        Arrays.fill(out, o + r * ldo, o + r * ldo + ev, Float.NaN);
      }
    }
  }

  /**
   * Four query rows (from {@code qi}, {@code ldq} apart) against the first {@code n} keys
   * (whole vectors; four at a time, then one at a time): {@code
   * scores[at + r * s + j] = (q_r . k_j) * scale + mask_r[j]}, mask row {@code r} at {@code
   * mi + r * ldm}; each row's max into {@code max[maxAt + r]}.
   */
  private static void scores4(int s, int n, int e, float scale, float[] q, int qi, int ldq,
      float[] kt, float[] mask, int mi, int ldm, float[] scores, int at, float[] max, int maxAt) {
    FloatVector sv = EXACT.cast(FloatVector.broadcast(SPECIES, scale));
    FloatVector max0 = EXACT.cast(FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY));
    FloatVector max1 = max0;
    FloatVector max2 = max0;
    FloatVector max3 = max0;
    int q1 = qi + ldq;
    int q2 = q1 + ldq;
    int q3 = q2 + ldq;
    int whole = n / (KEY_VECTORS * L) * (KEY_VECTORS * L);
    for (int j = 0; j < whole; j += KEY_VECTORS * L) {
      FloatVector c00 = EXACT.cast(FloatVector.zero(SPECIES));
      FloatVector c01 = c00;
      FloatVector c02 = c00;
      FloatVector c03 = c00;
      FloatVector c10 = c00;
      FloatVector c11 = c00;
      FloatVector c12 = c00;
      FloatVector c13 = c00;
      FloatVector c20 = c00;
      FloatVector c21 = c00;
      FloatVector c22 = c00;
      FloatVector c23 = c00;
      FloatVector c30 = c00;
      FloatVector c31 = c00;
      FloatVector c32 = c00;
      FloatVector c33 = c00;
      for (int d = 0; d < e; d++) {
        int b = d * s + j;
        FloatVector b0 = EXACT.cast(FloatVector.fromArray(SPECIES, kt, b));
        FloatVector b1 = EXACT.cast(FloatVector.fromArray(SPECIES, kt, b + L));
        FloatVector b2 = EXACT.cast(FloatVector.fromArray(SPECIES, kt, b + 2 * L));
        FloatVector b3 = EXACT.cast(FloatVector.fromArray(SPECIES, kt, b + 3 * L));
        FloatVector a = EXACT.cast(FloatVector.broadcast(SPECIES, q[qi + d]));
        c00 = b0.fma(a, c00);
        c01 = b1.fma(a, c01);
        c02 = b2.fma(a, c02);
        c03 = b3.fma(a, c03);
        a = EXACT.cast(FloatVector.broadcast(SPECIES, q[q1 + d]));
        c10 = b0.fma(a, c10);
        c11 = b1.fma(a, c11);
        c12 = b2.fma(a, c12);
        c13 = b3.fma(a, c13);
        a = EXACT.cast(FloatVector.broadcast(SPECIES, q[q2 + d]));
        c20 = b0.fma(a, c20);
        c21 = b1.fma(a, c21);
        c22 = b2.fma(a, c22);
        c23 = b3.fma(a, c23);
        a = EXACT.cast(FloatVector.broadcast(SPECIES, q[q3 + d]));
        c30 = b0.fma(a, c30);
        c31 = b1.fma(a, c31);
        c32 = b2.fma(a, c32);
        c33 = b3.fma(a, c33);
      }
      // scaled, then masked (the general path's two roundings), stored, and maxed
      int m = mi + j;
      int o = at + j;
      FloatVector k0 = EXACT.cast(FloatVector.fromArray(SPECIES, mask, m));
      FloatVector k1 = EXACT.cast(FloatVector.fromArray(SPECIES, mask, m + L));
      FloatVector k2 = EXACT.cast(FloatVector.fromArray(SPECIES, mask, m + 2 * L));
      FloatVector k3 = EXACT.cast(FloatVector.fromArray(SPECIES, mask, m + 3 * L));
      c00 = EXACT.cast(EXACT.cast(c00).mul(sv).add(k0));
      c01 = EXACT.cast(EXACT.cast(c01).mul(sv).add(k1));
      c02 = EXACT.cast(EXACT.cast(c02).mul(sv).add(k2));
      c03 = EXACT.cast(EXACT.cast(c03).mul(sv).add(k3));
      c00.intoArray(scores, o);
      c01.intoArray(scores, o + L);
      c02.intoArray(scores, o + 2 * L);
      c03.intoArray(scores, o + 3 * L);
      max0 = EXACT.cast(EXACT.cast(max0).max(c00).max(c01).max(c02).max(c03));
      m += ldm;
      o += s;
      k0 = EXACT.cast(FloatVector.fromArray(SPECIES, mask, m));
      k1 = EXACT.cast(FloatVector.fromArray(SPECIES, mask, m + L));
      k2 = EXACT.cast(FloatVector.fromArray(SPECIES, mask, m + 2 * L));
      k3 = EXACT.cast(FloatVector.fromArray(SPECIES, mask, m + 3 * L));
      c10 = EXACT.cast(EXACT.cast(c10).mul(sv).add(k0));
      c11 = EXACT.cast(EXACT.cast(c11).mul(sv).add(k1));
      c12 = EXACT.cast(EXACT.cast(c12).mul(sv).add(k2));
      c13 = EXACT.cast(EXACT.cast(c13).mul(sv).add(k3));
      c10.intoArray(scores, o);
      c11.intoArray(scores, o + L);
      c12.intoArray(scores, o + 2 * L);
      c13.intoArray(scores, o + 3 * L);
      max1 = EXACT.cast(EXACT.cast(max1).max(c10).max(c11).max(c12).max(c13));
      m += ldm;
      o += s;
      k0 = EXACT.cast(FloatVector.fromArray(SPECIES, mask, m));
      k1 = EXACT.cast(FloatVector.fromArray(SPECIES, mask, m + L));
      k2 = EXACT.cast(FloatVector.fromArray(SPECIES, mask, m + 2 * L));
      k3 = EXACT.cast(FloatVector.fromArray(SPECIES, mask, m + 3 * L));
      c20 = EXACT.cast(EXACT.cast(c20).mul(sv).add(k0));
      c21 = EXACT.cast(EXACT.cast(c21).mul(sv).add(k1));
      c22 = EXACT.cast(EXACT.cast(c22).mul(sv).add(k2));
      c23 = EXACT.cast(EXACT.cast(c23).mul(sv).add(k3));
      c20.intoArray(scores, o);
      c21.intoArray(scores, o + L);
      c22.intoArray(scores, o + 2 * L);
      c23.intoArray(scores, o + 3 * L);
      max2 = EXACT.cast(EXACT.cast(max2).max(c20).max(c21).max(c22).max(c23));
      m += ldm;
      o += s;
      k0 = EXACT.cast(FloatVector.fromArray(SPECIES, mask, m));
      k1 = EXACT.cast(FloatVector.fromArray(SPECIES, mask, m + L));
      k2 = EXACT.cast(FloatVector.fromArray(SPECIES, mask, m + 2 * L));
      k3 = EXACT.cast(FloatVector.fromArray(SPECIES, mask, m + 3 * L));
      c30 = EXACT.cast(EXACT.cast(c30).mul(sv).add(k0));
      c31 = EXACT.cast(EXACT.cast(c31).mul(sv).add(k1));
      c32 = EXACT.cast(EXACT.cast(c32).mul(sv).add(k2));
      c33 = EXACT.cast(EXACT.cast(c33).mul(sv).add(k3));
      c30.intoArray(scores, o);
      c31.intoArray(scores, o + L);
      c32.intoArray(scores, o + 2 * L);
      c33.intoArray(scores, o + 3 * L);
      max3 = EXACT.cast(EXACT.cast(max3).max(c30).max(c31).max(c32).max(c33));
    }
    max[maxAt] = EXACT.cast(max0).reduceLanes(VectorOperators.MAX);
    max[maxAt + 1] = EXACT.cast(max1).reduceLanes(VectorOperators.MAX);
    max[maxAt + 2] = EXACT.cast(max2).reduceLanes(VectorOperators.MAX);
    max[maxAt + 3] = EXACT.cast(max3).reduceLanes(VectorOperators.MAX);
    if (whole < n) {
      scores4Tail(s, whole, n, e, scale, q, qi, ldq, kt, mask, mi, ldm, scores, at, max, maxAt);
    }
  }

  /**
   * {@link #scores4}'s last vectors of keys, {@code [from, n)}, one at a time (a causal
   * group's): the same scores, each row's max merged into {@code max[maxAt + r]}. Apart, so
   * that BERT's whole blocks keep {@link #scores4} as small as it was for C2.
   */
  private static void scores4Tail(int s, int from, int n, int e, float scale, float[] q, int qi,
      int ldq, float[] kt, float[] mask, int mi, int ldm, float[] scores, int at, float[] max,
      int maxAt) {
    FloatVector sv = EXACT.cast(FloatVector.broadcast(SPECIES, scale));
    FloatVector max0 = EXACT.cast(FloatVector.broadcast(SPECIES, max[maxAt]));
    FloatVector max1 = EXACT.cast(FloatVector.broadcast(SPECIES, max[maxAt + 1]));
    FloatVector max2 = EXACT.cast(FloatVector.broadcast(SPECIES, max[maxAt + 2]));
    FloatVector max3 = EXACT.cast(FloatVector.broadcast(SPECIES, max[maxAt + 3]));
    int q1 = qi + ldq;
    int q2 = q1 + ldq;
    int q3 = q2 + ldq;
    for (int j = from; j < n; j += L) {
      FloatVector c0 = EXACT.cast(FloatVector.zero(SPECIES));
      FloatVector c1 = c0;
      FloatVector c2 = c0;
      FloatVector c3 = c0;
      for (int d = 0; d < e; d++) {
        FloatVector b = EXACT.cast(FloatVector.fromArray(SPECIES, kt, d * s + j));
        c0 = b.fma(EXACT.cast(FloatVector.broadcast(SPECIES, q[qi + d])), c0);
        c1 = b.fma(EXACT.cast(FloatVector.broadcast(SPECIES, q[q1 + d])), c1);
        c2 = b.fma(EXACT.cast(FloatVector.broadcast(SPECIES, q[q2 + d])), c2);
        c3 = b.fma(EXACT.cast(FloatVector.broadcast(SPECIES, q[q3 + d])), c3);
      }
      int m = mi + j;
      int o = at + j;
      c0 = EXACT.cast(EXACT.cast(c0).mul(sv).add(
          EXACT.cast(FloatVector.fromArray(SPECIES, mask, m))));
      c1 = EXACT.cast(EXACT.cast(c1).mul(sv).add(
          EXACT.cast(FloatVector.fromArray(SPECIES, mask, m + ldm))));
      c2 = EXACT.cast(EXACT.cast(c2).mul(sv).add(
          EXACT.cast(FloatVector.fromArray(SPECIES, mask, m + 2 * ldm))));
      c3 = EXACT.cast(EXACT.cast(c3).mul(sv).add(
          EXACT.cast(FloatVector.fromArray(SPECIES, mask, m + 3 * ldm))));
      c0.intoArray(scores, o);
      c1.intoArray(scores, o + s);
      c2.intoArray(scores, o + 2 * s);
      c3.intoArray(scores, o + 3 * s);
      max0 = EXACT.cast(EXACT.cast(max0).max(c0));
      max1 = EXACT.cast(EXACT.cast(max1).max(c1));
      max2 = EXACT.cast(EXACT.cast(max2).max(c2));
      max3 = EXACT.cast(EXACT.cast(max3).max(c3));
    }
    max[maxAt] = EXACT.cast(max0).reduceLanes(VectorOperators.MAX);
    max[maxAt + 1] = EXACT.cast(max1).reduceLanes(VectorOperators.MAX);
    max[maxAt + 2] = EXACT.cast(max2).reduceLanes(VectorOperators.MAX);
    max[maxAt + 3] = EXACT.cast(max3).reduceLanes(VectorOperators.MAX);
  }

  /** {@link #scores4} for one query row at {@code qi}: scores from 0, the max in {@code max[0]}. */
  private static void scores1(int s, int n, int e, float scale, float[] q, int qi, float[] kt,
      float[] mask, int mi, float[] scores, float[] max) {
    FloatVector sv = EXACT.cast(FloatVector.broadcast(SPECIES, scale));
    FloatVector mx = EXACT.cast(FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY));
    for (int j = 0; j < n; j += L) {
      FloatVector c = EXACT.cast(FloatVector.zero(SPECIES));
      for (int d = 0; d < e; d++) {
        FloatVector a = EXACT.cast(FloatVector.broadcast(SPECIES, q[qi + d]));
        c = EXACT.cast(FloatVector.fromArray(SPECIES, kt, d * s + j)).fma(a, c);
      }
      FloatVector m = EXACT.cast(FloatVector.fromArray(SPECIES, mask, mi + j));
      c = EXACT.cast(EXACT.cast(c).mul(sv).add(m));
      c.intoArray(scores, j);
      mx = EXACT.cast(EXACT.cast(mx).max(c));
    }
    max[0] = EXACT.cast(mx).reduceLanes(VectorOperators.MAX);
  }

  /**
   * Eight rows of {@code n} numerators ({@code p}, rows {@code s} apart from 0) times the
   * first {@code n} values: output row {@code r} at {@code o + r * ldo} is {@code (p_r v) /
   * sum[r]}, two vectors of columns at a time.
   */
  private static void pv8(int s, int n, int ev, float[] p, float[] v, int v0, int ldv,
      float[] sum, float[] out, int o, int ldo) {
    for (int c = 0; c < ev; c += VALUE_VECTORS * L) {
      FloatVector c00 = EXACT.cast(FloatVector.zero(SPECIES));
      FloatVector c01 = c00;
      FloatVector c10 = c00;
      FloatVector c11 = c00;
      FloatVector c20 = c00;
      FloatVector c21 = c00;
      FloatVector c30 = c00;
      FloatVector c31 = c00;
      FloatVector c40 = c00;
      FloatVector c41 = c00;
      FloatVector c50 = c00;
      FloatVector c51 = c00;
      FloatVector c60 = c00;
      FloatVector c61 = c00;
      FloatVector c70 = c00;
      FloatVector c71 = c00;
      for (int j = 0; j < n; j++) {
        int b = v0 + j * ldv + c;
        FloatVector b0 = EXACT.cast(FloatVector.fromArray(SPECIES, v, b));
        FloatVector b1 = EXACT.cast(FloatVector.fromArray(SPECIES, v, b + L));
        FloatVector a = EXACT.cast(FloatVector.broadcast(SPECIES, p[j]));
        c00 = b0.fma(a, c00);
        c01 = b1.fma(a, c01);
        a = EXACT.cast(FloatVector.broadcast(SPECIES, p[s + j]));
        c10 = b0.fma(a, c10);
        c11 = b1.fma(a, c11);
        a = EXACT.cast(FloatVector.broadcast(SPECIES, p[2 * s + j]));
        c20 = b0.fma(a, c20);
        c21 = b1.fma(a, c21);
        a = EXACT.cast(FloatVector.broadcast(SPECIES, p[3 * s + j]));
        c30 = b0.fma(a, c30);
        c31 = b1.fma(a, c31);
        a = EXACT.cast(FloatVector.broadcast(SPECIES, p[4 * s + j]));
        c40 = b0.fma(a, c40);
        c41 = b1.fma(a, c41);
        a = EXACT.cast(FloatVector.broadcast(SPECIES, p[5 * s + j]));
        c50 = b0.fma(a, c50);
        c51 = b1.fma(a, c51);
        a = EXACT.cast(FloatVector.broadcast(SPECIES, p[6 * s + j]));
        c60 = b0.fma(a, c60);
        c61 = b1.fma(a, c61);
        a = EXACT.cast(FloatVector.broadcast(SPECIES, p[7 * s + j]));
        c70 = b0.fma(a, c70);
        c71 = b1.fma(a, c71);
      }
      int at = o + c;
      EXACT.cast(EXACT.cast(c00).mul(1 / sum[0])).intoArray(out, at);
      EXACT.cast(EXACT.cast(c01).mul(1 / sum[0])).intoArray(out, at + L);
      at += ldo;
      EXACT.cast(EXACT.cast(c10).mul(1 / sum[1])).intoArray(out, at);
      EXACT.cast(EXACT.cast(c11).mul(1 / sum[1])).intoArray(out, at + L);
      at += ldo;
      EXACT.cast(EXACT.cast(c20).mul(1 / sum[2])).intoArray(out, at);
      EXACT.cast(EXACT.cast(c21).mul(1 / sum[2])).intoArray(out, at + L);
      at += ldo;
      EXACT.cast(EXACT.cast(c30).mul(1 / sum[3])).intoArray(out, at);
      EXACT.cast(EXACT.cast(c31).mul(1 / sum[3])).intoArray(out, at + L);
      at += ldo;
      EXACT.cast(EXACT.cast(c40).mul(1 / sum[4])).intoArray(out, at);
      EXACT.cast(EXACT.cast(c41).mul(1 / sum[4])).intoArray(out, at + L);
      at += ldo;
      EXACT.cast(EXACT.cast(c50).mul(1 / sum[5])).intoArray(out, at);
      EXACT.cast(EXACT.cast(c51).mul(1 / sum[5])).intoArray(out, at + L);
      at += ldo;
      EXACT.cast(EXACT.cast(c60).mul(1 / sum[6])).intoArray(out, at);
      EXACT.cast(EXACT.cast(c61).mul(1 / sum[6])).intoArray(out, at + L);
      at += ldo;
      EXACT.cast(EXACT.cast(c70).mul(1 / sum[7])).intoArray(out, at);
      EXACT.cast(EXACT.cast(c71).mul(1 / sum[7])).intoArray(out, at + L);
    }
  }

  /** {@link #pv8} for one row of numerators at {@code p[0 ..]}, divided by {@code sum}. */
  private static void pv1(int s, int n, int ev, float[] p, float[] v, int v0, int ldv,
      float sum, float[] out, int o) {
    for (int c = 0; c < ev; c += L) {
      FloatVector acc = EXACT.cast(FloatVector.zero(SPECIES));
      for (int j = 0; j < n; j++) {
        FloatVector a = EXACT.cast(FloatVector.broadcast(SPECIES, p[j]));
        acc = EXACT.cast(FloatVector.fromArray(SPECIES, v, v0 + j * ldv + c)).fma(a, acc);
      }
      EXACT.cast(EXACT.cast(acc).mul(1 / sum)).intoArray(out, o + c);
    }
  }
}
