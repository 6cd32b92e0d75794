package dev.netspec.benchmarks;

import dev.netspec.runtime.autograd.GradMode;
import dev.netspec.runtime.kernels.Kernels;
import dev.netspec.runtime.loss.CrossEntropyLoss;
import dev.netspec.runtime.nn.Linear;
import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.nn.Parameter;
import dev.netspec.runtime.nn.ReLU;
import dev.netspec.runtime.nn.Sequential;
import dev.netspec.runtime.optim.SGD;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import dev.netspec.runtime.train.TrainStep;
import java.util.List;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * One training step of the 784-1024-1024-10 MLP (Linear, ReLU, Linear, ReLU, Linear) with
 * cross-entropy and plain SGD (lr 0.01): {@code zeroGrad}, forward, loss, backward, update.
 * {@link #step} runs the tape-free {@link TrainStep} (what {@code Trainer} uses for this
 * model), {@link #tapeStep} the tape ({@code loss.forward(model.forward(x), t).backward()}).
 * About {@code 2 * batch * (3 * (784*1024 + 1024*1024 + 1024*10) - 784*1024)} flops: the
 * forward, every weight's gradient and every input gradient but the first layer's. Each
 * iteration starts from the same weights (a step on one batch keeps lowering its loss).
 * The PyTorch peer is benchmarks/peers/python/torch_train_bench.py.
 */
public class TrainStepBenchmark extends KernelBenchmark {
  @Param({"784-1024-1024-10"})
  String model;

  @Param({"64"})
  int batch;

  @Param({"1", "2"})
  int threads;

  private Sequential net;
  private List<Parameter> params;
  private Tensor[] initial;
  private Tensor x;
  private Tensor target;
  private CrossEntropyLoss loss;
  private SGD sgd;
  private TrainStep fast;

  @Setup
  public void setup() {
    Kernels.setThreads(threads);
    int[] widths = Mlp.widths(model);
    net = new Sequential();
    for (int l = 0; l + 1 < widths.length; l++) {
      if (l > 0) {
        net.append(new ReLU());
      }
      net.append(new Linear(widths[l], widths[l + 1]));
    }
    net.initialize(0);
    params = net.parameters();
    initial = params.stream().map(p -> p.data().clone()).toArray(Tensor[]::new);
    x = Tensor.randn(new Generator(1), batch, widths[0]);
    long[] labels = new long[batch];
    for (int i = 0; i < batch; i++) {
      labels[i] = i % widths[widths.length - 1];
    }
    target = Tensor.ofLongs(labels, batch);
    loss = new CrossEntropyLoss();
    sgd = new SGD(params, 0.01);
    fast = TrainStep.of(net, loss);
  }

  /** Grad mode on (the tape step records), and the initial weights back. */
  @Override
  @Setup(Level.Iteration)
  public void noGrad() {
    for (int i = 0; i < initial.length; i++) { // allocation-free, so B/op is the steps'
      Tensor p = params.get(i).data();
      System.arraycopy(initial[i].array(), 0, p.array(), p.arrayOffset(), (int) p.numel());
      p.bumpVersion();
    }
    GradMode.setEnabled(true);
  }

  @Benchmark
  public Module step() {
    sgd.zeroGrad();
    fast.forwardBackward(x, target);
    sgd.step();
    return net;
  }

  @Benchmark
  public Module tapeStep() {
    sgd.zeroGrad();
    loss.forward(net.forward(x), target).backward();
    sgd.step();
    return net;
  }
}
