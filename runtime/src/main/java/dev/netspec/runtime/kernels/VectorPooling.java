package dev.netspec.runtime.kernels;

import static dev.netspec.runtime.kernels.Vectors.EXACT;
import static dev.netspec.runtime.kernels.Vectors.EXACT_INTS;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector max pooling ({@code max_pool2d} without indices): along an output row, the
 * outputs whose every window column is inside the input (the interior) are computed {@code L}
 * at a time, one load, compare and blend per tap, where the scalar loop's compare per tap is a
 * branch that random data mispredicts half the time (ResNet-18's stem pooling took 10% of the
 * forward that way). With a stride {@code s > 1} the taps of {@code L} consecutive outputs are
 * {@code s} apart, so each plane is first split into its {@code s} column phases ({@code x[ih,
 * s * t + r]} at {@code [ih, r, t]}), where they are consecutive, framed by {@code -inf}
 * columns for the taps outside the input: a {@code -inf} never changes a window's maximum (a
 * window with an input in it; which of equal values wins shows only for signed zeros and
 * NaNs, which go to the scalar rule), so every output of a row is interior, the edges too
 * (ResNet's left column was one output at a time). The last vector of a row ends at the
 * interior's end, overlapping the one before; the edges without a stride (and rows narrower
 * than a vector) are computed one output at a time ({@link Pooling#argmax}). Every output
 * follows the scalar rule, lane by lane: the window in row-major order, an input taking over
 * when it is larger or NaN; so the twins agree to the bit, NaNs and signed zeros included.
 * At stride 2 on 512 bits a plane without {@code -0.0}s and NaNs (checked as it is split) is
 * split into ints that order as the floats do and pooled by int {@code max}, one instruction a
 * tap ({@link #splitOrdered}).
 * Loaded by {@link VectorBackend} only.
 */
final class VectorPooling {
  private static final VectorSpecies<Float> S = VectorBackend.SPECIES;
  private static final int L = S.length();
  /** Ints of half the species' width: one per pair of floats ({@link #split}). */
  private static final VectorSpecies<Integer> HALF =
      VectorSpecies.of(int.class, VectorShape.forBitSize(S.vectorBitSize() / 2));
  private static final Class<? extends IntVector> EXACT_HALF_INTS =
      HALF.vectorType().asSubclass(IntVector.class);
  private static final Class<? extends FloatVector> EXACT_HALF =
      HALF.withLanes(float.class).vectorType().asSubclass(FloatVector.class);
  private static final Class<? extends LongVector> EXACT_LONGS =
      S.withLanes(long.class).vectorType().asSubclass(LongVector.class);
  /**
   * Whether {@link #split} splits stride-2 rows by vectors: 512 bits, where narrowing a
   * vector of longs to ints is one instruction ({@code vpmovqd}); AVX2 has none.
   */
  private static final boolean SPLITS_BY_VECTORS = L == 16;
  /** Ints of the species' shape, for {@link #splitOrdered}'s phases. */
  private static final VectorSpecies<Integer> INTS = S.withLanes(int.class);
  /** {@code -inf} as {@link #ordered} maps it: the frame of the ordered phases. */
  private static final int ORDERED_NEG_INF = ordered(Float.floatToRawIntBits(
      Float.NEGATIVE_INFINITY));
  /** A float's bits above this (unsigned) are a NaN ({@code & 0x7fffffff} first). */
  private static final int INF_BITS = 0x7f800000;
  /** Per thread: the phases of one plane, the taps' column offsets, a window's offsets. */
  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  private VectorPooling() {}

  private static final class Scratch {
    float[] phases = new float[0];
    int[] ordered = new int[0];
    int[] taps = new int[0];
    int[] window = new int[0];
  }

  /** Outputs per call below which it runs on one thread. */
  private static final long PARALLEL_OUTPUTS = 1 << 16;
  /** Per calling thread: the task that hands the planes to the kernel threads. */
  private static final ThreadLocal<Planes> TASK = ThreadLocal.withInitial(Planes::new);

  /**
   * The planes of one call handed out in runs from a shared counter ({@link Parallel.Claims}):
   * a static split made a thread that got less of the machine hold up the other. Reused (set,
   * run, then its references dropped), so a call allocates nothing.
   */
  private static final class Planes implements Parallel.Items {
    private final Parallel.Claims claims = new Parallel.Claims();
    private ConvGeometry g;
    private float[] x;
    private int xOff;
    private float[] y;
    private int yOff;

    /** Planes {@code [from, to)}, a run one thread claimed. */
    @Override
    public void run(int slot, int from, int to) {
      planes(g, x, xOff, y, yOff, from, to);
    }
  }

  /**
   * {@code max_pool2d} of every plane of {@code g}: see {@link Pooling#maxPool2d}. The planes
   * are shared by the kernel threads when there are enough outputs.
   */
  static void maxPool2d(ConvGeometry g, float[] x, int xOff, float[] y, int yOff) {
    int planes = g.batch() * g.inChannels();
    if (Parallel.threads() < 2 || planes < 2
        || (long) planes * g.positions() < PARALLEL_OUTPUTS) {
      planes(g, x, xOff, y, yOff, 0, planes);
      return;
    }
    Planes task = TASK.get();
    task.g = g;
    task.x = x;
    task.xOff = xOff;
    task.y = y;
    task.yOff = yOff;
    try {
      task.claims.each(Parallel.threads(), planes, task);
    } finally {
      task.g = null;
      task.x = null;
      task.y = null;
    }
  }

  /** Planes {@code [from, to)}. */
  private static void planes(ConvGeometry g, float[] x, int xOff, float[] y, int yOff,
      int from, int to) {
    int h = g.height();
    int w = g.width();
    int sw = g.strideW();
    int kw = g.kernelW();
    int ow1 = g.outWidth();
    // With a stride, rows a vector fits in are split into phases framed by -inf columns,
    // which the taps outside the input read: then every output of a row is in the interior.
    boolean phased = sw > 1 && ow1 >= L;
    int lo = 0;
    int hi = ow1;
    if (!phased) {
      // The interior columns [lo, hi): every tap from ow * sw - padLeft to that + (kw - 1) *
      // dw lies in [0, width).
      lo = Math.min(ow1, (g.padLeft() + sw - 1) / sw);
      int span = w - 1 + g.padLeft() - (kw - 1) * g.dilationW();
      hi = span < 0 ? lo : Math.max(lo, Math.min(ow1, span / sw + 1));
    }
    boolean vectors = hi - lo >= L;
    int front = phased ? (g.padLeft() + sw - 1) / sw : 0; // -inf columns before a phase
    // A phase's columns: the input's, or as many as the last window reaches if more.
    int reach = Math.floorDiv((ow1 - 1) * sw + (kw - 1) * g.dilationW() - g.padLeft(), sw) + 1;
    int length = front + Math.max((w + sw - 1) / sw, reach);
    int rowLength = phased ? sw * length : w;
    Scratch s = SCRATCH.get();
    if (s.taps.length < kw) {
      s.taps = new int[kw];
    }
    if (s.window.length < g.kernelH() * kw) {
      s.window = new int[g.kernelH() * kw];
    }
    int[] window = s.window;
    int[] taps = s.taps; // where tap column j of output ow reads, from ow in its row
    for (int j = 0; j < kw; j++) {
      int q = j * g.dilationW() - g.padLeft();
      taps[j] = phased ? Math.floorMod(q, sw) * length + front + Math.floorDiv(q, sw) : q;
    }
    if (phased && s.phases.length < h * rowLength) {
      s.phases = new float[h * rowLength];
    }
    // Stride 2 on 512 bits: the phases as ordered ints, max by int (see splitOrdered).
    boolean orderable = phased && sw == 2 && SPLITS_BY_VECTORS;
    if (orderable && s.ordered.length < h * rowLength) {
      s.ordered = new int[h * rowLength];
    }
    float[] src = phased ? s.phases : x;
    int[] ordered = s.ordered;
    for (int c = from; c < to; c++) {
      int plane = xOff + c * g.inPlane();
      boolean byInts = orderable && splitOrdered(x, plane, h, w, length, front, ordered);
      if (phased && !byInts) {
        split(x, plane, h, w, sw, length, front, src);
      }
      int base = phased ? 0 : plane;
      for (int oh = 0; oh < g.outHeight(); oh++) {
        int out = yOff + c * g.positions() + oh * ow1;
        int ow = 0;
        for (; ow < lo; ow++) {
          y[out + ow] = one(g, x, plane, oh, ow);
        }
        int h0 = oh * g.strideH() - g.padTop();
        int count = 0; // the window's taps inside the input, as offsets from its column
        for (int i = 0; i < g.kernelH(); i++) {
          int ih = h0 + i * g.dilationH();
          if (ih >= 0 && ih < h) {
            for (int j = 0; j < kw; j++) {
              window[count++] = base + ih * rowLength + taps[j];
            }
          }
        }
        if (vectors && count == 0) {
          for (; ow < hi; ow++) {
            y[out + ow] = Float.NEGATIVE_INFINITY;
          }
        }
        // Whole vectors over the interior, the last one ending at hi (overlapping the one
        // before it: those outputs come out the same twice).
        for (int at = ow; byInts && vectors && ow < hi; at += L) {
          at = Math.min(at, hi - L);
          windowOrdered(ordered, window, count, at, y, out + at);
          ow = at + L;
        }
        for (int at = ow; vectors && ow < hi; at += L) {
          at = Math.min(at, hi - L);
          if (!window(src, window, count, at, y, out + at)) {
            // A -0.0 or a NaN in a window: these outputs by the scalar rule.
            for (int t = at; t < at + L; t++) {
              y[out + t] = one(g, x, plane, oh, t);
            }
          }
          ow = at + L;
        }
        for (; ow < ow1; ow++) {
          y[out + ow] = one(g, x, plane, oh, ow);
        }
      }
    }
  }

  /**
   * The {@code L} outputs from column {@code at} of an output row whose window reads {@code
   * src[at + window[t]]} for {@code t < count} (in order; {@code count >= 1}) into {@code
   * y[yAt]}, by lane-wise {@code max}; unless a window holds a {@code -0.0} or an output comes
   * out NaN: then writes nothing and returns false, and the caller computes these outputs by
   * the scalar rule. Only there can the order of the taps show in the bits: {@code max} takes
   * {@code 0.0} over {@code -0.0} where the rule keeps the first of them, and which NaN it
   * keeps is not the rule's last one. A {@code -0.0} is found by the int view of the taps:
   * its bits, {@code 0x80000000}, are the least int ({@code 0.0} after a ReLU is {@code 0.0},
   * so the common zeros stay on vectors). JDK 17's C2 compiles a compare and blend per tap,
   * which would follow the rule, with every vector boxed (4-5x slower than {@code max}); and a
   * vector carried through nested loops was boxed too: so one flat loop, its own method.
   */
  private static boolean window(float[] src, int[] window, int count, int at, float[] y,
      int yAt) {
    FloatVector max = EXACT.cast(FloatVector.fromArray(S, src, at + window[0]));
    IntVector least = EXACT_INTS.cast(max.reinterpretAsInts());
    for (int t = 1; t < count; t++) {
      FloatVector v = EXACT.cast(FloatVector.fromArray(S, src, at + window[t]));
      max = EXACT.cast(max).max(v);
      least = EXACT_INTS.cast(least).min(EXACT_INTS.cast(v.reinterpretAsInts()));
    }
    // A NaN lane is max's result where any tap is NaN. Lane tests, not reductions: a float
    // sum of the lanes is 16 dependent additions (C2 keeps their order), a third of the
    // pooling's time at 512 bits.
    if (least.compare(VectorOperators.EQ, Integer.MIN_VALUE).anyTrue()
        || max.compare(VectorOperators.NE, max).anyTrue()) {
      return false;
    }
    EXACT.cast(max).intoArray(y, yAt);
    return true;
  }

  /**
   * {@link #window} over {@link #splitOrdered}'s phases, whose windows hold no {@code -0.0}
   * and no NaN: the int max of the ordered bits is the window's maximum, mapped back.
   */
  private static void windowOrdered(int[] src, int[] window, int count, int at, float[] y,
      int yAt) {
    IntVector max = EXACT_INTS.cast(IntVector.fromArray(INTS, src, at + window[0]));
    for (int t = 1; t < count; t++) {
      max = EXACT_INTS.cast(max).max(IntVector.fromArray(INTS, src, at + window[t]));
    }
    IntVector m = EXACT_INTS.cast(max);
    EXACT.cast(m.lanewise(VectorOperators.XOR,
        m.lanewise(VectorOperators.ASHR, 31).lanewise(VectorOperators.AND, 0x7fffffff))
        .reinterpretAsFloats()).intoArray(y, yAt);
  }

  /**
   * A float's bits mapped to an int that orders as the float does ({@code -inf} least, {@code
   * +inf} greatest, {@code -0.0} just below {@code 0.0}): a negative float's magnitude bits
   * flipped. Its own inverse.
   */
  private static int ordered(int bits) {
    return bits ^ ((bits >> 31) & 0x7fffffff);
  }

  /** One output by the scalar rule. */
  private static float one(ConvGeometry g, float[] x, int plane, int oh, int ow) {
    int arg = Pooling.argmax(g, x, plane, oh, ow);
    return arg < 0 ? Float.NEGATIVE_INFINITY : x[plane + arg];
  }

  /**
   * {@link #split} at stride 2 into phases of {@link #ordered} ints ({@code -inf}'s frame
   * included), unless the plane holds a {@code -0.0} or a NaN: then returns false (the phases
   * partly written) and the caller splits it as floats. Where neither occurs, equal maxima
   * have equal bits and the int max of the ordered bits is the scalar rule's pick: one {@code
   * vpmaxsd} a tap, where the float {@code max} (Java's rule, NaN and signed zeros) compiles to
   * several instructions a tap and the window tracked the least int for the {@code -0.0}s too.
   * The two tests run once an input here, where the windows read each input 2.25 times.
   */
  private static boolean splitOrdered(float[] x, int plane, int h, int w, int length,
      int front, int[] phases) {
    boolean odd = false; // a -0.0 or a NaN seen
    int pairs = w / 2;
    for (int ih = 0; ih < h; ih++) {
      int src = plane + ih * w;
      int dst = ih * 2 * length;
      for (int r = 0; r < 2; r++) {
        int d = dst + r * length;
        int n = (w - r + 1) / 2;
        Arrays.fill(phases, d, d + front, ORDERED_NEG_INF);
        Arrays.fill(phases, d + front + n, d + length, ORDERED_NEG_INF);
      }
      dst += front;
      int t = 0;
      for (; t + L / 2 <= pairs; t += L / 2) {
        IntVector b = EXACT_INTS.cast(EXACT.cast(FloatVector.fromArray(S, x, src + 2 * t))
            .reinterpretAsInts());
        odd |= b.compare(VectorOperators.EQ, Integer.MIN_VALUE)
            .or(EXACT_INTS.cast(b.lanewise(VectorOperators.AND, 0x7fffffff))
                .compare(VectorOperators.GT, INF_BITS)).anyTrue();
        IntVector o = EXACT_INTS.cast(b.lanewise(VectorOperators.XOR, EXACT_INTS.cast(
            b.lanewise(VectorOperators.ASHR, 31)).lanewise(VectorOperators.AND, 0x7fffffff)));
        LongVector v = EXACT_LONGS.cast(o.reinterpretAsLongs());
        EXACT_HALF_INTS.cast(v.convertShape(VectorOperators.L2I, HALF, 0))
            .intoArray(phases, dst + t);
        EXACT_HALF_INTS.cast(EXACT_LONGS.cast(v.lanewise(VectorOperators.LSHR, 32))
            .convertShape(VectorOperators.L2I, HALF, 0)).intoArray(phases, dst + length + t);
      }
      for (int col = 2 * t; col < w; col++) {
        int b = Float.floatToRawIntBits(x[src + col]);
        odd |= b == Integer.MIN_VALUE || (b & 0x7fffffff) > INF_BITS;
        phases[dst + (col & 1) * length + col / 2] = ordered(b);
      }
      if (odd) {
        return false;
      }
    }
    return true;
  }

  /**
   * The rows of the plane from {@code x[plane]} into {@code phases}, {@code stride} phases of
   * {@code length} floats a row: row {@code ih}, column {@code stride * t + r} at {@code (ih *
   * stride + r) * length + front + t}, and {@code -inf} wherever {@code stride * t + r} is
   * outside the row ({@code t < 0} included).
   */
  private static void split(float[] x, int plane, int h, int w, int stride, int length,
      int front, float[] phases) {
    for (int ih = 0; ih < h; ih++) {
      int src = plane + ih * w;
      int dst = ih * stride * length;
      for (int r = 0; r < stride; r++) {
        int d = dst + r * length;
        int n = (w - r + stride - 1) / stride; // input columns r, r + stride, ...
        for (int t = -front; t < 0; t++) {
          phases[d + front + t] = Float.NEGATIVE_INFINITY;
        }
        for (int t = front + n; t < length; t++) {
          phases[d + t] = Float.NEGATIVE_INFINITY;
        }
      }
      dst += front;
      if (stride == 2) { // ResNet's: both phases in one pass
        int pairs = w / 2;
        int t = 0;
        // L / 2 pairs a vector: each pair of floats read as one long (the even column in its
        // low half: little-endian lanes), narrowed to an int for the even phase and shifted
        // down first for the odd one. One float at a time this took ~0.5 ns a float, 40% of
        // the stem's pooling; by vectors ~0.13 (AMD EPYC Zen 5, session 16). Narrowed to ints
        // of the species' own shape instead (upper half zeros, overwritten later; no second
        // species), each phase in its own pass, ResNet's pooling ran 0.94x (AbCompare, JDK 17,
        // loaded, session 17); PoolingAllocationTest checks that the half-width vectors stay
        // unboxed.
        for (; SPLITS_BY_VECTORS && t + L / 2 <= pairs; t += L / 2) {
          LongVector v = EXACT_LONGS.cast(EXACT.cast(FloatVector.fromArray(S, x, src + 2 * t))
              .reinterpretAsLongs());
          EXACT_HALF.cast(EXACT_HALF_INTS.cast(v.convertShape(VectorOperators.L2I, HALF, 0))
              .reinterpretAsFloats()).intoArray(phases, dst + t);
          EXACT_HALF.cast(EXACT_HALF_INTS.cast(EXACT_LONGS.cast(v.lanewise(VectorOperators.LSHR,
              32)).convertShape(VectorOperators.L2I, HALF, 0)).reinterpretAsFloats())
              .intoArray(phases, dst + length + t);
        }
        for (; t < pairs; t++) {
          phases[dst + t] = x[src + 2 * t];
          phases[dst + length + t] = x[src + 2 * t + 1];
        }
        if (w % 2 != 0) {
          phases[dst + pairs] = x[src + w - 1];
        }
        continue;
      }
      for (int r = 0; r < stride; r++) {
        int d = dst + r * length;
        for (int col = r, t = 0; col < w; col += stride, t++) {
          phases[d + t] = x[src + col];
        }
      }
    }
  }
}
