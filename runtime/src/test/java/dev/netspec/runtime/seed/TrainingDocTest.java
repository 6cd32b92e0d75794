package dev.netspec.runtime.seed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.autograd.ActivationGrad;
import dev.netspec.runtime.autograd.LinearGrad;
import dev.netspec.runtime.loss.CrossEntropyLoss;
import dev.netspec.runtime.nn.Linear;
import dev.netspec.runtime.optim.ClipGrad;
import dev.netspec.runtime.optim.LinearLR;
import dev.netspec.runtime.optim.SGD;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The training example of {@code docs/training.md}: a hand-written backward of a
 * two-layer MLP on the derivative kernels, cross-entropy, clipping, SGD with momentum and a
 * linear warm-up; the loss on a fixed batch falls.
 */
class TrainingDocTest {

  @Test
  void aHandWrittenTrainingStep() {
    Generator gen = new Generator(7);
    Tensor x = Tensor.randn(gen, 16, 8);
    Tensor target = Tensor.ofLongs(new long[] {0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0},
        16);
    Linear hidden = new Linear(8, 32);
    Linear out = new Linear(32, 3);
    hidden.initialize(1);
    out.initialize(2);
    CrossEntropyLoss lossFn = new CrossEntropyLoss();
    SGD opt = new SGD(List.of(hidden.weight(), hidden.bias(), out.weight(), out.bias()),
        0.1, 0.9, 0, 0, false);
    LinearLR warmup = new LinearLR(opt, 0.1, 1.0, 5);
    float first = 0;
    float last = 0;
    for (int step = 0; step < 20; step++) {
      // forward, keeping what the backward reads
      Tensor h = hidden.forward(x).relu(); // (16, 32)
      Tensor logits = out.forward(h); // (16, 3)
      Tensor loss = lossFn.forward(logits, target);
      // backward: each derivative beside its forward, in reverse
      opt.zeroGrad();
      Tensor dLogits = lossFn.backward(Tensor.scalar(1f), logits, target);
      Tensor dh = LinearGrad.backward(dLogits, h, out.weight(), out.bias(), true);
      Tensor dz = ActivationGrad.relu(dh, h);
      LinearGrad.backward(dz, x, hidden.weight(), hidden.bias(), false);
      // update
      ClipGrad.clipGradNorm(List.of(hidden.weight(), hidden.bias(), out.weight(),
          out.bias()), 1.0);
      opt.step();
      warmup.step();
      // ...
      if (step == 0) {
        first = loss.item();
      }
      last = loss.item();
    }
    assertTrue(last < 0.5f * first, "loss fell from " + first + " to " + last);
    assertEquals(0.1, warmup.getLastLr().get(0), 1e-15, "warm-up done");
  }
}
