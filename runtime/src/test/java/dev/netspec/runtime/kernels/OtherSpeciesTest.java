package dev.netspec.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A JVM that ran Vector API code of another species first (a user's code, a library) still
 * runs the layers without allocating: before the kernels typed their vectors with {@link
 * Vectors}' exact classes, JDK 17's C2 boxed them once the JDK's shared call sites had seen a
 * second vector class (a 256 x 256 linear at batch 8 allocated 4 MB a call, a 3x3 convolution
 * 10 MB). Runs in a fresh JVM, so that no
 * other test has touched a species first, and only with {@code -Dnetspec.allocationTests=true}
 * (JIT-dependent, as the other allocation tests). The child is {@link OtherSpeciesChild}: this
 * class names no Vector API type, so that the test run without the module can load it.
 */
class OtherSpeciesTest {
  /**
   * Layers whose warm forward must allocate nothing, alone and after another species was used:
   * every layer the child runs. The 1- and 2-row Linear tiles and GELU's loops sit at C2's
   * node budget, where it stops inlining methods of ours: they boxed (1 and 3.6 KB a call, 21
   * bytes per element after another species on JDK 17) until they typed their vectors with
   * casts in place (an intrinsic), as every kernel now does, instead of helper methods.
   */
  private static final List<String> GUARDED = List.of("linear_b8", "linear_b1", "linear_b2",
      "conv3x3", "maxpool", "relu", "gelu", "layer_norm", "softmax");

  @EnabledIfSystemProperty(named = "netspec.allocationTests", matches = "true",
      disabledReason = "JIT-dependent; run with -Dnetspec.allocationTests=true")
  @Test
  void warmForwardsAllocateNothingAfterAnotherSpeciesWasUsed() throws Exception {
    Map<String, Long> bytes = childBytes("other");
    for (String layer : GUARDED) {
      assertEquals(0L, bytes.get(layer),
          layer + ": bytes of 100 warm forwards after another species (all: " + bytes + ")");
    }
  }

  /** The 2-row Linear tile boxed its epilogue once at C2's node budget (10 KB a call). */
  @EnabledIfSystemProperty(named = "netspec.allocationTests", matches = "true",
      disabledReason = "JIT-dependent; run with -Dnetspec.allocationTests=true")
  @Test
  void warmForwardsAllocateNothingAlone() throws Exception {
    Map<String, Long> bytes = childBytes("alone");
    for (String layer : GUARDED) {
      assertEquals(0L, bytes.get(layer),
          layer + ": bytes of 100 warm forwards, no other species (all: " + bytes + ")");
    }
  }

  private static Map<String, Long> childBytes(String mode) throws Exception {
    Process child = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--add-modules", "jdk.incubator.vector",
        "-cp", System.getProperty("java.class.path"), OtherSpeciesChild.class.getName(), mode)
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    List<String> lines = child.inputReader().lines().toList();
    assertTrue(child.waitFor(10, TimeUnit.MINUTES), "the child did not finish");
    Map<String, Long> bytes = new LinkedHashMap<>();
    for (String line : lines) {
      String[] parts = line.strip().split(" ");
      if (parts.length == 2) {
        bytes.put(parts[0], Long.parseLong(parts[1]));
      }
    }
    return bytes;
  }
}
