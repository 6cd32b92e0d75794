package dev.netspec.compiler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The conditions of a forward's {@code if} and {@code while}, generated, compiled and run in
 * both forwards ({@code forward(x)} and the allocation-free {@code forward(x, output)}): tests
 * of the block's arguments, of tensors' values, {@code and}, {@code or}, {@code not} and every
 * comparison, each against Python's truth table worked out by hand.
 */
class ConditionsTest {
  private static ClassLoader compile(String spec) {
    return InMemoryJavac.compile(Specs.compileClean("cond.yaml", spec).files());
  }

  private static Module build(ClassLoader l, String block) throws ReflectiveOperationException {
    return (Module) l.loadClass("t.cond." + block).getConstructor().newInstance();
  }

  private static float[] run(Module m, float... x) {
    return BufferedForwardTest.run(m, Tensor.of(new float[][] {x}));
  }

  @Test
  void testsOfTheArgumentsFollowPythonsPrecedence() throws ReflectiveOperationException {
    // 'not a and k >= 2 or k == 0' is '((not a) and (k >= 2)) or (k == 0)' in Python; each
    // copy of Gate multiplies by 2 when its test holds, else by 3.
    String spec = """
        netspec: 1
        package: t.cond
        blocks:
          Gate:
            args: {a: bool, k: int}
            forward: |
              if not a and k >= 2 or k == 0:
                return x * 2
              return x * 3
          Net:
            input: [batch, 1]
            sequential:
              - {Gate: {a: false, k: 2}}
              - {Gate: {a: false, k: 1}}
              - {Gate: {a: true, k: 0}}
              - {Gate: {a: true, k: 5}}
          Chain:
            args: {k: int}
            forward: |
              if k < 1 or k > 3:
                x = x + 100
              if k <= 1 and not k != 1:
                x = x + 10
              if not (k == 2):
                x = x + 1
              return x
          Ks:
            input: [batch, 1]
            sequential: [{Chain: {k: 0}}, {Chain: {k: 1}}, {Chain: {k: 2}}, {Chain: {k: 3}}, {Chain: {k: 4}}]
        """;
    ClassLoader l = compile(spec);
    // (not F and 2 >= 2) or ... = true: 2; (not F and 1 >= 2) or 1 == 0 = false: 3;
    // (not T and ...) or 0 == 0 = true: 2; (not T and ...) or 5 == 0 = false: 3.
    assertArrayEquals(new float[] {36f}, run(build(l, "Net"), 1f));
    // k = 0: 100 + 1; k = 1: 10 + 1; k = 2: nothing; k = 3: 1; k = 4: 100 + 1.
    assertArrayEquals(new float[] {101 + 11 + 0 + 1 + 101}, run(build(l, "Ks"), 0f));
  }

  @Test
  void testsOfTensorValuesInBothForwards() throws ReflectiveOperationException {
    String spec = """
        netspec: 1
        package: t.cond
        blocks:
          Values:
            input: [batch, 3]
            forward: |
              y = x * 1
              if sum(x) > 0 and not mean(x) >= 2:
                y = y + 1
              if sum(x) <= -3 or max(x) == 4:
                y = y * 10
              if mean(x) != 1 and sum(x) < 6:
                y = y - 100
              return y
          Truthy:
            input: [batch, 2]
            forward: |
              if sum(x):
                return x * 2
              return x * 0
        """;
    ClassLoader l = compile(spec);
    Module m = build(l, "Values");
    // sum 3, mean 1, max 1: +1; neither of the second; mean == 1: no -100.
    assertArrayEquals(new float[] {2f, 2f, 2f}, run(m, 1f, 1f, 1f));
    // sum 4, mean 4/3: +1; max 2; mean != 1 and 4 < 6: -100.
    assertArrayEquals(new float[] {-98f, -98f, -97f}, run(m, 1f, 1f, 2f));
    // sum 9, mean 3 (>= 2): no +1; max 4: * 10; mean 3 != 1 but sum 9 >= 6: no -100.
    assertArrayEquals(new float[] {10f, 40f, 40f}, run(m, 1f, 4f, 4f));
    // sum -3, mean -1: not (> 0): no +1; sum <= -3: * 10; mean != 1 and sum < 6: -100.
    assertArrayEquals(new float[] {-110f, -100f, -120f}, run(m, -1f, 0f, -2f));
    // sum 5, mean 5/3: +1; sum > -3 and max 3 != 4; mean != 1 and 5 < 6: -100.
    assertArrayEquals(new float[] {-98f, -96f, -98f}, run(m, 1f, 3f, 1f));
    Module t = build(l, "Truthy");
    // a tensor as a condition is Python's bool(tensor): true when not zero.
    assertArrayEquals(new float[] {2f, -4f}, run(t, 1f, -2f));
    assertArrayEquals(new float[] {0f, 0f}, run(t, 2f, -2f), 0f); // -2 * 0 is -0
    assertArrayEquals(new float[] {0.5f, 0f}, run(t, 0.25f, 0f));
  }

  @Test
  void aWhileLoopRunsUntilItsTestFails() throws ReflectiveOperationException {
    String spec = """
        netspec: 1
        package: t.cond
        blocks:
          Doubling:
            input: [batch, 2]
            forward: |
              y = x * 1
              while not sum(y) >= 50 and mean(y) != 0:
                y = y * 2
              return y
        """;
    Module m = build(compile(spec), "Doubling");
    // [1, 2]: 3, 6, 12, 24, 48, 96: five doublings to [32, 64].
    assertArrayEquals(new float[] {32f, 64f}, run(m, 1f, 2f));
    // already at 50: no doubling; a zero mean stops it at once.
    assertArrayEquals(new float[] {25f, 25f}, run(m, 25f, 25f));
    assertArrayEquals(new float[] {-1f, 1f}, run(m, -1f, 1f));
    assertEquals(0, run(m, 0f, 0f)[0]);
  }
}
