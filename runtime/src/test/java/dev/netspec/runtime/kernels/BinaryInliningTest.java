package dev.netspec.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The element-wise binary kernels allocate nothing even where C2 inlines none of our kernel
 * methods (they call none: vectors are typed in place, see {@link Vectors}): what happens past
 * C2's node budget, or when a callee was compiled on its own first and is "already compiled
 * into a big method". That is how GPT-2's decode step allocated 5.5 MB per step at context 512: the attention's rescaling
 * and accumulation ran {@code binary}/{@code binaryScalar}, whose shared per-vector helper
 * (operation and two vectors in, a vector out) C2 had compiled alone, so every vector crossing
 * it was boxed. A fresh JVM ({@link Child}) runs them with inlining of every method of the
 * kernels package turned off and prints the bytes 20 warm rounds allocate. JIT-dependent,
 * so only with {@code -Dnetspec.allocationTests=true}, as the other allocation tests.
 */
class BinaryInliningTest {
  private static final int SECONDS = 60;

  @EnabledIfSystemProperty(named = "netspec.allocationTests", matches = "true",
      disabledReason = "JIT-dependent; run with -Dnetspec.allocationTests=true")
  @Test
  void binaryKernelsAllocateNothingWithoutInlining() throws IOException, InterruptedException {
    List<String> command = List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--add-modules", "jdk.incubator.vector",
        "-XX:CompileCommand=quiet",
        "-XX:CompileCommand=dontinline,dev.netspec.runtime.kernels.*::*",
        "-cp", System.getProperty("java.class.path"), Child.class.getName(),
        Integer.toString(SECONDS));
    Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
    List<String> lines = child.inputReader().lines().toList();
    assertTrue(child.waitFor(SECONDS + 60L, TimeUnit.SECONDS), "the child finishes");
    assertEquals(1, lines.size(), "one line of bytes, got " + lines);
    assertEquals(0, Long.parseLong(lines.get(0).strip()),
        "bytes of 20 warm rounds of every binary operation, without inlining");
  }

  /** The child JVM: every operation of both kernels, warmed until 20 rounds allocate nothing. */
  static final class Child {
    private static final BinaryOp[] OPS = BinaryOp.values();

    private Child() {}

    public static void main(String[] args) {
      long deadline = System.nanoTime() + Long.parseLong(args[0]) * 1_000_000_000L;
      com.sun.management.ThreadMXBean threads =
          (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
      int n = 64 + 3; // a tail too
      float[] x = new float[n];
      float[] y = new float[n];
      float[] out = new float[n];
      for (int i = 0; i < n; i++) {
        x[i] = i - 20;
        y[i] = 1 + i % 7;
      }
      long bytes = Long.MAX_VALUE;
      while (bytes != 0 && System.nanoTime() < deadline) {
        for (int i = 0; i < 2000; i++) {
          round(x, y, out, n);
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 20; i++) {
          round(x, y, out, n);
        }
        bytes = threads.getCurrentThreadAllocatedBytes() - before;
      }
      System.out.println(bytes);
    }

    private static void round(float[] x, float[] y, float[] out, int n) {
      for (BinaryOp op : OPS) {
        Kernels.binary(op, x, 0, y, 0, out, 0, n);
        Kernels.binaryScalar(op, x, 0, 0.5f, out, 0, n);
      }
    }
  }
}
