package dev.netspec.runtime.kernels;

import static dev.netspec.runtime.kernels.Vectors.EXACT;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The 2 x 2, stride-2 max pooling with indices (a CNN's training forward: {@link
 * Pooling#maxPool2d} with {@code indices}) on vectors: {@code L / 2} outputs at a time. Each
 * window row's pairs of floats are read as longs and narrowed to ints, which splits the row
 * into its even and odd columns (one {@code vpmovqd} each, as {@link VectorPooling}'s split);
 * then the window's four inputs are taken in row-major order by the scalar rule, lane by
 * lane: an input takes over when it is larger than the maximum so far or NaN (a compare and a
 * blend, for the value and for its index alike), so the outputs and indices are the scalar
 * loop's to the bit, NaN payloads and signed zeros included. One float at a time, the unrolled
 * loop took 10.5% of the Fashion CNN's training step (session 17, JFR). 512-bit vectors only
 * (AVX2 has no narrowing of longs in one instruction); elsewhere the scalar loop.
 */
final class VectorPoolPairs {
  private static final VectorSpecies<Float> S = VectorBackend.SPECIES;
  private static final int L = S.length();
  /** Half the species' width: one lane per pair of floats, one per output. */
  private static final VectorSpecies<Integer> HALF_INTS =
      VectorSpecies.of(int.class, VectorShape.forBitSize(S.vectorBitSize() / 2));
  private static final VectorSpecies<Float> HALF = HALF_INTS.withLanes(float.class);
  private static final int H = HALF.length();
  private static final Class<? extends IntVector> EXACT_HALF_INTS =
      HALF_INTS.vectorType().asSubclass(IntVector.class);
  private static final Class<? extends FloatVector> EXACT_HALF =
      HALF.vectorType().asSubclass(FloatVector.class);
  private static final Class<? extends LongVector> EXACT_LONGS =
      S.withLanes(long.class).vectorType().asSubclass(LongVector.class);
  /** Whether this backend runs the vectors: 512 bits ({@code vpmovqd}). */
  static final boolean VECTORS = L == 16;
  /** Each lane's offset from its vector's first window: 0, 2, 4, ... */
  private static final IntVector EVENS = IntVector.zero(HALF_INTS).addIndex(2);

  private VectorPoolPairs() {}

  /**
   * {@link Pooling#maxPool2d} with {@code indices} (not null): the vectors where {@code g} is
   * 2 x 2 at stride 2 inside the input ({@link Pooling#isPairs}), else the scalar loop. A row
   * of fewer than {@code L / 2} outputs (the Fashion CNN's second pooling: 7) takes one vector
   * whose last lanes run into the rows after it: rows go in order, so the next row writes over
   * them; the rows whose vector would reach past the call's outputs or inputs take the window
   * rule one output at a time.
   */
  static void maxPool2d(ConvGeometry g, float[] x, int xOff, float[] y, int yOff,
      int[] indices) {
    if (!VECTORS || !Pooling.isPairs(g)) {
      Pooling.maxPool2d(g, x, xOff, y, yOff, indices);
      return;
    }
    int planes = g.batch() * g.inChannels();
    int width = g.width();
    int outWidth = g.outWidth();
    int outputs = planes * g.positions();
    for (int c = 0; c < planes; c++) {
      int plane = xOff + c * g.inPlane();
      int out = c * g.positions();
      for (int oh = 0; oh < g.outHeight(); oh++) {
        int o = out + oh * outWidth;
        int row = 2 * oh * width;
        if (outWidth >= H) {
          // Whole vectors, the last one ending at the row's end (overlapping the one before:
          // those outputs come out the same twice).
          for (int at = 0; at < outWidth; at += H) {
            at = Math.min(at, outWidth - H);
            windows(x, plane, row + 2 * at, width, y, yOff + o + at, indices, o + at);
          }
        } else if (o + H <= outputs && plane + row + width + L <= x.length) {
          windows(x, plane, row, width, y, yOff + o, indices, o);
        } else {
          for (int ow = 0; ow < outWidth; ow++) {
            int arg = Pooling.argmax(g, x, plane, oh, ow);
            y[yOff + o + ow] = x[plane + arg];
            indices[o + ow] = arg;
          }
        }
      }
    }
  }

  /**
   * The {@code L / 2} windows whose top-left inputs are {@code x[plane + i]}, {@code x[plane +
   * i + 2]}, ... (rows {@code width} apart): maxima into {@code y[yAt]}, their indices within
   * the plane into {@code indices[iAt]}. Straight-line code: a vector carried through a loop
   * was boxed by JDK 17's C2 ({@link VectorPooling#window}).
   */
  private static void windows(float[] x, int plane, int i, int width, float[] y, int yAt,
      int[] indices, int iAt) {
    LongVector top = EXACT_LONGS.cast(EXACT.cast(FloatVector.fromArray(S, x, plane + i))
        .reinterpretAsLongs());
    LongVector bottom = EXACT_LONGS.cast(EXACT.cast(
        FloatVector.fromArray(S, x, plane + i + width)).reinterpretAsLongs());
    IntVector at = EXACT_HALF_INTS.cast(EVENS.add(i));
    FloatVector max = even(top);
    FloatVector arg = EXACT_HALF.cast(at.reinterpretAsFloats());
    FloatVector v = odd(top);
    VectorMask<Float> take = v.compare(VectorOperators.GT, max)
        .or(v.compare(VectorOperators.NE, v));
    max = EXACT_HALF.cast(max.blend(v, take));
    arg = EXACT_HALF.cast(arg.blend(EXACT_HALF_INTS.cast(at.add(1)).reinterpretAsFloats(), take));
    v = even(bottom);
    take = v.compare(VectorOperators.GT, max).or(v.compare(VectorOperators.NE, v));
    max = EXACT_HALF.cast(max.blend(v, take));
    arg = EXACT_HALF.cast(arg.blend(EXACT_HALF_INTS.cast(at.add(width)).reinterpretAsFloats(),
        take));
    v = odd(bottom);
    take = v.compare(VectorOperators.GT, max).or(v.compare(VectorOperators.NE, v));
    max = EXACT_HALF.cast(max.blend(v, take));
    arg = EXACT_HALF.cast(arg.blend(
        EXACT_HALF_INTS.cast(at.add(width + 1)).reinterpretAsFloats(), take));
    max.intoArray(y, yAt);
    EXACT_HALF_INTS.cast(arg.reinterpretAsInts()).intoArray(indices, iAt);
  }

  /** The even columns of a row read as longs: each long's low half (little-endian lanes). */
  private static FloatVector even(LongVector v) {
    return EXACT_HALF.cast(EXACT_HALF_INTS.cast(v.convertShape(VectorOperators.L2I, HALF_INTS,
        0)).reinterpretAsFloats());
  }

  /** The odd columns: each long's high half. */
  private static FloatVector odd(LongVector v) {
    return EXACT_HALF.cast(EXACT_HALF_INTS.cast(EXACT_LONGS.cast(v.lanewise(
        VectorOperators.LSHR, 32)).convertShape(VectorOperators.L2I, HALF_INTS, 0))
        .reinterpretAsFloats());
  }
}
