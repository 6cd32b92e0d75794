package dev.netspec.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The vector sum and dot add their lanes in one defined order, so an interpreted call and a
 * C2-compiled one give the same bits: a child JVM run with {@code -Xint} (nothing compiled)
 * against this JVM after 30,000 calls. {@code reduceLanes(ADD)} failed this by 1 ulp.
 */
class LaneOrderTest {
  @Test
  void interpretedAndCompiledCallsGiveTheSameBits() throws Exception {
    Backend vector = new VectorBackend();
    float[] x = LaneOrderChild.input();
    String first = LaneOrderChild.bits(vector, x);
    for (int call = 0; call < 30_000; call++) {
      LaneOrderChild.bits(vector, x);
    }
    String warm = LaneOrderChild.bits(vector, x);
    assertEquals(first, warm, "sum and dot bits, first call and after 30,000");

    Process child = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xint", "--add-modules", "jdk.incubator.vector",
        "-cp", System.getProperty("java.class.path"), LaneOrderChild.class.getName())
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    List<String> lines = child.inputReader().lines().toList();
    assertTrue(child.waitFor(5, TimeUnit.MINUTES), "the -Xint child did not finish");
    assertEquals(List.of(warm), lines, "sum and dot bits: -Xint child vs this JVM warmed up");
  }
}
