package dev.netspec.runtime.kernels;

import static dev.netspec.runtime.kernels.Vectors.EXACT;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The way out of {@link DirectConv}'s strips with 512-bit vectors: a group's sums, {@code
 * (positions, channels)} per strip, into its block, {@code (channels, positions)}, sixteen
 * positions by sixteen channels at a time in registers ({@link #tile}) instead of one float at
 * a time. Four rounds swap blocks of 8, 4, 2 and 1 lanes between rows {@code i} and {@code i +
 * m}: {@code i}'s upper lanes take {@code i + m}'s lower ones moved up, {@code i + m}'s lower
 * lanes take {@code i}'s upper ones moved down (a lane swap {@code l ^ m} and a blend each), so
 * 64 swaps and 64 blends move the 256 floats where the scalar loop made 256 loads and 256
 * stores 96 floats apart. ResNet-18's 64- and 128-channel 3x3 layers at batch 8 ran 1.02-1.06x
 * faster with it (a probe in one JVM, JDK 17 and 25, CPU time, AMD EPYC Zen 5, loaded;
 * {@code AbCompare} against the loop at load 35-47 could not separate it from its noise:
 * benchmarks/RESULTS.md, session 17). Moves floats only: the bits are those of {@link
 * ScalarBackend#convStripsBlock}. Loaded by {@link VectorBackend} only, and only where its
 * vectors have 16 lanes.
 */
final class StripBlocks {
  private static final VectorSpecies<Float> S = VectorBackend.SPECIES;
  /** Output channels of a strip, as {@link ConvStrips#WIDTH}. */
  static final int WIDTH = ConvStrips.WIDTH;
  /** Positions per strip. */
  private static final int P = DirectConv.POSITIONS;
  private static final VectorShuffle<Float> SWAP8 = VectorShuffle.fromOp(S, l -> l ^ 8);
  private static final VectorShuffle<Float> SWAP4 = VectorShuffle.fromOp(S, l -> l ^ 4);
  private static final VectorShuffle<Float> SWAP2 = VectorShuffle.fromOp(S, l -> l ^ 2);
  private static final VectorShuffle<Float> SWAP1 = VectorShuffle.fromOp(S, l -> l ^ 1);
  /** The lanes with bit 3, 2, 1 or 0 set: where row {@code i} takes row {@code i + m}'s. */
  private static final VectorMask<Float> UPPER8 = VectorMask.fromLong(S, 0xFF00L);
  private static final VectorMask<Float> UPPER4 = VectorMask.fromLong(S, 0xF0F0L);
  private static final VectorMask<Float> UPPER2 = VectorMask.fromLong(S, 0xCCCCL);
  private static final VectorMask<Float> UPPER1 = VectorMask.fromLong(S, 0xAAAAL);

  private StripBlocks() {}

  /**
   * {@code block[(h + c) * stride + u + i] = accs[from + (u + i) / 6][(u + i) % 6 * WIDTH + h
   * + c]} for {@code i, c < 16}: sixteen positions from {@code u} (any, across strips) by the
   * sixteen channels from {@code h} (0 or 16).
   */
  static void tile(float[][] accs, int from, int u, int h, float[] block, int stride) {
    FloatVector r0 = EXACT.cast(
        FloatVector.fromArray(S, accs[from + u / P], u % P * WIDTH + h));
    FloatVector r1 = EXACT.cast(
        FloatVector.fromArray(S, accs[from + (u + 1) / P], (u + 1) % P * WIDTH + h));
    FloatVector r2 = EXACT.cast(
        FloatVector.fromArray(S, accs[from + (u + 2) / P], (u + 2) % P * WIDTH + h));
    FloatVector r3 = EXACT.cast(
        FloatVector.fromArray(S, accs[from + (u + 3) / P], (u + 3) % P * WIDTH + h));
    FloatVector r4 = EXACT.cast(
        FloatVector.fromArray(S, accs[from + (u + 4) / P], (u + 4) % P * WIDTH + h));
    FloatVector r5 = EXACT.cast(
        FloatVector.fromArray(S, accs[from + (u + 5) / P], (u + 5) % P * WIDTH + h));
    FloatVector r6 = EXACT.cast(
        FloatVector.fromArray(S, accs[from + (u + 6) / P], (u + 6) % P * WIDTH + h));
    FloatVector r7 = EXACT.cast(
        FloatVector.fromArray(S, accs[from + (u + 7) / P], (u + 7) % P * WIDTH + h));
    FloatVector r8 = EXACT.cast(
        FloatVector.fromArray(S, accs[from + (u + 8) / P], (u + 8) % P * WIDTH + h));
    FloatVector r9 = EXACT.cast(
        FloatVector.fromArray(S, accs[from + (u + 9) / P], (u + 9) % P * WIDTH + h));
    FloatVector r10 = EXACT.cast(
        FloatVector.fromArray(S, accs[from + (u + 10) / P], (u + 10) % P * WIDTH + h));
    FloatVector r11 = EXACT.cast(
        FloatVector.fromArray(S, accs[from + (u + 11) / P], (u + 11) % P * WIDTH + h));
    FloatVector r12 = EXACT.cast(
        FloatVector.fromArray(S, accs[from + (u + 12) / P], (u + 12) % P * WIDTH + h));
    FloatVector r13 = EXACT.cast(
        FloatVector.fromArray(S, accs[from + (u + 13) / P], (u + 13) % P * WIDTH + h));
    FloatVector r14 = EXACT.cast(
        FloatVector.fromArray(S, accs[from + (u + 14) / P], (u + 14) % P * WIDTH + h));
    FloatVector r15 = EXACT.cast(
        FloatVector.fromArray(S, accs[from + (u + 15) / P], (u + 15) % P * WIDTH + h));
    // Rows i and i + 8: swap the 8-lane blocks off the diagonal.
    FloatVector a0 = EXACT.cast(r0.blend(r8.rearrange(SWAP8), UPPER8));
    FloatVector a8 = EXACT.cast(r0.rearrange(SWAP8).blend(r8, UPPER8));
    FloatVector a1 = EXACT.cast(r1.blend(r9.rearrange(SWAP8), UPPER8));
    FloatVector a9 = EXACT.cast(r1.rearrange(SWAP8).blend(r9, UPPER8));
    FloatVector a2 = EXACT.cast(r2.blend(r10.rearrange(SWAP8), UPPER8));
    FloatVector a10 = EXACT.cast(r2.rearrange(SWAP8).blend(r10, UPPER8));
    FloatVector a3 = EXACT.cast(r3.blend(r11.rearrange(SWAP8), UPPER8));
    FloatVector a11 = EXACT.cast(r3.rearrange(SWAP8).blend(r11, UPPER8));
    FloatVector a4 = EXACT.cast(r4.blend(r12.rearrange(SWAP8), UPPER8));
    FloatVector a12 = EXACT.cast(r4.rearrange(SWAP8).blend(r12, UPPER8));
    FloatVector a5 = EXACT.cast(r5.blend(r13.rearrange(SWAP8), UPPER8));
    FloatVector a13 = EXACT.cast(r5.rearrange(SWAP8).blend(r13, UPPER8));
    FloatVector a6 = EXACT.cast(r6.blend(r14.rearrange(SWAP8), UPPER8));
    FloatVector a14 = EXACT.cast(r6.rearrange(SWAP8).blend(r14, UPPER8));
    FloatVector a7 = EXACT.cast(r7.blend(r15.rearrange(SWAP8), UPPER8));
    FloatVector a15 = EXACT.cast(r7.rearrange(SWAP8).blend(r15, UPPER8));
    // Rows i and i + 4: swap the 4-lane blocks off the diagonal.
    FloatVector b0 = EXACT.cast(a0.blend(a4.rearrange(SWAP4), UPPER4));
    FloatVector b4 = EXACT.cast(a0.rearrange(SWAP4).blend(a4, UPPER4));
    FloatVector b1 = EXACT.cast(a1.blend(a5.rearrange(SWAP4), UPPER4));
    FloatVector b5 = EXACT.cast(a1.rearrange(SWAP4).blend(a5, UPPER4));
    FloatVector b2 = EXACT.cast(a2.blend(a6.rearrange(SWAP4), UPPER4));
    FloatVector b6 = EXACT.cast(a2.rearrange(SWAP4).blend(a6, UPPER4));
    FloatVector b3 = EXACT.cast(a3.blend(a7.rearrange(SWAP4), UPPER4));
    FloatVector b7 = EXACT.cast(a3.rearrange(SWAP4).blend(a7, UPPER4));
    FloatVector b8 = EXACT.cast(a8.blend(a12.rearrange(SWAP4), UPPER4));
    FloatVector b12 = EXACT.cast(a8.rearrange(SWAP4).blend(a12, UPPER4));
    FloatVector b9 = EXACT.cast(a9.blend(a13.rearrange(SWAP4), UPPER4));
    FloatVector b13 = EXACT.cast(a9.rearrange(SWAP4).blend(a13, UPPER4));
    FloatVector b10 = EXACT.cast(a10.blend(a14.rearrange(SWAP4), UPPER4));
    FloatVector b14 = EXACT.cast(a10.rearrange(SWAP4).blend(a14, UPPER4));
    FloatVector b11 = EXACT.cast(a11.blend(a15.rearrange(SWAP4), UPPER4));
    FloatVector b15 = EXACT.cast(a11.rearrange(SWAP4).blend(a15, UPPER4));
    // Rows i and i + 2: swap the 2-lane blocks off the diagonal.
    FloatVector c0 = EXACT.cast(b0.blend(b2.rearrange(SWAP2), UPPER2));
    FloatVector c2 = EXACT.cast(b0.rearrange(SWAP2).blend(b2, UPPER2));
    FloatVector c1 = EXACT.cast(b1.blend(b3.rearrange(SWAP2), UPPER2));
    FloatVector c3 = EXACT.cast(b1.rearrange(SWAP2).blend(b3, UPPER2));
    FloatVector c4 = EXACT.cast(b4.blend(b6.rearrange(SWAP2), UPPER2));
    FloatVector c6 = EXACT.cast(b4.rearrange(SWAP2).blend(b6, UPPER2));
    FloatVector c5 = EXACT.cast(b5.blend(b7.rearrange(SWAP2), UPPER2));
    FloatVector c7 = EXACT.cast(b5.rearrange(SWAP2).blend(b7, UPPER2));
    FloatVector c8 = EXACT.cast(b8.blend(b10.rearrange(SWAP2), UPPER2));
    FloatVector c10 = EXACT.cast(b8.rearrange(SWAP2).blend(b10, UPPER2));
    FloatVector c9 = EXACT.cast(b9.blend(b11.rearrange(SWAP2), UPPER2));
    FloatVector c11 = EXACT.cast(b9.rearrange(SWAP2).blend(b11, UPPER2));
    FloatVector c12 = EXACT.cast(b12.blend(b14.rearrange(SWAP2), UPPER2));
    FloatVector c14 = EXACT.cast(b12.rearrange(SWAP2).blend(b14, UPPER2));
    FloatVector c13 = EXACT.cast(b13.blend(b15.rearrange(SWAP2), UPPER2));
    FloatVector c15 = EXACT.cast(b13.rearrange(SWAP2).blend(b15, UPPER2));
    // Rows i and i + 1: swap the 1-lane blocks off the diagonal.
    FloatVector d0 = EXACT.cast(c0.blend(c1.rearrange(SWAP1), UPPER1));
    FloatVector d1 = EXACT.cast(c0.rearrange(SWAP1).blend(c1, UPPER1));
    FloatVector d2 = EXACT.cast(c2.blend(c3.rearrange(SWAP1), UPPER1));
    FloatVector d3 = EXACT.cast(c2.rearrange(SWAP1).blend(c3, UPPER1));
    FloatVector d4 = EXACT.cast(c4.blend(c5.rearrange(SWAP1), UPPER1));
    FloatVector d5 = EXACT.cast(c4.rearrange(SWAP1).blend(c5, UPPER1));
    FloatVector d6 = EXACT.cast(c6.blend(c7.rearrange(SWAP1), UPPER1));
    FloatVector d7 = EXACT.cast(c6.rearrange(SWAP1).blend(c7, UPPER1));
    FloatVector d8 = EXACT.cast(c8.blend(c9.rearrange(SWAP1), UPPER1));
    FloatVector d9 = EXACT.cast(c8.rearrange(SWAP1).blend(c9, UPPER1));
    FloatVector d10 = EXACT.cast(c10.blend(c11.rearrange(SWAP1), UPPER1));
    FloatVector d11 = EXACT.cast(c10.rearrange(SWAP1).blend(c11, UPPER1));
    FloatVector d12 = EXACT.cast(c12.blend(c13.rearrange(SWAP1), UPPER1));
    FloatVector d13 = EXACT.cast(c12.rearrange(SWAP1).blend(c13, UPPER1));
    FloatVector d14 = EXACT.cast(c14.blend(c15.rearrange(SWAP1), UPPER1));
    FloatVector d15 = EXACT.cast(c14.rearrange(SWAP1).blend(c15, UPPER1));
    EXACT.cast(d0).intoArray(block, (h + 0) * stride + u);
    EXACT.cast(d1).intoArray(block, (h + 1) * stride + u);
    EXACT.cast(d2).intoArray(block, (h + 2) * stride + u);
    EXACT.cast(d3).intoArray(block, (h + 3) * stride + u);
    EXACT.cast(d4).intoArray(block, (h + 4) * stride + u);
    EXACT.cast(d5).intoArray(block, (h + 5) * stride + u);
    EXACT.cast(d6).intoArray(block, (h + 6) * stride + u);
    EXACT.cast(d7).intoArray(block, (h + 7) * stride + u);
    EXACT.cast(d8).intoArray(block, (h + 8) * stride + u);
    EXACT.cast(d9).intoArray(block, (h + 9) * stride + u);
    EXACT.cast(d10).intoArray(block, (h + 10) * stride + u);
    EXACT.cast(d11).intoArray(block, (h + 11) * stride + u);
    EXACT.cast(d12).intoArray(block, (h + 12) * stride + u);
    EXACT.cast(d13).intoArray(block, (h + 13) * stride + u);
    EXACT.cast(d14).intoArray(block, (h + 14) * stride + u);
    EXACT.cast(d15).intoArray(block, (h + 15) * stride + u);
  }
}
