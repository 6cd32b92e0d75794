package dev.netspec.runtime.seed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.loss.CrossEntropyLoss;
import dev.netspec.runtime.nn.Linear;
import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.nn.ReLU;
import dev.netspec.runtime.nn.Sequential;
import dev.netspec.runtime.optim.SGD;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import dev.netspec.runtime.train.TrainStep;
import org.junit.jupiter.api.Test;

/** docs/training.md's fast training step, as written there: the loss falls, logits come back. */
class TrainStepDocTest {
  @Test
  void theDocumentedStepTrains() {
    Module model = new Sequential(new Linear(4, 16), new ReLU(), new Linear(16, 3)).initialize(7);
    Tensor x = Tensor.randn(new Generator(1), 12, 4);
    long[] labels = new long[12];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = i % 3;
    }
    Tensor target = Tensor.ofLongs(labels, 12);
    float first = Float.NaN;
    float last = Float.NaN;

    TrainStep step = TrainStep.of(model, new CrossEntropyLoss()); // throws, naming what it lacks
    SGD sgd = new SGD(model.parameters(), 0.01);
    for (int i = 0; i < 200; i++) {
      sgd.zeroGrad();
      float loss = step.forwardBackward(x, target); // as loss.forward(model.forward(x), target)
      sgd.step();                                    //    .backward(): every p.grad() is set
      Tensor logits = step.output();                 // a buffer, overwritten by the next step
      assertArrayEquals(new int[] {12, 3}, logits.shape());
      first = i == 0 ? loss : first;
      last = loss;
    }
    assertTrue(last < 0.95f * first, first + " -> " + last); // 1.063 -> 0.955 at lr 0.01
  }
}
