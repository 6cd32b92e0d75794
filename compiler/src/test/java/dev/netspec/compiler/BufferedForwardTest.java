package dev.netspec.compiler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The generated allocation-free forward: which blocks get {@code forward(x, output)}, and
 * that buffers reused by variables and loops never change a result (hand computation).
 */
class BufferedForwardTest {
  private static Module build(String block) throws ReflectiveOperationException {
    String spec = "netspec: 1\npackage: t.buf\nblocks:\n  B:\n" + block.indent(4);
    Compilation c = Specs.compileClean("buf.yaml", spec);
    return (Module) InMemoryJavac.compile(c.files()).loadClass("t.buf.B").getConstructor().newInstance();
  }

  /** Whether the class writes its own {@code forward(x, output)} (else Module's copying one). */
  private static boolean buffered(Module m) {
    try {
      return m.getClass().getMethod("forward", Tensor.class, Tensor.class).getDeclaringClass() == m.getClass();
    } catch (NoSuchMethodException e) {
      throw new AssertionError(e);
    }
  }

  private static float[] run(Module m, float[][] x) {
    return run(m, Tensor.of(x));
  }

  private static float[] run(Module m, float[][][] x) {
    Tensor t = Tensor.zeros(x.length, x[0].length, x[0][0].length);
    for (int i = 0; i < x.length; i++) {
      t.select(0, i).copy_(Tensor.of(x[i]));
    }
    return run(m, t);
  }

  /** {@code forward(x)}, checked against {@code forward(x, output)} into a buffer of NaNs. */
  static float[] run(Module m, Tensor x) {
    float[] viaForward = m.forward(x).toFloatArray();
    Tensor out = m.forward(x).clone().fill_(Float.NaN);
    assertArrayEquals(viaForward, m.forward(x, out).toFloatArray(), "forward(x, output)");
    return viaForward;
  }

  @Test
  void aLayerNormOfASumAddsInItsOwnPassUnlessTheSumBroadcasts() throws ReflectiveOperationException {
    String block = """
        input: [batch, 4]
        layers:
          norm: {layer_norm: 4}
        forward: |
          y = norm(x + relu(x))
          return norm(y + sum(x, dim=0))
        """;
    String source = Specs.compileClean("buf.yaml",
        "netspec: 1\npackage: t.buf\nblocks:\n  B:\n" + block.indent(4)).files().get(0).content();
    assertEquals(true, source.contains("norm.forwardResidual(x, reluOut, normOut)"), source);
    assertEquals(1, source.split("forwardResidual", -1).length - 1, "the broadcast sum adds first");
    Module m = build(block);
    assertEquals(true, buffered(m));
    // x + relu(x) = [2, 4, 6, 8]: mean 5, variance 5, so [-3, -1, 1, 3] / sqrt(5 + 1e-5) = y;
    // y + x (the sum over a batch of one) = y + [1, 2, 3, 4], normalized again.
    double s = Math.sqrt(5 + 1e-5);
    double[] y = {-3 / s + 1, -1 / s + 2, 1 / s + 3, 3 / s + 4};
    double mean = (y[0] + y[1] + y[2] + y[3]) / 4;
    double var = 0;
    for (double v : y) {
      var += (v - mean) * (v - mean) / 4;
    }
    float[] want = new float[4];
    for (int i = 0; i < 4; i++) {
      want[i] = (float) ((y[i] - mean) / Math.sqrt(var + 1e-5));
    }
    assertArrayEquals(want, run(m, new float[][] {{1f, 2f, 3f, 4f}}), 1e-5f);
  }

  @Test
  void aVariableAssignedInBothBranchesNamesEitherBuffer() throws ReflectiveOperationException {
    Module m = build("""
        input: [batch, 2]
        forward: |
          h = relu(x)
          if sum(h) > 1:
            y = h * 2
          else:
            y = h + 1
          return y * x
        """);
    assertEquals(true, buffered(m));
    // h = [1, 2], sum 3 > 1: y = [2, 4]; h = [0.5, 0], sum 0.5: y = [1.5, 1].
    assertArrayEquals(new float[] {2f, 8f}, run(m, new float[][] {{1f, 2f}}));
    assertArrayEquals(new float[] {0.75f, -1f}, run(m, new float[][] {{0.5f, -1f}}));
  }

  @Test
  void aVariableJoinedInALoopIsDeclaredInTheLoop() throws ReflectiveOperationException {
    Module m = build("""
        input: [batch, 2]
        forward: |
          while sum(x) < 100:
            if max(x) > 40:
              y = x + 100
            else:
              y = x * 2
            x = y + 1
          return x
        """);
    // [1, 2] -> [3, 5] -> [7, 11] -> [15, 23] -> [31, 47] (sum 78, max 47 > 40) -> [132, 148].
    assertArrayEquals(new float[] {132f, 148f}, run(m, new float[][] {{1f, 2f}}));
  }

