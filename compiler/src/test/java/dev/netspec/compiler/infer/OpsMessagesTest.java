package dev.netspec.compiler.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The words of {@link Ops}' refusals (OpsParityTest checks against PyTorch that they refuse;
 * these check what they say) and the dim-range limits: {@code -rank} and {@code rank - 1} are
 * dims, one past either end is not, and a scalar takes 0 and -1 as PyTorch does.
 */
class OpsMessagesTest {
  private static Shape of(int... dims) {
    List<Dim> out = new java.util.ArrayList<>();
    for (int d : dims) {
      out.add(Dim.of(d));
    }
    return new Shape(out);
  }

  private static void says(String message, Executable e) {
    assertEquals(message, assertThrows(Ops.ShapeError.class, e).getMessage());
  }

  @Test
  void refusalsSayWhatWasFound() {
    says("matmul needs tensors of at least 1 dim, got [] @ [3]", () -> Ops.matmul(of(), of(3)));
    says("matmul needs tensors of at least 1 dim, got [3] @ []", () -> Ops.matmul(of(3), of()));
    says("concat needs tensors of one rank, got [2, 3] and [3]", () -> Ops.concat(List.of(of(2, 3), of(3)), 0));
    says("concat along dim 1 needs equal other dims, got [2, 3] and [4, 3]",
        () -> Ops.concat(List.of(of(2, 3), of(4, 3)), 1));
    says("flatten start_dim 2 comes after end_dim 1 for shape [2, 3, 4]", () -> Ops.flatten(of(2, 3, 4), 2, 1));
  }

  @Test
  void dimsRunFromMinusRankToRankMinusOne() throws Ops.ShapeError {
    Shape s = of(2, 3, 4);
    assertEquals(0, Ops.dimIndex(s, -3, "dim"));
    assertEquals(2, Ops.dimIndex(s, 2, "dim"));
    assertEquals(2, Ops.dimIndex(s, -1, "dim"));
    says("dim 3 is out of range for shape [2, 3, 4] (rank 3)", () -> Ops.dimIndex(s, 3, "dim"));
    says("dim -4 is out of range for shape [2, 3, 4] (rank 3)", () -> Ops.dimIndex(s, -4, "dim"));
    // a scalar: dims 0 and -1 only
    assertEquals(0, Ops.dimIndex(of(), 0, "dim"));
    says("start_dim 1 is out of range for shape [] (rank 0)", () -> Ops.dimIndex(of(), 1, "start_dim"));
    says("dim -2 is out of range for shape [] (rank 0)", () -> Ops.dimIndex(of(), -2, "dim"));
  }

  @Test
  void reductionsAndViewsOnAScalarGiveAScalarOrOneElement() throws Ops.ShapeError {
    assertEquals(of(), Ops.reduce(of(), 0L, true));
    assertEquals(of(1), Ops.flatten(of(), 0, -1));
    assertEquals(of(), Ops.transpose(of(), 0, -1));
    assertEquals(of(2, 1, 4), Ops.reduce(of(2, 3, 4), 1L, true));
    assertEquals(of(2, 4), Ops.reduce(of(2, 3, 4), -2L, false));
    assertEquals(of(4, 3, 2), Ops.transpose(of(2, 3, 4), 0, 2));
    assertEquals(of(2, 12), Ops.flatten(of(2, 3, 4), 1, 2));
    assertEquals(of(24), Ops.flatten(of(2, 3, 4), 0, -1));
    assertEquals(of(2, 3, 4), Ops.flatten(of(2, 3, 4), 1, 1));
  }
}
