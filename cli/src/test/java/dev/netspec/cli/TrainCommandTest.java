package dev.netspec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.io.SafeTensors;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/**
 * {@code netspec train} in process: a small classifier learns three Gaussian blobs, the
 * metrics files hold what the run printed, a run resumed from its checkpoint ends with the
 * weights of an uninterrupted one, and each mistake is one line with the right exit code.
 */
class TrainCommandTest {
  static final String SPEC = """
      netspec: 1
      package: t
      blocks:
        Clf:
          input: [batch, 4]
          sequential: [{linear: 16}, relu, {linear: 3}]
      train:
        loss: cross_entropy
        optimizer: {adam: {lr: 0.01}}
        schedule: {step_lr: {step_size: 2, gamma: 0.5}}
        batch_size: 16
        epochs: 4
        seed: 3
      """;

  @TempDir Path tmp;

  /** Three Gaussian blobs in 4-D, {@code perClass} points each, labelled 0, 1, 2. */
  static Path blobs(Path file, long seed, int perClass) throws IOException {
    Generator g = new Generator(seed);
    float[] x = new float[3 * perClass * 4];
    long[] t = new long[3 * perClass];
    for (int i = 0; i < t.length; i++) {
      t[i] = i % 3;
      for (int j = 0; j < 4; j++) {
        x[i * 4 + j] = (float) (g.nextGaussian() * 0.7 + (j == t[i] ? 2 : 0));
      }
    }
    Map<String, Tensor> data = new LinkedHashMap<>();
    data.put("x", Tensor.fromArray(x, t.length, 4));
    data.put("target", Tensor.ofLongs(t, t.length));
    SafeTensors.save(data, file);
    return file;
  }

  private Path spec(String text) throws IOException {
    Path p = tmp.resolve("clf.yaml");
    Files.writeString(p, text);
    return p;
  }

