package dev.netspec.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The generated ResNet-18's {@code forward(x, output)} allocates 0 bytes once warm: every
 * fused convolution, pooling, block and the final {@code fc} Linear, in one JVM. Each case runs
 * in a fresh JVM ({@link ResNetAllocationChild}), so that no other test's profile is in it, and
 * only with {@code -Dnetspec.allocationTests=true} (JIT-dependent, as the other allocation
 * tests). "Warm" took long here: {@code fc} runs once per forward, and its few Vector API
 * kernel calls per forward boxed their vectors until C2 had compiled them, about 600 forwards
 * (1,800 before its small-batch tiles took in their epilogue); its leftover panels now run in
 * plain Java (docs/performance.md).
 */
class ResNetAllocationTest {
  /** How long a child may warm the network (a loaded 2-core machine needed 150 s). */
  private static final int SECONDS = 240;

  @EnabledIfSystemProperty(named = "netspec.allocationTests", matches = "true",
      disabledReason = "JIT-dependent; run with -Dnetspec.allocationTests=true")
  @Test
  void warmForwardAllocatesNothing() throws Exception {
    assertEquals(0, bytesOnceWarm("none"), "bytes of 20 warm forwards at 1x3x32x32");
  }

  /**
   * The same after the JVM ran Vector API code of another species: JDK 17's C2 then boxes the
   * kernels' vectors (docs/performance.md, "Other Vector API code in the same JVM"), JDK 25's
   * does not.
   */
  @EnabledIfSystemProperty(named = "netspec.allocationTests", matches = "true",
      disabledReason = "JIT-dependent; run with -Dnetspec.allocationTests=true")
  @Test
  void warmForwardAllocatesNothingAfterAnotherSpeciesWasUsed() throws Exception {
    assumeTrue(Runtime.version().feature() >= 25, "JDK 17 boxes the kernels' vectors once"
        + " another species is in use (docs/performance.md); measured unaffected on JDK 25");
    assertEquals(0, bytesOnceWarm("other-species"),
        "bytes of 20 warm forwards at 1x3x32x32 after another species");
  }

  /**
   * Its {@code fc} at batch 1 (a matrix-vector product) allocates nothing within 240 calls,
   * given time for the JIT: the panels its 4-panel tile leaves (2.5 of 62.5) run in plain Java
   * (SmallPanels), which allocates nothing before C2 compiles it. With Vector API tiles for them
   * it allocated 165 KB per call until about call 450 (each ran once or twice per call; C2
   * takes a method after 600 calls at the least), which kept the whole network allocating at
   * 1x3x224x224 for as long.
   */
  @EnabledIfSystemProperty(named = "netspec.allocationTests", matches = "true",
      disabledReason = "JIT-dependent; run with -Dnetspec.allocationTests=true")
  @Test
  void fcAtBatch1AllocatesNothingWithinAFewHundredCalls() throws Exception {
    assertEquals(0, AllocationProbe.bytesOnceWarm(FcAllocationChild.class, 60, "240"),
        "bytes of 20 calls of fc (512 -> 1000) at batch 1 within 240 calls");
  }

  /**
   * At batch 8 within JMH's warmup (about 40 forwards): {@code fc}'s last panel (8 columns of
   * 1,000) ran in a Vector API tile once per forward, boxing its vectors (345 KB a forward on
   * 512-bit vectors) until C2 compiled it after about a hundred forwards at this input and
   * several hundred at 224x224; it now runs in plain Java ({@code SmallPanels}). 40 forwards,
   * then rounds of 20 after a pause, 100 in all.
   */
  @EnabledIfSystemProperty(named = "netspec.allocationTests", matches = "true",
      disabledReason = "JIT-dependent; run with -Dnetspec.allocationTests=true")
  @Test
  void batch8AllocatesNothingAfterAShortWarmup() throws Exception {
    assertEquals(0, AllocationProbe.bytesOnceWarm(ResNetAllocationChild.class, 120, "batch8",
        "100"), "bytes of 20 forwards at 8x3x32x32 within 100 forwards");
  }

  /**
   * ResNet-18 as the benchmarks run it, 8x3x224x224 on 2 kernel threads: after 200 forwards
   * (JMH's warmup is a few dozen at this size; C2 has long compiled everything by then), 10
   * more allocate nothing on the calling thread or on the pool's worker: every convolution's
   * padded copy, task scratch and the pooling and {@code fc} buffers are reused.
   */
  @EnabledIfSystemProperty(named = "netspec.allocationTests", matches = "true",
      disabledReason = "JIT-dependent; run with -Dnetspec.allocationTests=true")
  @Test
  void batch8At224OnTwoThreadsAllocatesNothingOnceWarm() throws Exception {
    assertEquals(0, AllocationProbe.bytesOnceWarm(ResNetAllocationChild.class, 1200,
        "batch8-224", "2", "200", "10"),
        "bytes of 10 forwards at 8x3x224x224 on 2 threads after 200 (caller and worker)");
  }

  /** The child's bytes of 20 forwards once 0 or after {@link #SECONDS}. */
  private static long bytesOnceWarm(String mode) throws IOException, InterruptedException {
    return AllocationProbe.bytesOnceWarm(ResNetAllocationChild.class, SECONDS, mode, Integer.toString(SECONDS));
  }
}
