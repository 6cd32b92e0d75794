package com.example;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.example.models.Net;
import dev.netspec.runtime.tensor.Tensor;
import org.junit.jupiter.api.Test;

class NetTest {
  @Test
  void theImporterUsesTheChangedImportedBlock() {
    Net net = new Net(0);
    assertEquals(32, net.stateDict().get("0.0.weight").shape()[0], "Encoder's linear is 32 wide now");
    assertEquals(32, net.stateDict().get("1.weight").shape()[1], "Net's linear reads 32 features");
    Tensor y = net.forward(Tensor.zeros(2, 8));
    assertArrayEquals(new int[] {2, 4}, y.shape());
  }
}
