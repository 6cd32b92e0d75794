package com.example;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.example.models.Mlp;
import dev.netspec.runtime.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MlpTest {
  @Test
  void generatedModelComputesWhatTheSpecSays() {
    Mlp net = new Mlp(0);
    Map<String, Tensor> state = net.stateDict();
    assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), List.copyOf(state.keySet()));
    assertArrayEquals(new int[] {2, 3}, state.get("0.weight").shape());

    // Weights set by hand; the output computed by hand:
    // h = relu(W0 x + b0) = relu([1 - 2 + 0 + 0.5, 0 + 2 - 3 - 1]) = [-0.5 -> 0, ...]
    state.get("0.weight").copy_(Tensor.of(new float[][] {{1, -1, 0}, {0, 1, -1}}));
    state.get("0.bias").copy_(Tensor.of(0.5f, -1f));
    state.get("2.weight").copy_(Tensor.of(new float[][] {{2, 3}}));
    state.get("2.bias").copy_(Tensor.of(0.25f));

    Tensor x = Tensor.of(new float[][] {{1, 2, 3}, {4, 1, -2}});
    // row 0: h = relu([1-2+0.5, 2-3-1]) = [0, 0]            -> y = 0.25
    // row 1: h = relu([4-1+0.5, 1+2-1]) = [3.5, 2]          -> y = 7 + 6 + 0.25 = 13.25
    Tensor y = net.forward(x);
    assertArrayEquals(new int[] {2, 1}, y.shape());
    assertEquals(0.25f, y.get(0, 0), 1e-6f);
    assertEquals(13.25f, y.get(1, 0), 1e-6f);
  }
}
