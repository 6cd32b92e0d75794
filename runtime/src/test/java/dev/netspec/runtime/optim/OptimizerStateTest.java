package dev.netspec.runtime.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.io.SafeTensors;
import dev.netspec.runtime.io.SafeTensorsFile;
import dev.netspec.runtime.nn.Parameter;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code stateDict()} / {@code loadStateDict()}: a run interrupted after 3 steps, saved
 * through a safetensors file and resumed in a fresh optimizer and schedule, ends bit-identical
 * to an uninterrupted run of 6 steps.
 */
class OptimizerStateTest {
  @TempDir Path dir;

  private static Tensor grad(int step, int size) {
    return Tensor.randn(new Generator(100 + step * 7L + size), size);
  }

  private float[][] run(Function<List<Parameter>, Optimizer> make, int from, int to,
      Path resume, Path save) throws Exception {
    List<Parameter> ps = List.of(new Parameter(Tensor.randn(new Generator(1), 37)),
        new Parameter(Tensor.randn(new Generator(2), 5)));
    Optimizer opt = make.apply(ps);
    LRScheduler sched = new CosineAnnealingLR(opt, 4, 0.001);
    if (resume != null) {
      SafeTensorsFile loaded = SafeTensors.load(resume);
      for (int i = 0; i < ps.size(); i++) {
        ps.get(i).data().copy_(loaded.tensors().get("param." + i));
      }
      java.util.Map<String, Tensor> state = new java.util.LinkedHashMap<>();
      loaded.tensors().forEach((k, v) -> {
        if (k.startsWith("state.")) {
          state.put(k, v);
        }
      });
      java.util.Map<String, String> optMeta = new java.util.LinkedHashMap<>();
      java.util.Map<String, String> schedMeta = new java.util.LinkedHashMap<>();
      loaded.metadata().forEach((k, v) -> {
        if (k.startsWith("sched.")) {
          schedMeta.put(k.substring(6), v);
        } else {
          optMeta.put(k, v);
        }
      });
      opt.loadStateDict(new OptimizerState(state, optMeta));
      sched.loadStateDict(schedMeta);
    }
    for (int s = from; s < to; s++) {
      for (int i = 0; i < ps.size(); i++) {
        ps.get(i).setGrad(grad(s, (int) ps.get(i).data().numel()));
      }
      opt.step();
      sched.step();
    }
    if (save != null) {
      OptimizerState st = opt.stateDict();
      java.util.Map<String, Tensor> tensors = new java.util.LinkedHashMap<>(st.tensors());
      for (int i = 0; i < ps.size(); i++) {
        tensors.put("param." + i, ps.get(i).data());
      }
      java.util.Map<String, String> meta = new java.util.LinkedHashMap<>(st.metadata());
      sched.stateDict().forEach((k, v) -> meta.put("sched." + k, v));
      SafeTensors.save(tensors, meta, save);
    }
    return new float[][] {ps.get(0).data().toFloatArray(), ps.get(1).data().toFloatArray()};
  }

  @Test
  void resumedRunsAreBitIdentical() throws Exception {
    List<Function<List<Parameter>, Optimizer>> makers = List.of(
        ps -> new SGD(List.of(ParamGroup.of(ps)), 0.1, 0.9, 0.1, 0.01, false),
        ps -> new Adam(List.of(ParamGroup.of(ps)), 0.01, 0.9, 0.999, 1e-8, 0, true),
        ps -> new AdamW(ps, 0.01),
        ps -> new RMSprop(List.of(ParamGroup.of(ps)), 0.01, 0.99, 1e-8, 0, 0.9, true));
    for (Function<List<Parameter>, Optimizer> make : makers) {
      float[][] straight = run(make, 0, 6, null, null);
      Path ckpt = dir.resolve("ckpt.safetensors");
      run(make, 0, 3, null, ckpt);
      float[][] resumed = run(make, 3, 6, ckpt, null);
      assertArrayEquals(straight[0], resumed[0]);
      assertArrayEquals(straight[1], resumed[1]);
      Files.delete(ckpt);
    }
  }

  @Test
  void aMismatchedStateIsRefusedWhole() {
    Parameter a = new Parameter(Tensor.ones(3));
    Adam opt = new Adam(List.of(a), 0.1);
    a.setGrad(Tensor.ones(3));
    opt.step();
    OptimizerState st = opt.stateDict();
    assertEquals(1L, st.tensors().get("state.0.step").longItem());
    Parameter b = new Parameter(Tensor.ones(4));
    Adam other = new Adam(List.of(b), 0.1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> other.loadStateDict(st));
    assertTrue(e.getMessage().contains("size mismatch for state.0.exp_avg"), e.getMessage());
    assertEquals("loaded state dict is for optimizer Adam, this one is SGD",
        assertThrows(IllegalArgumentException.class,
            () -> new SGD(List.of(b), 0.1).loadStateDict(st)).getMessage());
  }
}
