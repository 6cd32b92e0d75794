package dev.netspec.runtime.seed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.loss.CrossEntropyLoss;
import dev.netspec.runtime.nn.Linear;
import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.nn.ReLU;
import dev.netspec.runtime.nn.Sequential;
import dev.netspec.runtime.optim.Adam;
import dev.netspec.runtime.optim.StepLR;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import dev.netspec.runtime.train.MetricsLog;
import dev.netspec.runtime.train.TensorDataset;
import dev.netspec.runtime.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docs/training.md's training loop, as written there: it runs, learns and leaves its files. */
class TrainingLoopTest {
  @TempDir Path dir;

  @Test
  void theDocumentedLoopTrains() throws Exception {
    Generator g = new Generator(1);
    float[] xs = new float[120 * 4];
    long[] ts = new long[120];
    for (int i = 0; i < ts.length; i++) {
      ts[i] = i % 3;
      for (int j = 0; j < 4; j++) {
        xs[i * 4 + j] = (float) (g.nextGaussian() * 0.7 + (j == ts[i] ? 2 : 0));
      }
    }
    Tensor x = Tensor.fromArray(xs, 120, 4);
    Tensor target = Tensor.ofLongs(ts, 120);
    TensorDataset validation = new TensorDataset(x.slice(0, 0, 30), target.slice(0, 0, 30));

    Module model = new Sequential(new Linear(4, 16), new ReLU(), new Linear(16, 3)).initialize(7);
    Adam opt = new Adam(model.parameters(), 0.01);
    Trainer trainer = new Trainer(model, new CrossEntropyLoss(), opt, new StepLR(opt, 2, 0.5),
        new Trainer.Options(16, 6, true, 3, 0, 0)); // batch, epochs, shuffle, seed, clip, ckpt
    trainer.checkpointTo(dir.resolve("checkpoint.safetensors")); // dir: a Path, such as run/
    trainer.fit(new TensorDataset(x, target), validation, new MetricsLog(dir, null));

    assertEquals(48, trainer.position().step(), "6 epochs of 8 batches");
    assertTrue(Files.exists(dir.resolve("checkpoint.safetensors")));
    List<String> epochs = Files.readAllLines(dir.resolve("epochs.csv"));
    assertEquals(7, epochs.size());
    assertTrue(Double.parseDouble(epochs.get(6).split(",")[4]) > 0.8, epochs.toString());
    assertTrue(Files.readString(dir.resolve("metrics.svg")).startsWith("<svg"));
  }
}
