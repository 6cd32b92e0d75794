package dev.netspec.runtime.kernels;

import dev.netspec.runtime.autograd.GradMode;
import dev.netspec.runtime.nn.Conv2d;
import dev.netspec.runtime.nn.GELU;
import dev.netspec.runtime.nn.LayerNorm;
import dev.netspec.runtime.nn.Linear;
import dev.netspec.runtime.nn.MaxPool2d;
import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.nn.ReLU;
import dev.netspec.runtime.nn.Softmax;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.lang.management.ManagementFactory;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link OtherSpeciesTest}'s child JVM: runs the Vector API operations the kernels use on
 * another float species (and on ints) until C2 has compiled them, then prints, per layer, the
 * bytes of 100 warm {@code forward(x, out)} calls (one line {@code name bytes} each).
 */
final class OtherSpeciesChild {
  private OtherSpeciesChild() {}

  public static void main(String[] args) {
    float sink = args.length > 0 && args[0].equals("alone") ? 0 : useAnotherSpecies();
    try (GradMode.Scope ignored = GradMode.noGrad()) {
      Generator g = new Generator(1);
      report("linear_b8", new Linear(256, 256), Tensor.rand(g, 8, 256), Tensor.zeros(8, 256));
      report("linear_b1", new Linear(256, 256), Tensor.rand(g, 1, 256), Tensor.zeros(1, 256));
      report("linear_b2", new Linear(256, 256), Tensor.rand(g, 2, 256), Tensor.zeros(2, 256));
      report("conv3x3", new Conv2d(16, 32, 3, 1, 1).eval(), Tensor.rand(g, 1, 16, 16, 16),
          Tensor.zeros(1, 32, 16, 16));
      report("maxpool", new MaxPool2d(3, 2, 1), Tensor.rand(g, 1, 16, 32, 32),
          Tensor.zeros(1, 16, 16, 16));
      report("relu", new ReLU(), Tensor.randn(g, 8, 256), Tensor.zeros(8, 256));
      report("gelu", new GELU(), Tensor.randn(g, 8, 256), Tensor.zeros(8, 256));
      report("layer_norm", new LayerNorm(256), Tensor.randn(g, 8, 256), Tensor.zeros(8, 256));
      report("softmax", new Softmax(-1), Tensor.randn(g, 8, 256), Tensor.zeros(8, 256));
    }
    System.out.println(sink == 12345.678f ? "!" : "");
  }

  /** Warm until a round allocates nothing (at most 40 rounds), then print the last round. */
  private static void report(String name, Module layer, Tensor x, Tensor out) {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long bytes = Long.MAX_VALUE;
    for (int round = 0; round < 40 && bytes != 0; round++) {
      for (int i = 0; i < 400; i++) {
        layer.forward(x, out);
      }
      long start = threads.getCurrentThreadAllocatedBytes();
      for (int i = 0; i < 100; i++) {
        layer.forward(x, out);
      }
      bytes = threads.getCurrentThreadAllocatedBytes() - start;
    }
    System.out.println(name + " " + bytes);
  }

  /** Loads, stores, arithmetic, FMA, compares, blends and reductions of 128- or 256-bit. */
  private static float useAnotherSpecies() {
    VectorSpecies<Float> other = VectorBackend.SPECIES.vectorBitSize() == 128
        ? FloatVector.SPECIES_256 : FloatVector.SPECIES_128;
    VectorSpecies<Integer> ints = IntVector.SPECIES_128;
    float[] b = new float[1024];
    int[] n = new int[1024];
    java.util.Arrays.fill(b, 0.5f);
    float acc = 0;
    for (int r = 0; r < 6_000; r++) {
      FloatVector v = FloatVector.zero(other);
      FloatVector w = FloatVector.broadcast(other, 1.5f);
      IntVector k = IntVector.zero(ints);
      for (int i = 0; i < other.loopBound(b.length); i += other.length()) {
        FloatVector u = FloatVector.fromArray(other, b, i);
        v = u.fma(w, v).add(u).sub(w).mul(u).div(w).max(v).min(w).neg().abs();
        v = v.blend(u, v.lt(u)).blend(w, v.compare(VectorOperators.GT, w));
        v = v.lanewise(VectorOperators.EXP).lanewise(VectorOperators.MUL, 0.25f);
        u.intoArray(b, i);
        k = k.add(IntVector.fromArray(ints, n, i % 512)).max(k);
        k.intoArray(n, i % 512);
      }
      acc += v.reduceLanes(VectorOperators.ADD) + v.reduceLanes(VectorOperators.MAX)
          + k.reduceLanes(VectorOperators.MIN);
    }
    return acc;
  }
}