  @Test
  void aVariableNamingAnEarlierBufferKeepsItsValue() throws ReflectiveOperationException {
    Module m = build("""
        input: [batch, 2]
        forward: |
          y = relu(x)
          z = y
          y = y * 2
          return z + y
        """);
    assertEquals(true, buffered(m));
    assertArrayEquals(new float[] {0f, 6f}, run(m, new float[][] {{-1f, 2f}}));
  }

  @Test
  void anElementwiseLoopRunsInPlace() throws ReflectiveOperationException {
    Module m = build("""
        input: [batch, 2]
        forward: |
          y = x + 0
          while sum(abs(y)) > 1:
            y = y / 2
            y -= 0
          return y
        """);
    assertEquals(true, buffered(m));
    assertArrayEquals(new float[] {0.5f, -0.25f}, run(m, new float[][] {{4f, -2f}}));
  }

  @Test
  void anAliasInALoopKeepsTheAllocatingForward() throws ReflectiveOperationException {
    // With one buffer for y / 2, z and y would be one tensor after the first turn: 1 + 0.5.
    Module m = build("""
        input: [batch, 2]
        forward: |
          y = x * 1
          z = x * 1
          while sum(abs(y)) > 1:
            z = y
            y = y / 2
          return z + y
        """);
    assertEquals(false, buffered(m));
    assertArrayEquals(new float[] {1.5f, 1.5f}, run(m, new float[][] {{2f, 2f}}));
  }

  @Test
  void aLoopedProductOfItsOwnVariableAlternatesTwoBuffers() throws ReflectiveOperationException {
    // x @ w cannot be written over x: each turn writes the one of two buffers x does not name.
    Module m = build("""
        input: [batch, 2]
        params:
          w: {shape: [2, 2], init: {constant: 0.25}}
        forward: |
          while sum(abs(x)) > 1:
            x = x @ w
          return x
        """);
    assertEquals(true, buffered(m));
    assertArrayEquals(new float[] {0.5f, 0.5f}, run(m, new float[][] {{1f, 1f}}));
  }

  @Test
  void aLoopedLinearAndReluOfItsOwnVariableAlternatesTwoBuffers() throws ReflectiveOperationException {
    // relu(lin(x)) is one fused layer call, which cannot write over x: two buffers in turn.
    Module m = build("""
        input: [batch, 2]
        layers:
          lin: {linear: 2, init: {weight: {constant: 0.25}, bias: zeros}}
        forward: |
          while sum(abs(x)) > 1:
            x = relu(lin(x))
          return x
        """);
    assertEquals(true, buffered(m));
    assertArrayEquals(new float[] {0.5f, 0.5f}, run(m, new float[][] {{1f, 1f}}));
  }

  @Test
  void aListItemOrDictChildCalledOnItsOwnVariableInALoopAlternatesTwoBuffers()
      throws ReflectiveOperationException {
    // blocks[0](x) and t.fc(x) cannot write over x either: from the second turn on x names the
    // buffer of the first, and the linear refuses an output sharing its input's storage.
    // Two turns of a linear with every weight 0.25 and no bias: 1 -> 0.5 -> 0.25.
    String loop = """
        input: [batch, 2]
        layers:
          blocks: {module_list: {repeat: 2, layer: {linear: {in_features: 2, out_features: 2}, init: {weight: {constant: 0.25}, bias: zeros}}}}
          t: {module_dict: {fc: {linear: {in_features: 2, out_features: 2}, init: {weight: {constant: 0.25}, bias: zeros}}}}
        forward: |
          for b in blocks:
            x = %s(x)
          return x
        """;
    for (String call : new String[] {"blocks[0]", "t.fc"}) {
      Module m = build(loop.formatted(call));
      assertEquals(true, buffered(m), call);
      assertArrayEquals(new float[] {0.25f, 0.25f}, run(m, new float[][] {{1f, 1f}}), call);
    }
  }

  @Test
  void aStepWithoutAnIntoFormKeepsTheAllocatingForward() throws ReflectiveOperationException {
    Module m = build("""
        input: [batch, 2]
        forward: x ** x
        """); // a power with a tensor exponent has no into form
    assertEquals(false, buffered(m));
    assertArrayEquals(new float[] {1f, 27f}, run(m, new float[][] {{1f, 3f}}));
  }

  @Test
  void comparisonsOfTwoTensorsMaskedFillAndWhereWriteIntoBuffers() throws ReflectiveOperationException {
    Module m = build("""
        input: [batch, 3]
        forward: |
          below = x > 2 * x - 2
          a = masked_fill(x, below, -1.0)
          return a + where(x >= 2, x, 0.0)
        """); // below: x < 2
    assertEquals(true, buffered(m));
    assertArrayEquals(new float[] {-1f, 6f, 4f, -1f, 4f, -1f}, run(m, new float[][] {{1f, 3f, 2f}, {0.5f, 2f, -3f}}), 0f);
  }

