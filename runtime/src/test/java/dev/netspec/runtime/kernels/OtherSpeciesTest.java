package dev.netspec.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A JVM that used another Vector API species before (a user's code, a library) still runs a
 * linear layer without allocating. On JDK 17 it does not: C2 then boxes the kernels' vectors
 * (measured: 4 MB and 20 to 60 times the time per call of a 256 x 256 linear at batch 8),
 * which no JVM flag we tried avoids, and JDK 25 does not do (0 bytes); docs/performance.md
 * says so. Runs in a fresh JVM, so that no other test has touched a species first, and only
 * with {@code -Dnetspec.allocationTests=true} (JIT-dependent, as the other allocation tests).
 * The child is {@link OtherSpeciesChild}: this class names no Vector API type, so that the
 * test run without the module can load it.
 */
class OtherSpeciesTest {
  @EnabledIfSystemProperty(named = "netspec.allocationTests", matches = "true",
      disabledReason = "JIT-dependent; run with -Dnetspec.allocationTests=true")
  @Test
  void aForwardAllocatesNothingAfterAnotherSpeciesWasUsed() throws Exception {
    assumeTrue(Runtime.version().feature() >= 25, "JDK 17 boxes the kernels' vectors once"
        + " another species is in use (docs/performance.md); measured unaffected on JDK 25");
    Process child = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--add-modules", "jdk.incubator.vector",
        "-cp", System.getProperty("java.class.path"), OtherSpeciesChild.class.getName())
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    List<String> lines = child.inputReader().lines().toList();
    assertEquals(true, child.waitFor(5, TimeUnit.MINUTES));
    assertEquals(List.of("0"), lines.stream().map(String::strip).toList(),
        "bytes allocated by 200 warm 256 x 256 linear forwards after another species");
  }
}
