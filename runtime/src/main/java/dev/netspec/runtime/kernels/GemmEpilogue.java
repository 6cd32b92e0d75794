package dev.netspec.runtime.kernels;

import static dev.netspec.runtime.kernels.Vectors.EXACT;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The GEMM's fused epilogue on a finished tile of C, while it is still in L1: {@code C =
 * act(C + bias)} over a tile's rows of one panel ({@link #apply}), then GELU over a panel's
 * rows of a block ({@link #geluIf}). The 1- and 2-row tiles of {@link VectorGemm} that run the
 * whole reduction apply bias and ReLU on their registers instead, with the same operations in
 * the same order, so every tile gives the same floats.
 */
final class GemmEpilogue {
  private static final VectorSpecies<Float> S = VectorBackend.SPECIES;
  private static final int L = S.length();

  private GemmEpilogue() {}

  /**
   * {@code C = act(C + bias)} on a finished tile of C ({@code rows x NR}, NR two vectors),
   * {@code bias} two vectors at {@code biasOff} or null. Kept out of the tiles so each tile
   * stays small enough for C2 to inline every Vector API call (past its inlining budget,
   * vectors are boxed: an allocation each). One loop per case, so no vector comes from two
   * branches and a missing bias adds nothing (adding zeros would turn {@code -0.0} into
   * {@code 0.0}). GELU is not applied here ({@link #geluIf}).
   */
  static void apply(int rows, float[] c, int c0, int ldc, float[] bias, int biasOff,
      Activation act) {
    boolean relu = act == Activation.RELU;
    if (bias == null) {
      if (relu) {
        reluRows(rows, c, c0, ldc);
      }
    } else if (relu) {
      addBiasRelu(rows, c, c0, ldc, bias, biasOff);
    } else {
      addBias(rows, c, c0, ldc, bias, biasOff);
    }
  }

  /**
   * GELU over {@code rows x cols} of C (a panel's rows of a block, just written, so still in
   * L1) when {@code act} is {@link Activation#GELU}: the same floats as {@link
   * VectorGelu#gelu} on the stored sums.
   */
  static void geluIf(Activation act, int rows, int cols, float[] c, int c0, int ldc) {
    if (act == Activation.GELU) {
      VectorGelu.rows(rows, cols, c, c0, ldc);
    }
  }

  private static void addBiasRelu(int rows, float[] c, int c0, int ldc, float[] bias,
      int biasOff) {
    FloatVector bias0 = EXACT.cast(FloatVector.fromArray(S, bias, biasOff));
    FloatVector bias1 = EXACT.cast(FloatVector.fromArray(S, bias, biasOff + L));
    for (int r = 0; r < rows; r++) {
      int at = c0 + r * ldc;
      FloatVector c0v = EXACT.cast(FloatVector.fromArray(S, c, at)).add(bias0);
      FloatVector c1v = EXACT.cast(FloatVector.fromArray(S, c, at + L)).add(bias1);
      EXACT.cast(VectorBackend.relu(c0v)).intoArray(c, at);
      EXACT.cast(VectorBackend.relu(c1v)).intoArray(c, at + L);
    }
  }

  private static void addBias(int rows, float[] c, int c0, int ldc, float[] bias,
      int biasOff) {
    FloatVector bias0 = EXACT.cast(FloatVector.fromArray(S, bias, biasOff));
    FloatVector bias1 = EXACT.cast(FloatVector.fromArray(S, bias, biasOff + L));
    for (int r = 0; r < rows; r++) {
      int at = c0 + r * ldc;
      EXACT.cast(EXACT.cast(FloatVector.fromArray(S, c, at)).add(bias0)).intoArray(c, at);
      EXACT.cast(EXACT.cast(FloatVector.fromArray(S, c, at + L)).add(bias1)).intoArray(c, at + L);
    }
  }

  private static void reluRows(int rows, float[] c, int c0, int ldc) {
    for (int r = 0; r < rows; r++) {
      int at = c0 + r * ldc;
      FloatVector c0v = EXACT.cast(FloatVector.fromArray(S, c, at));
      FloatVector c1v = EXACT.cast(FloatVector.fromArray(S, c, at + L));
      EXACT.cast(VectorBackend.relu(c0v)).intoArray(c, at);
      EXACT.cast(VectorBackend.relu(c1v)).intoArray(c, at + L);
    }
  }
}
