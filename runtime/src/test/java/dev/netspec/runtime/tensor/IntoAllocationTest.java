package dev.netspec.runtime.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netspec.runtime.nn.Allocations;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Each fast path of the {@code ...Into(..., out)} ops allocates nothing once warm: its
 * operands are read where they lie and written into {@code out}, where the fallback (the
 * allocating op and a copy) gives the same floats with a new tensor. So this, and only this,
 * tells the two paths apart for the layouts the fast path is for: dense copies and a strided
 * source gathered into a dense out, dense matrices and {@code w.t()}, batches of matrices
 * including attention heads read in place ({@code q} and {@code k.transpose(-2, -1)} of a
 * {@code (batch, seq, heads, d)} projection), softmax over the last dim, flatten, unary and
 * scalar ops, and a binary op with an equal operand, a bias row, a one-element tensor, a
 * column (one value per row) and a broadcast first operand; written in place too.
 * JIT-dependent (escape analysis), so, as {@code MaskAllocationTest}, only with {@code
 * -Dnetspec.allocationTests=true}, or with {@code =paths}, which runs only these
 * path-choice tests (and {@code nn.IntoPathAllocationTest} and {@code
 * nn.AttentionPathAllocationTest}): a mutation run needs them, and the other allocation tests
 * would only add minutes to it. Each case is measured for up to 3 minutes, as a loaded machine
 * may need.
 */
class IntoAllocationTest {
  private static Tensor rand(long seed, int... shape) {
    return Tensor.rand(new Generator(seed), shape);
  }

  @EnabledIfSystemProperty(named = "netspec.allocationTests", matches = "true|paths",
      disabledReason = "JIT-dependent; run with -Dnetspec.allocationTests=true (or =paths)")
  @Test
  void warmFastPathsAllocateNothing() {
    Tensor a = rand(1, 6, 10);
    Tensor b = rand(2, 6, 10);
    Tensor out = Tensor.zeros(6, 10);
    Tensor strided = rand(3, 10, 6).transpose(0, 1); // (6, 10), not contiguous
    Tensor x = rand(4, 8, 16);
    Tensor w = rand(5, 16, 12);
    Tensor wt = rand(6, 12, 16).t(); // (16, 12) read as B transposed
    Tensor mm = Tensor.zeros(8, 12);
    Tensor bx = rand(7, 2, 3, 8, 16);
    Tensor by = rand(8, 2, 3, 16, 12);
    Tensor bout = Tensor.zeros(2, 3, 8, 12);
    Tensor proj = rand(9, 2, 8, 3, 16); // (batch, seq, heads, d)
    Tensor q = proj.transpose(1, 2); // (2, 3, 8, 16): rows dense
    Tensor kt = rand(10, 2, 8, 3, 16).transpose(1, 2).transpose(-2, -1); // (2, 3, 16, 8)
    Tensor scores = Tensor.zeros(2, 3, 8, 8);
    Tensor x3 = rand(11, 2, 3, 10);
    Tensor flat = Tensor.zeros(2, 30);
    Tensor bias = rand(12, 10);
    Tensor one = rand(13, 1);
    Tensor column = rand(14, 6, 1);
    Tensor bx3 = rand(15, 2, 8, 16);
    Tensor by3 = rand(16, 2, 16, 12);
    Tensor bout3 = Tensor.zeros(2, 8, 12);
    Tensor xk1 = rand(17, 2, 2, 8).narrow(1, 0, 1).transpose(1, 2); // (2, 8, 1), column stride 8
    Tensor yk1 = rand(18, 2, 1, 12);
    Tensor xk1Dense = rand(19, 2, 8, 1);
    Tensor ytk1 = rand(20, 2, 2, 12, 2).select(3, 0).narrow(1, 0, 1); // (2, 1, 12), strides (48, 24, 2)
    Map<String, Runnable> paths = new LinkedHashMap<>();
    paths.put("copy, dense", () -> a.copyInto(out));
    paths.put("copy, strided source", () -> strided.copyInto(out));
    paths.put("pow", () -> a.powInto(2f, out));
    paths.put("matmul", () -> x.matmulInto(w, mm));
    paths.put("matmul, w.t()", () -> x.matmulInto(wt, mm));
    paths.put("batched matmul", () -> bx.matmulInto(by, bout));
    paths.put("batched matmul, rank 3", () -> bx3.matmulInto(by3, bout3));
    paths.put("batched matmul, k = 1, x's column strided", () -> xk1.matmulInto(yk1, bout3));
    paths.put("batched matmul, k = 1, neither of B's strides 1", () -> xk1Dense.matmulInto(ytk1, bout3));
    paths.put("heads: q @ k^T in place", () -> q.matmulInto(kt, scores));
    paths.put("softmax", () -> a.softmaxInto(-1, out));
    paths.put("log_softmax", () -> a.logSoftmaxInto(1, out));
    paths.put("flatten", () -> x3.flattenInto(1, 2, flat));
    paths.put("exp", () -> a.expInto(out));
    paths.put("scalar", () -> a.mulInto(0.5f, out));
    paths.put("binary, same shape", () -> a.addInto(b, out));
    paths.put("binary, bias row", () -> a.addInto(bias, out));
    paths.put("binary, one element", () -> a.mulInto(one, out));
    paths.put("binary, column", () -> a.subInto(column, out));
    paths.put("binary, broadcast first operand", () -> column.mulInto(a, out));
    paths.put("binary, in place", () -> out.addInto(a, out));
    for (Map.Entry<String, Runnable> p : paths.entrySet()) {
      assertEquals(0, Allocations.steadyStateBytes(p.getValue(), 2_000, 50, 180), p.getKey());
    }
  }
}
