package dev.netspec.compiler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Dim arguments on a scalar (shape {@code []}), as PyTorch takes them: dims 0 and -1 name the
 * scalar itself ({@code torch.zeros(()).sum(0)}, {@code .transpose(0, -1)} are scalars,
 * {@code flatten} gives {@code [1]}), any other dim is out of range. The compiler crashed
 * with an IndexOutOfBoundsException on the first two and accepted any dims for the third.
 */
class ScalarOpsTest {
  private static String spec(String forward) {
    return """
        netspec: 1
        package: com.example.scalar
        blocks:
          Net:
            input: [batch, 4]
            forward: |
              y = sum(x)
        """ + "      " + forward + "\n";
  }

  private static Tensor run(String forward) throws ReflectiveOperationException {
    ClassLoader loader = InMemoryJavac.compile(Specs.compileClean("s.yaml", spec(forward)).files());
    Module net = (Module) loader.loadClass("com.example.scalar.Net").getConstructor().newInstance();
    return net.forward(Tensor.ones(2, 4));
  }

  @Test
  void dimsZeroAndMinusOneNameTheScalar() throws ReflectiveOperationException {
    // sum of a 2x4 of ones is 8; each term below is that scalar.
    Tensor y = run("return sum(y, 0) + sum(y, -1, keepdim=True) + transpose(y, 0, -1)");
    assertEquals(0, y.dim());
    assertEquals(24f, y.item());
    Tensor flat = run("return flatten(y, 0, -1)");
    assertArrayEquals(new int[] {1}, flat.shape());
    assertEquals(8f, flat.item());
  }

  @Test
  void otherDimsAreOutOfRange() {
    assertEquals(List.of("t.yaml:8:14: error: Net: sum: dim 1 is out of range for shape [] (rank 0)"),
        Specs.errors(spec("return sum(y, 1)")));
    assertEquals(List.of("t.yaml:8:14: error: Net: flatten: start_dim -2 is out of range for shape [] (rank 0)"),
        Specs.errors(spec("return flatten(y, -2)")));
  }
}
