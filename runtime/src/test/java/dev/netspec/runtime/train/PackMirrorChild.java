package dev.netspec.runtime.train;

import dev.netspec.runtime.kernels.PackedMatrix;

/**
 * {@link PackMirrorTest}'s child JVM (run with another vector width): runs the test's checks
 * and prints {@code panels of W: passed}, or the first failure.
 */
final class PackMirrorChild {
  private PackMirrorChild() {}

  public static void main(String[] args) {
    int width = PackedMatrix.pack(1, 1, new float[1], 0, 1, false).panelWidth();
    PackMirrorTest test = new PackMirrorTest();
    try {
      test.mirroredPacksTrainAsFreshPacksDo();
      test.twoStepsOverOneModelBothKeepTheirPacksCurrent();
      System.out.println("panels of " + width + ": passed");
    } catch (AssertionError e) {
      System.out.println("panels of " + width + ": " + e.getMessage());
    }
  }
}