  @Test
  void trianglesAndACausalMaskFromArangeWriteIntoBuffers() throws ReflectiveOperationException {
    Module m = build("""
        input: [batch, seq, seq]
        forward: |
          future = arange(seq)[None, :] > arange(seq)[:, None]
          return where(future, triu(x, diagonal=1) * 10, tril(x))
        """);
    assertEquals(true, buffered(m));
    assertArrayEquals(new float[] {1f, 20f, 30f, 4f, 5f, 60f, 7f, 8f, 9f},
        run(m, new float[][][] {{{1f, 2f, 3f}, {4f, 5f, 6f}, {7f, 8f, 9f}}}), 0f);
  }

  @Test
  void comparisonsWithANumberWriteTheirMaskIntoABuffer() throws ReflectiveOperationException {
    Module m = build("""
        input: [batch, 3]
        forward: (x > 1) * x + (x <= 0) * 10 + (x == 2) * 100
        """);
    assertEquals(true, buffered(m));
    assertArrayEquals(new float[] {10f, 0f, 102f, 3f, 3f, 3f}, run(m, new float[][] {{0f, 1f, 2f}, {3f, 3f, 3f}}), 0f);
  }

  @Test
  void aNumberOnTheLeftOfAComparisonIsTheMirroredComparison() throws ReflectiveOperationException {
    Module m = build("""
        input: [batch, 3]
        forward: (1 < x) * x + (0 >= x) * 10 + (2 == x) * 100 + (2 != x)
        """);
    assertEquals(true, buffered(m));
    // 1 < x: x > 1; 0 >= x: x <= 0; by hand for [0, 1, 2] and [3, 3, 3]
    assertArrayEquals(new float[] {11f, 1f, 102f, 4f, 4f, 4f}, run(m, new float[][] {{0f, 1f, 2f}, {3f, 3f, 3f}}), 0f);
  }

  @Test
  void aMeanOverADimOfAStridedViewAndTheTanhGeluWriteIntoBuffers() throws ReflectiveOperationException {
    Module m = build("""
        input: [batch, 4, 2]
        forward: gelu(mean(x[:, ::2], dim=1), approximate='tanh')
        """);
    assertEquals(true, buffered(m));
    // rows 0 and 2 averaged: (1 + 5) / 2 = 3, (2 + 6) / 2 = 4; then PyTorch's tanh GELU
    double[] mean = {3, 4};
    float[] want = new float[2];
    for (int i = 0; i < 2; i++) {
      double v = mean[i];
      want[i] = (float) (0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v))));
    }
    assertArrayEquals(want, run(m, new float[][][] {{{1f, 2f}, {9f, 9f}, {5f, 6f}, {9f, 9f}}}), 1e-6f);
  }

  @Test
  void softmaxAndFlattenHaveIntoForms() throws ReflectiveOperationException {
    Module m = build("""
        input: [batch, 2, 2]
        forward: |
          y = flatten(x, start_dim=1)
          return log_softmax(y, dim=1) - softmax(y * 0, dim=1)
        """);
    assertEquals(true, buffered(m));
    // log_softmax of four equal values is log(1/4); softmax of zeros is 1/4.
    float v = (float) (Math.log(0.25) - 0.25);
    assertArrayEquals(new float[] {v, v, v, v}, run(m, new float[][][] {{{5f, 5f}, {5f, 5f}}}), 1e-6f);
  }

  @Test
  void aBlockWithoutAnInputContractKeepsTheAllocatingForward() throws ReflectiveOperationException {
    Module m = build("""
        forward: x * 2
        """);
    assertEquals(false, buffered(m));
    assertArrayEquals(new float[] {2f, 4f}, m.forward(Tensor.of(1f, 2f)).toFloatArray());
  }

  @Test
  void buffersFollowTheBatchSize() throws ReflectiveOperationException {
    Module m = build("""
        input: [batch, 2]
        sequential: [relu, {linear: 3, init: {weight: ones, bias: zeros}}, relu]
        """);
    assertEquals(true, buffered(m));
    assertArrayEquals(new float[] {3f, 3f, 3f}, run(m, new float[][] {{1f, 2f}}));
    assertArrayEquals(new float[] {0f, 0f, 0f, 5f, 5f, 5f}, run(m, new float[][] {{-1f, -2f}, {1f, 4f}}));
    assertArrayEquals(new float[] {1f, 1f, 1f}, run(m, new float[][] {{1f, -2f}}));
  }
}
