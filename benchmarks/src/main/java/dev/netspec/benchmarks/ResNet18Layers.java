package dev.netspec.benchmarks;

import dev.netspec.examples.BasicBlock;
import dev.netspec.examples.ResNet;
import dev.netspec.runtime.init.RandomStateDict;
import dev.netspec.runtime.kernels.Activation;
import dev.netspec.runtime.kernels.Kernels;
import dev.netspec.runtime.nn.Conv2d;
import dev.netspec.runtime.nn.Sequential;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where the generated ResNet-18's forward spends its time: the steps of {@code
 * ResNet.forward(x, out)} and {@code BasicBlock.forward(x, out)} (the same calls, on the same
 * children, each into its own buffer), each timed by the calling thread's CPU time over many
 * forwards, with its share of the whole and its GFLOP/s (multiply-adds counted twice, as
 * {@link ResNet18Benchmark} counts them). One kernel thread: with more, the pool's workers'
 * time would not be counted. The first {@code WARMUP} seconds (wall clock, 15 unless given)
 * are not counted: until C2 has compiled a kernel, the Vector API runs its Java fallback,
 * tens of times slower, and on a loaded machine the kernels a forward calls only a few times
 * (the downsamples' GEMM tiles, the stem's tile) were still in it after 10 s (a JFR of
 * {@code resnet:1}, session 16: a count of 20 forwards left them in the measured window).
 * Usage:
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar \
 *     dev.netspec.benchmarks.ResNet18Layers BATCH [SECONDS [WARMUP]]
 * </pre>
 */
public final class ResNet18Layers {
  private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

  private ResNet18Layers() {}

  /** One step of the forward: what it runs and the multiply-adds it does. */
  private record Step(String name, long macs, Runnable run) {}

  public static void main(String[] args) {
    int batch = Integer.parseInt(args[0]);
    double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 20; // after the warmup
    double warmup = args.length > 2 ? Double.parseDouble(args[2]) : 15;
    Kernels.setThreads(1);
    ResNet net = new ResNet();
    RandomStateDict.fill_(net.stateDict(), ResNet18State.SEED);
    net.eval();
    Tensor x = Tensor.randn(new Generator(ResNet18State.SEED + batch), batch, 3, 224, 224);
    Tensor logits = Tensor.zeros(batch, 1000);
    List<Step> steps = steps(net, x, logits);
    Tensor expected = net.forward(x);
    for (Step s : steps) {
      s.run.run();
    }
    if (!logits.allclose(expected, 1e-5, 1e-5)) {
      throw new IllegalStateException("the steps do not compute the generated forward");
    }
    long[] cpu = new long[steps.size()];
    long wholeCpu = 0;
    int forwards = 0;
    long warmEnd = System.nanoTime() + (long) (warmup * 1e9);
    long end = Long.MAX_VALUE; // set once warm
    boolean warm = false;
    while (System.nanoTime() < end) {
      long t0 = CPU.getCurrentThreadCpuTime();
      net.forward(x, logits);
      long t1 = CPU.getCurrentThreadCpuTime();
      for (int i = 0; i < steps.size(); i++) {
        long a = CPU.getCurrentThreadCpuTime();
        steps.get(i).run.run();
        cpu[i] += CPU.getCurrentThreadCpuTime() - a;
      }
      wholeCpu += t1 - t0;
      forwards++;
      if (!warm && forwards >= 3 && System.nanoTime() >= warmEnd) { // warmup: the JIT compiles
        java.util.Arrays.fill(cpu, 0);
        wholeCpu = 0;
        forwards = 0;
        warm = true;
        end = System.nanoTime() + (long) (seconds * 1e9);
      }
    }
    long sum = 0;
    long macs = 0;
    for (int i = 0; i < steps.size(); i++) {
      sum += cpu[i];
      macs += steps.get(i).macs;
    }
    System.out.printf(Locale.ROOT, "ResNet-18 batch %d, 1 thread, %s %s, %d forwards; CPU time"
        + " per forward: whole %.2f ms, steps summed %.2f ms%n", batch,
        System.getProperty("java.vm.name"), System.getProperty("java.version"), forwards,
        wholeCpu / 1e6 / forwards, sum / 1e6 / forwards);
    System.out.printf(Locale.ROOT, "| %-44s | %8s | %6s | %7s |%n", "step", "ms", "share",
        "GFLOP/s");
    System.out.println("|---|---:|---:|---:|");
    for (int i = 0; i < steps.size(); i++) {
      Step s = steps.get(i);
      double ms = cpu[i] / 1e6 / forwards;
      System.out.printf(Locale.ROOT, "| %-44s | %8.3f | %5.1f%% | %7s |%n", s.name, ms,
          100.0 * cpu[i] / sum, s.macs == 0 ? "-"
              : String.format(Locale.ROOT, "%.1f", 2.0 * s.macs / (ms * 1e6)));
    }
    System.out.printf(Locale.ROOT, "| %-44s | %8.3f | %5.1f%% | %7.1f |%n", "total",
        sum / 1e6 / forwards, 100.0, 2.0 * macs / ((double) sum / forwards));
  }

