package dev.netspec.runtime.nn;

import static dev.netspec.runtime.nn.Fixtures.list;
import static dev.netspec.runtime.nn.Fixtures.map;
import static dev.netspec.runtime.nn.Fixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.netspec.runtime.autograd.GradMode;
import dev.netspec.runtime.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The kv_cache layer's outputs and gradients over several calls against PyTorch ({@code
 * kv_cache_layer.json}, written by {@code tools/fixtures/kv_cache_layer_fixtures.py}): a
 * recorded call's cached tokens pass their gradients back to it from later calls, tokens
 * cached under no_grad (or by the unrecorded {@code forward(qkv, out)}) are constants, and
 * seeking back forgets the tokens from there on, including part of a recorded call's.
 */
class CachedSelfAttentionGradTest {
  private static final Map<String, Object> FIXTURE = Fixtures.load("kv_cache_layer.json");
  private static final double TOL = 2e-5;

  @Test
  void outputsAndGradientsOverSeveralCallsMatchPyTorch() {
    int e = ((Number) FIXTURE.get("embed_dim")).intValue();
    int heads = ((Number) FIXTURE.get("num_heads")).intValue();
    int maxLen = ((Number) FIXTURE.get("max_len")).intValue();
    for (Object o : list(FIXTURE.get("cases"))) {
      Map<String, Object> c = map(o);
      CachedSelfAttention layer = new CachedSelfAttention(e, heads, maxLen);
      List<Tensor> inputs = new ArrayList<>();
      Tensor loss = null;
      int s = 0;
      for (Object so : list(c.get("steps"))) {
        Map<String, Object> step = map(so);
        String what = c.get("name") + ", step " + s++ + " (" + step.get("mode") + ")";
        String mode = (String) step.get("mode");
        Tensor qkv = tensor(step.get("qkv"));
        layer.seek(((Number) step.get("start")).intValue());
        Tensor y;
        switch (mode) {
          case "grad" -> y = layer.forward(qkv.requiresGrad_(true));
          case "const" -> y = layer.forward(qkv);
          case "nograd" -> {
            try (GradMode.Scope scope = GradMode.noGrad()) {
              y = layer.forward(qkv);
            }
          }
          case "into" -> {
            Tensor out = Tensor.zeros(qkv.size(0), qkv.size(1), e).fill_(Float.NaN);
            y = layer.forward(qkv, out);
            assertSame(out, y, what + ": the output is out");
          }
          default -> throw new IllegalStateException(mode);
        }
        inputs.add(qkv);
        AttentionParityTest.assertClose(tensor(step.get("y")), y, TOL, what + ": y");
        boolean graph = step.get("g") != null;
        assertEquals(graph, y.requiresGrad(), what + ": the output requires grad");
        if (graph) {
          Tensor term = y.mul(tensor(step.get("g"))).sum();
          loss = loss == null ? term : loss.add(term);
        }
      }
      loss.backward();
      for (int i = 0; i < inputs.size(); i++) {
        Object want = map(list(c.get("steps")).get(i)).get("grad");
        String what = c.get("name") + ", step " + i + ": grad qkv";
        if (want == null) {
          assertNull(inputs.get(i).grad(), what);
        } else {
          AttentionParityTest.assertClose(tensor(want), inputs.get(i).grad(), TOL, what);
        }
      }
    }
  }
}