  static List<String[]> csv(Path file) throws IOException {
    List<String[]> rows = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      rows.add(line.split(",", -1));
    }
    return rows;
  }

  @Test
  void outputsThatCannotBeWrittenAreRefusedBeforeTraining() throws Exception {
    Path spec = spec(SPEC);
    Path data = blobs(tmp.resolve("train.safetensors"), 1, 40);
    // --save-weights naming a folder: said before the first epoch, not after the last
    Cli r = Cli.run("train", spec.toString(), "--data", data.toString(), "--save-weights", tmp.toString());
    assertEquals(Netspec.USER_ERROR, r.code(), r::toString);
    assertEquals(tmp + ": error: is a folder; give --save-weights a file to write, such as "
        + tmp.resolve("weights.safetensors") + "\n", r.err());
    assertEquals("", r.out());
    // --checkpoint naming a file
    Path w = tmp.resolve("w.safetensors");
    r = Cli.run("train", spec.toString(), "--data", data.toString(), "--save-weights", w.toString(),
        "--checkpoint", data.toString());
    assertEquals(Netspec.USER_ERROR, r.code(), r::toString);
    assertEquals(data + ": error: is a file; give --checkpoint a folder (it is created if missing)\n", r.err());
    assertEquals("", r.out());
    assertTrue(Files.notExists(w));
  }

  @Test
  void trainsPrintsEpochLinesAndWritesMetrics() throws Exception {
    Path spec = spec(SPEC);
    Path data = blobs(tmp.resolve("train.safetensors"), 1, 40);
    Path val = blobs(tmp.resolve("val.safetensors"), 2, 20);
    Path ck = tmp.resolve("run");
    Path w = tmp.resolve("w.safetensors");
    Cli r = Cli.run("train", spec.toString(), "--data", data.toString(), "--validation",
        val.toString(), "--save-weights", w.toString(), "--checkpoint", ck.toString());
    assertEquals(0, r.code(), r::toString);
    assertTrue(r.out().startsWith("training Clf on 120 samples, validating on 60: cross_entropy,"
        + " adam(lr=0.01), step_lr(gamma=0.5, step_size=2), batch size 16, 4 epochs\n"), r::toString);
    for (int e = 1; e <= 4; e++) {
      assertTrue(r.out().contains("epoch " + e + "/4: loss "), r::toString);
    }
    assertTrue(r.out().contains("validation accuracy"), r::toString);

    List<String[]> steps = csv(ck.resolve("steps.csv"));
    assertEquals("step,epoch,batch,loss,accuracy,lr", String.join(",", steps.get(0)));
    assertEquals(1 + 4 * 8, steps.size(), "120 samples in batches of 16: 8 steps an epoch");
    assertEquals("32", steps.get(32)[0]);
    assertEquals("0.005", steps.get(32)[5], "StepLR halves the rate after epoch 2");
    List<String[]> epochs = csv(ck.resolve("epochs.csv"));
    assertEquals(5, epochs.size());
    double first = Double.parseDouble(epochs.get(1)[1]);
    double last = Double.parseDouble(epochs.get(4)[1]);
    assertTrue(last < 0.8 * first, "the training loss falls: " + first + " -> " + last);
    assertTrue(Double.parseDouble(epochs.get(4)[4]) > 0.8, "validation accuracy");
    // the epoch line prints the CSV's values
    assertTrue(r.out().contains(String.format(java.util.Locale.ROOT, "epoch 4/4: loss %.4f",
        last)), r::toString);

    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    Document svg = f.newDocumentBuilder().parse(ck.resolve("metrics.svg").toFile());
    assertEquals("svg", svg.getDocumentElement().getLocalName());
    assertTrue(svg.getElementsByTagName("polyline").getLength() >= 4, "loss and accuracy curves");

    Map<String, Tensor> trained = SafeTensors.load(w).tensors();
    assertEquals(List.of("0.bias", "0.weight", "2.bias", "2.weight"),
        new ArrayList<>(new java.util.TreeMap<>(trained).keySet()));
  }

  @Test
  void aResumedRunEndsWithTheWeightsOfAnUninterruptedOne() throws Exception {
    Path spec = spec(SPEC);
    Path data = blobs(tmp.resolve("train.safetensors"), 1, 40);
    Path whole = tmp.resolve("whole.safetensors");
    assertEquals(0, Cli.run("train", spec.toString(), "--data", data.toString(),
        "--save-weights", whole.toString()).code());
    Path ck = tmp.resolve("ck");
    Path half = tmp.resolve("half.safetensors");
    Cli first = Cli.run("train", spec.toString(), "--data", data.toString(), "--epochs", "2",
        "--save-weights", half.toString(), "--checkpoint", ck.toString());
    assertEquals(0, first.code(), first::toString);
    Path resumed = tmp.resolve("resumed.safetensors");
    Cli second = Cli.run("train", spec.toString(), "--data", data.toString(), "--resume",
        "--save-weights", resumed.toString(), "--checkpoint", ck.toString());
    assertEquals(0, second.code(), second::toString);
    assertTrue(second.out().contains("; resumed at epoch 3, step 16"), second::toString);
    assertTrue(!second.out().contains("epoch 2/4"), second::toString);
    assertEquals(33, csv(ck.resolve("steps.csv")).size(), "the steps of both runs, once");
    KillResumeTest.assertSameBits(whole, resumed);
  }

  @Test
  void weightsOrACheckpointOfAnotherModelAreOneLine() throws Exception {
    Path data = blobs(tmp.resolve("train.safetensors"), 1, 4);
    Path spec = spec(SPEC);
    Path ck = tmp.resolve("ck");
    Path w = tmp.resolve("w.safetensors");
    assertEquals(0, Cli.run("train", spec.toString(), "--data", data.toString(), "--epochs", "1",
        "--save-weights", w.toString(), "--checkpoint", ck.toString()).code());
    // the same block, 8 hidden units instead of 16
    Path narrow = spec(SPEC.replace("{linear: 16}", "{linear: 8}"));
    Path w2 = tmp.resolve("w2.safetensors");
    Cli r = Cli.run("train", narrow.toString(), "--data", data.toString(), "--weights",
        w.toString(), "--save-weights", w2.toString());
    assertEquals(1, r.code(), r::toString);
    assertEquals(w + ": error: the weights do not fit Clf: 0.weight is [16, 4] in the file,"
        + " [8, 4] in Clf, 0.bias is [16] in the file, [8] in Clf, 1 more shape mismatch\n",
        r.err());
    r = Cli.run("train", narrow.toString(), "--data", data.toString(), "--resume",
        "--save-weights", w2.toString(), "--checkpoint", ck.toString());
    assertEquals(1, r.code(), r::toString);
    assertEquals(ck.resolve("checkpoint.safetensors") + ": error: the checkpoint's model does"
        + " not fit Clf: 0.weight is [16, 4] in the file, [8, 4] in Clf, 0.bias is [16] in the"
        + " file, [8] in Clf, 1 more shape mismatch\n", r.err());
    assertTrue(Files.notExists(w2));
  }

  @Test
  void theEpochLinePrintsTheRateAsWritten() {
    // StepLR's rate after two steps of gamma 0.3 from 0.001: 9e-05 (PyTorch prints 9e-05)
    assertEquals("0.00009", TrainCommand.lr(0.001 * 0.3 * 0.3));
    assertEquals("0.0003", TrainCommand.lr(0.001 * 0.3));
    assertEquals("0.001", TrainCommand.lr(0.001));
    assertEquals("0.1", TrainCommand.lr(0.1));
    assertEquals("1E-8", TrainCommand.lr(1e-8));
  }

  @Test
  void mistakesAreOneLineWithTheirExitCode() throws Exception {
    Path data = blobs(tmp.resolve("train.safetensors"), 1, 4);
    Path w = tmp.resolve("w.safetensors");
    Path noTrain = spec(SPEC.substring(0, SPEC.indexOf("train:")));
    Cli r = Cli.run("train", noTrain.toString(), "--data", data.toString(), "--save-weights",
        w.toString());
    assertEquals(1, r.code(), r::toString);
    assertEquals(noTrain + ": error: no 'train:' section: say how to train (loss, optimizer,"
        + " batch_size, epochs; see docs/spec/train-section.md)\n", r.err());

    Path spec = spec(SPEC);
    Path bad = tmp.resolve("bad.safetensors");
    SafeTensors.save(Map.of("x", Tensor.zeros(3, 4)), bad);
    r = Cli.run("train", spec.toString(), "--data", bad.toString(), "--save-weights", w.toString());
    assertEquals(1, r.code(), r::toString);
    assertEquals(bad + ": error: no tensor named 'target' (found: x); training data holds 'x'"
        + " and 'target'\n", r.err());

    // Clf takes [batch, 4]: data of [n, 2, 2] hold the same values per sample
    Path square = tmp.resolve("square.safetensors");
    SafeTensors.save(Map.of("x", Tensor.zeros(3, 2, 2), "target", Tensor.ofLongs(new long[3], 3)),
        square);
    r = Cli.run("train", spec.toString(), "--data", square.toString(), "--save-weights",
        w.toString());
    assertEquals(1, r.code(), r::toString);
    assertEquals(square + ": error: 'x' has shape [3, 2, 2], but Clf takes [batch, 4]; it holds"
        + " the same 4 values per sample: reshape it to [3, 4] (x.view(-1, 4) in PyTorch)\n",
        r.err());

    Path floats = tmp.resolve("floats.safetensors");
    SafeTensors.save(Map.of("x", Tensor.zeros(3, 4), "target", Tensor.zeros(3)), floats);
    r = Cli.run("train", spec.toString(), "--data", floats.toString(), "--save-weights",
        w.toString());
    assertEquals(1, r.code(), r::toString);
    assertTrue(r.err().startsWith(floats + ": error: cannot train Clf with cross_entropy on this"
        + " data: cross_entropy: target must hold class indices as int64"), r::toString);
    assertTrue(!Files.exists(w), "nothing written");

    // the training data are right; the validation file's class 7 is outside Clf's 3 classes
    Path wrongClass = tmp.resolve("wrong-class.safetensors");
    SafeTensors.save(Map.of("x", Tensor.zeros(2, 4), "target", Tensor.ofLongs(new long[] {0, 7},
        2)), wrongClass);
    r = Cli.run("train", spec.toString(), "--data", data.toString(), "--validation",
        wrongClass.toString(), "--save-weights", w.toString());
    assertEquals(1, r.code(), r::toString);
    assertTrue(r.err().startsWith(wrongClass + ": error: cannot validate Clf with cross_entropy"
        + " on this data: "), r::toString);
    assertEquals(1, r.err().lines().count(), r::toString);
    assertTrue(!Files.exists(w), "nothing written");

    r = Cli.run("train", spec.toString(), "--data", data.toString(), "--save-weights",
        w.toString(), "--resume");
    assertEquals(2, r.code(), r::toString);
    assertTrue(r.err().startsWith("netspec: error: --resume needs --checkpoint DIR"), r::toString);

    r = Cli.run("train", spec.toString(), "--data", data.toString(), "--save-weights",
        w.toString(), "--resume", "--checkpoint", tmp.resolve("none").toString());
    assertEquals(1, r.code(), r::toString);
    assertEquals(tmp.resolve("none").resolve("checkpoint.safetensors")
        + ": error: no checkpoint to resume from\n", r.err());
  }
}
