package dev.netspec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.netspec.runtime.io.SafeTensors;
import dev.netspec.runtime.tensor.Tensor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's second example, shortened: Debian's Fashion-MNIST through {@code netspec idx}
 * (the first 2,560 training images), then one epoch of {@code specs/fashion_cnn.yaml} with
 * {@code netspec train}. Its initial weights are those PyTorch started from, and its first 20
 * losses are PyTorch's within 1e-4 relative ({@code fixtures/fashion/fashion_cnn_steps.json},
 * written by tools/fashion_mnist_torch.py from the same weights, data and data order); the
 * loss falls and the metrics files parse.
 */
class FashionMnistTest {
  private static final Path DATA = Path.of("/usr/share/datasets/fashion-mnist");
  private static final Path SPEC = Path.of("..", "specs", "fashion_cnn.yaml");

  @TempDir Path tmp;

  @Test
  void firstStepsMatchPyTorchAndTheLossFalls() throws Exception {
    assumeTrue(Files.isDirectory(DATA), "apt-get install dataset-fashion-mnist");
    String fixture = Files.readString(Path.of("src", "test", "resources", "fixtures", "fashion",
        "fashion_cnn_steps.json"), StandardCharsets.UTF_8);
    Path data = tmp.resolve("train.safetensors");
    Cli idx = Cli.run("idx", "--images", DATA.resolve("train-images-idx3-ubyte.gz").toString(),
        "--labels", DATA.resolve("train-labels-idx1-ubyte.gz").toString(), "--output",
        data.toString(), "--limit", "2560");
    assertEquals(0, idx.code(), idx::toString);
    assertEquals("wrote 2560 samples to " + data + ": x [2560, 1, 28, 28] float32, target [2560]"
        + " int64\n", idx.out());

    Path init = tmp.resolve("init.safetensors");
    Cli zero = Cli.run("train", SPEC.toString(), "--data", data.toString(), "--epochs", "0",
        "--save-weights", init.toString());
    assertEquals(0, zero.code(), zero::toString);
    Map<String, Tensor> weights = SafeTensors.load(init).tensors();
    Map<String, Double> sums = sums(fixture);
    assertEquals(sums.keySet(), new java.util.TreeSet<>(weights.keySet()));
    sums.forEach((k, want) -> {
      double got = 0;
      for (float v : weights.get(k).toFloatArray()) {
        got += v;
      }
      assertEquals(want, got, 1e-9 * Math.max(1, Math.abs(want)), k + ": PyTorch's start");
    });

    Path ck = tmp.resolve("run");
    Cli run = Cli.run("train", SPEC.toString(), "--data", data.toString(), "--epochs", "1",
        "--save-weights", tmp.resolve("w.safetensors").toString(), "--checkpoint", ck.toString());
    assertEquals(0, run.code(), run::toString);
    List<String> steps = Files.readAllLines(ck.resolve("steps.csv"));
    assertEquals(1 + 40, steps.size(), "2,560 images in batches of 64");
    List<Double> torch = losses(fixture);
    assertEquals(20, torch.size());
    List<Double> ours = new ArrayList<>();
    for (String line : steps.subList(1, steps.size())) {
      ours.add(Double.parseDouble(line.split(",")[3]));
    }
    for (int i = 0; i < 20; i++) {
      assertEquals(torch.get(i), ours.get(i), 1e-4 * torch.get(i), "step " + (i + 1));
    }
    double first = ours.subList(0, 10).stream().mapToDouble(d -> d).average().orElseThrow();
    double last = ours.subList(30, 40).stream().mapToDouble(d -> d).average().orElseThrow();
    assertTrue(last < 0.75 * first, "the loss falls: " + first + " -> " + last);
    assertEquals(2, Files.readAllLines(ck.resolve("epochs.csv")).size());
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    assertEquals("svg", f.newDocumentBuilder().parse(ck.resolve("metrics.svg").toFile())
        .getDocumentElement().getNodeName());
  }

  private static List<Double> losses(String json) {
    String list = json.substring(json.indexOf("\"losses\""));
    list = list.substring(list.indexOf('[') + 1, list.indexOf(']'));
    List<Double> out = new ArrayList<>();
    for (String v : list.split(",")) {
      out.add(Double.parseDouble(v.trim()));
    }
    return out;
  }

  private static Map<String, Double> sums(String json) {
    String block = json.substring(json.indexOf("\"init_sums\""));
    block = block.substring(block.indexOf('{') + 1, block.indexOf('}'));
    Map<String, Double> out = new LinkedHashMap<>();
    Matcher m = Pattern.compile("\"([^\"]+)\":\\s*(-?[0-9.eE+-]+)").matcher(block);
    while (m.find()) {
      out.put(m.group(1), Double.parseDouble(m.group(2)));
    }
    return out;
  }
}
