package dev.netspec.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.netspec.runtime.autograd.Autograd;
import dev.netspec.runtime.autograd.GradMode;
import dev.netspec.runtime.io.SafeTensors;
import dev.netspec.runtime.io.SafeTensorsFile;
import dev.netspec.runtime.nn.Parameter;
import dev.netspec.runtime.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Backward passes through the kv_cache of specs/gpt2.yaml at positions after 0, against
 * PyTorch (tools/fixtures/kv_cache_grad_fixtures.py: nanoGPT with a cache that keeps its
 * graph, {@code k = cat([past_k, k])}): the logits of every step and the gradient of every
 * parameter for L = sum over the recorded steps of sum(y_s * g_s). A prompt that recorded
 * gets the gradients of the later steps through its cached keys and values; one run under
 * noGrad is a constant; going back to an earlier position forgets what was cached from there.
 */
class Gpt2CachedGradTest {
  private static final Path FIXTURES =
      RepoFiles.root().resolve("generated-examples/src/test/resources/fixtures/gpt2");

  private static SafeTensorsFile read(String name) throws IOException {
    return SafeTensors.load(FIXTURES.resolve("kv_cache_grad." + name + ".safetensors"));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"prompt_then_steps", "constant_prompt", "token_by_token"})
  void gradientsThroughCachedStepsMatchPyTorch(String name) throws IOException {
    SafeTensorsFile weights = read("weights");
    Map<String, String> c = weights.metadata();
    GPT gpt = new GPT(Integer.parseInt(c.get("vocab_size")), Integer.parseInt(c.get("block_size")),
        Integer.parseInt(c.get("n_head")), Integer.parseInt(c.get("n_embd")));
    gpt.loadStateDict(weights.tensors(), true);
    gpt.eval();
    SafeTensorsFile fixture = read(name);
    Map<String, Tensor> t = fixture.tensors();
    List<Tensor> ys = new ArrayList<>();
    List<Tensor> gs = new ArrayList<>();
    List<Object> steps = steps(fixture.metadata().get("steps"));
    for (int s = 0; s < steps.size(); s++) {
      List<?> step = (List<?>) steps.get(s);
      int start = ((Number) step.get(0)).intValue();
      boolean recorded = (Boolean) step.get(2);
      Tensor y;
      try (GradMode.Scope scope = recorded ? GradMode.enableGrad() : GradMode.noGrad()) {
        y = gpt.forward(t.get("idx." + s), start);
      }
      assertClose(t.get("y." + s), y, "logits of step " + s);
      if (recorded) {
        assertEquals("UnsafeViewBackward0", y.gradFn().name(), "step " + s + " grad_fn");
        ys.add(y);
        gs.add(t.get("g." + s));
      }
    }
    Autograd.backward(ys.toArray(new Tensor[0]), gs.toArray(new Tensor[0]));
    Map<Tensor, Parameter> params = new IdentityHashMap<>();
    gpt.namedParameters().values().forEach(p -> params.put(p.data(), p));
    int checked = 0;
    for (Map.Entry<String, Tensor> e : gpt.stateDict().entrySet()) {
      Parameter p = params.get(e.getValue());
      if (p != null) {
        assertNotNull(p.grad(), e.getKey() + ".grad");
        assertClose(t.get("grad." + e.getKey()), p.grad(), "grad." + e.getKey());
        checked++;
      }
    }
    assertEquals(12 * 12 + 5, checked, "parameter entries checked (both tied names)");
  }

  /** The JSON list of steps {@code [[start, tokens, recorded], ...]} of the fixture. */
  private static List<Object> steps(String json) {
    List<Object> out = new ArrayList<>();
    for (String step : json.replaceAll("^\\[\\[|\\]\\]$", "").split("\\], \\[")) {
      String[] parts = step.split(", ");
      out.add(List.of(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]),
          Boolean.parseBoolean(parts[2])));
    }
    return out;
  }

  /** {@code |a - b| <= 1e-5 + 1e-4 * |a|} everywhere. */
  private static void assertClose(Tensor want, Tensor got, String what) {
    assertArrayEquals(want.shape(), got.shape(), what + ": shape");
    float[] w = want.contiguous().toFloatArray();
    float[] g = got.contiguous().toFloatArray();
    for (int i = 0; i < w.length; i++) {
      double tol = 1e-5 + 1e-4 * Math.abs(w[i]);
      if (!(Math.abs(w[i] - g[i]) <= tol)) {
        throw new AssertionError(what + ": element " + i + " is " + g[i] + ", PyTorch " + w[i]
            + " (tolerance " + tol + ")");
      }
    }
  }
}
