package dev.netspec.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.netspec.runtime.autograd.GradMode;
import dev.netspec.runtime.io.SafeTensors;
import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.nn.Parameter;
import dev.netspec.runtime.nn.StateDictException;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * specs/bert_encoder.yaml against transformers' BertModel as tools/fixtures/bert_fixtures.py
 * writes it in plain torch: the state-dict keys and shapes in order, a strict load of a
 * checkpoint with and without the {@code embeddings.position_ids} of older transformers
 * versions, and the last hidden state, pooler output and mean-pooled sentence embedding of a
 * padded batch within 1e-4 relative (committed at a reduced size; at all-MiniLM-L6-v2's when
 * {@code bert_fixtures.py --local} has written tools/fixtures/local/bert-minilm/).
 */
class BertEncoderTest {
  static final Path DIR = Path.of("src/test/resources/fixtures/bert");
  private static final Path LOCAL = RepoFiles.root().resolve("tools/fixtures/local/bert-minilm");
  private static final double TOLERANCE = 1e-4;

  static JsonNode reference(Path dir) throws IOException {
    return new JsonMapper().readTree(dir.resolve("bert.json").toFile());
  }

  private static BertModel build(JsonNode ref) {
    int[] a = new int[6];
    for (int i = 0; i < a.length; i++) {
      a[i] = ref.get("args").get(i).asInt();
    }
    return new BertModel(a[0], a[1], a[2], a[3], a[4], a[5]);
  }

  @Test
  void stateDictIsTransformersKeyForKey() throws IOException {
    JsonNode ref = reference(DIR);
    List<String> expected = new ArrayList<>();
    ref.get("state_dict").forEach(e -> expected.add(e.get(0).asString() + " " + e.get(1).toString().replace(",", ", ")));
    List<String> actual = new ArrayList<>();
    BertModel net = build(ref);
    net.stateDict().forEach((k, v) -> actual.add(k + " " + Arrays.toString(v.shape())));
    assertEquals(String.join("\n", expected), String.join("\n", actual));
    assertTrue(actual.contains("encoder.layer.5.attention.self.query.weight [32, 32]"));
    assertTrue(actual.contains("pooler.dense.bias [32]"));
    long parameters = 0;
    for (Parameter p : net.parameters()) {
      parameters += p.data().numel();
    }
    assertEquals(ref.get("parameters").asLong(), parameters);
  }

  @Test
  void printsAsTheTwinBertModel() throws IOException {
    JsonNode ref = reference(DIR);
    assertEquals(ref.get("repr").asString(), build(ref).toString());
  }

  @Test
  void loadsStrictlyWithOrWithoutThePositionIdsOfOlderCheckpoints() throws IOException {
    Map<String, Tensor> weights = SafeTensors.load(DIR.resolve("bert.weights.safetensors")).tensors();
    Map<String, Tensor> old = new LinkedHashMap<>(weights);
    old.putAll(SafeTensors.load(DIR.resolve("bert.position_ids.safetensors")).tensors());
    assertEquals(weights.size() + 1, old.size());
    for (Map<String, Tensor> checkpoint : List.of(weights, old)) {
      Module.LoadResult r = build(reference(DIR)).loadStateDict(checkpoint, true);
      assertEquals(List.of(), r.missingKeys());
      assertEquals(List.of(), r.unexpectedKeys());
    }
    // only that key: any other stranger is still refused
    Map<String, Tensor> stranger = new LinkedHashMap<>(weights);
    stranger.put("embeddings.token_type_ids", Tensor.zeros(1, 64));
    StateDictException e = assertThrows(StateDictException.class,
        () -> build(reference(DIR)).loadStateDict(stranger, true));
    assertTrue(e.getMessage().contains("embeddings.token_type_ids"), e.getMessage());
  }

  @Test
  void matchesPyTorchOnAPaddedBatch() throws IOException {
    check(DIR);
  }

  @Test
  void matchesPyTorchAtMiniLmSizeWhenTheLocalFixturesExist() throws IOException {
    assumeTrue(Files.exists(LOCAL.resolve("bert.io.safetensors")),
        "no " + LOCAL + " (tools/fixtures/bert_fixtures.py --local writes it)");
    check(LOCAL);
  }

  @Test
  void aChildWithSeveralInputsIsNotModulesZeroAllocationForward() {
    // BertSelfOutput takes (hidden_states, input_tensor): as forward(Tensor, Tensor) it would
    // override Module.forward(x, out), so a caller holding a Module would get LayerNorm(dense(x)
    // + out) written nowhere instead of the one-input forward into out. It is forwardInputs.
    BertSelfOutput block = new BertSelfOutput(8).eval();
    Tensor h = Tensor.rand(new Generator(1), 1, 3, 8);
    Tensor residual = Tensor.rand(new Generator(2), 1, 3, 8);
    Module asModule = block;
    UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
        () -> asModule.forward(h, Tensor.zeros(1, 3, 8)));
    assertTrue(e.getMessage().contains("forwardInputs(hiddenStates, inputTensor)"), e.getMessage());
    Tensor y = block.forwardInputs(h, residual);
    Tensor byHand = block.layerNorm.forward(block.dense.forward(h).add(residual));
    assertEquals(Arrays.toString(byHand.toFloatArray()), Arrays.toString(y.toFloatArray()));
  }

  private static void check(Path dir) throws IOException {
    BertModel net = build(reference(dir));
    SafeTensors.loadStateDict(net, dir.resolve("bert.weights.safetensors"), true);
    net.eval();
    Map<String, Tensor> io = SafeTensors.load(dir.resolve("bert.io.safetensors")).tensors();
    BertModel.Output out = net.forwardTuple(io.get("input_ids"), io.get("attention_mask"));
    assertClose(dir + " last hidden state", io.get("y.0"), out.h());
    assertClose(dir + " pooler output", io.get("y.1"), out.pooled());
    assertClose(dir + " sentence embedding", io.get("y.2"), out.sentence());
    // Nothing recording: the allocation-free forward, into new tensors and into the caller's
    try (GradMode.Scope scope = GradMode.noGrad()) {
      BertModel.Output buffered = net.forwardTuple(io.get("input_ids"), io.get("attention_mask"));
      BertModel.Output into = new BertModel.Output(Tensor.zeros(out.h().shape()).fill_(Float.NaN),
          Tensor.zeros(out.pooled().shape()).fill_(Float.NaN), Tensor.zeros(out.sentence().shape()).fill_(Float.NaN));
      for (BertModel.Output o : List.of(buffered, net.forwardTupleInto(io.get("input_ids"), io.get("attention_mask"), into))) {
        assertClose(dir + " last hidden state, buffered", io.get("y.0"), o.h());
        assertClose(dir + " pooler output, buffered", io.get("y.1"), o.pooled());
        assertClose(dir + " sentence embedding, buffered", io.get("y.2"), o.sentence());
      }
    }
  }

  /** Relative to the largest reference value: max |a - e| <= 1e-4 * max |e|. */
  private static void assertClose(String what, Tensor expected, Tensor actual) {
    assertEquals(Arrays.toString(expected.shape()), Arrays.toString(actual.shape()), what + ": shape");
    float[] e = expected.toFloatArray();
    float[] a = actual.toFloatArray();
    double worst = 0;
    double scale = 0;
    for (int i = 0; i < e.length; i++) {
      worst = Math.max(worst, Math.abs((double) a[i] - e[i]));
      scale = Math.max(scale, Math.abs(e[i]));
    }
    assertTrue(worst <= TOLERANCE * scale, what + ": max difference " + worst + " > " + TOLERANCE + " * " + scale);
  }
}