  /** The forward of {@code net} as steps, each into a buffer of its own. */
  private static List<Step> steps(ResNet net, Tensor x, Tensor logits) {
    List<Step> steps = new ArrayList<>();
    int batch = x.size(0);
    Tensor stem = Tensor.zeros(net.conv1.outputShape(x.shape()));
    steps.add(new Step("stem conv7x7 s2 +bn+relu", macs(net.conv1, x.shape()),
        () -> net.conv1.forwardInto(x, net.bn1, Activation.RELU, null, stem)));
    Tensor pooled = net.maxpool.forward(stem);
    steps.add(new Step("maxpool 3x3 s2", 0, () -> net.maxpool.forward(stem, pooled)));
    Tensor in = pooled;
    Sequential[] layers = {net.layer1, net.layer2, net.layer3, net.layer4};
    for (int l = 0; l < 4; l++) {
      for (int b = 0; b < 2; b++) {
        BasicBlock block = layers[l].get(b, BasicBlock.class);
        String name = "layer" + (l + 1) + "." + b + ".";
        Tensor blockIn = in;
        Tensor mid = Tensor.zeros(block.conv1.outputShape(blockIn.shape()));
        Tensor out = Tensor.zeros(mid.shape());
        steps.add(new Step(name + "conv1 " + kind(block.conv1) + " +bn+relu",
            macs(block.conv1, blockIn.shape()),
            () -> block.conv1.forwardInto(blockIn, block.bn1, Activation.RELU, null, mid)));
        Tensor identity = blockIn;
        if (block.downsample != null) {
          Conv2d down = block.downsample.get(0, Conv2d.class);
          Sequential downsample = block.downsample;
          Tensor downOut = Tensor.zeros(mid.shape());
          steps.add(new Step(name + "downsample " + kind(down) + " +bn",
              macs(down, blockIn.shape()), () -> downsample.forward(blockIn, downOut)));
          identity = downOut;
        }
        Tensor id = identity;
        steps.add(new Step(name + "conv2 " + kind(block.conv2) + " +bn+add+relu",
            macs(block.conv2, mid.shape()),
            () -> block.conv2.forwardInto(mid, block.bn2, Activation.RELU, id, out)));
        in = out;
      }
    }
    Tensor last = in;
    Tensor avg = Tensor.zeros(batch, 512, 1, 1);
    Tensor flat = Tensor.zeros(batch, 512);
    steps.add(new Step("avgpool+flatten", 0, () -> {
      net.avgpool.forward(last, avg);
      avg.flattenInto(1, -1, flat);
    }));
    steps.add(new Step("fc 512->1000", (long) batch * 512 * 1000,
        () -> net.fc.forward(flat, logits)));
    return steps;
  }

  private static String kind(Conv2d c) {
    return c.kernelSize()[0] + "x" + c.kernelSize()[1] + " s" + c.stride()[0] + " "
        + c.inChannels() + "->" + c.outChannels();
  }

  private static long macs(Conv2d c, int[] inputShape) {
    int[] o = c.outputShape(inputShape);
    return (long) o[0] * o[1] * o[2] * o[3] * c.inChannels() * c.kernelSize()[0]
        * c.kernelSize()[1];
  }
}
