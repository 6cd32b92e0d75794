package dev.netspec.runtime.seed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.netspec.runtime.io.SafeTensors;
import dev.netspec.runtime.nn.BatchNorm2d;
import dev.netspec.runtime.nn.GroupNorm;
import dev.netspec.runtime.tensor.DType;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Beyond the tutorial, the examples of docs/runtime.md's section "Beyond the tutorial": int64 tensors and the
 * normalization layers. The expected texts are what PyTorch 1.13 prints for the same calls.
 */
class DTypesAndNormalizationTest {
  @TempDir
  Path dir;

  @Test
  void int64Tensors() {
    Tensor five = Tensor.scalar(5); // torch.tensor(5): int64, rank 0
    Tensor ids = Tensor.ofLongs(new long[] {1, 2, 30, 4}, 2, 2);
    assertEquals("tensor(5)", five.toString());
    assertEquals(5L, five.longItem());
    assertEquals("tensor([[ 1,  2],\n        [30,  4]])", ids.toString());
    assertEquals(DType.INT64, ids.dtype());
    Tensor asFloat = ids.to(DType.FLOAT32); // ids.float()
    assertEquals("tensor([[ 1.,  2.],\n        [30.,  4.]])", asFloat.toString());
    assertThrows(IllegalStateException.class, () -> ids.add(1f)); // float ops need float32
  }

  @Test
  void batchNorm() throws IOException {
    BatchNorm2d bn = new BatchNorm2d(4);
    assertEquals("BatchNorm2d(4, eps=1e-05, momentum=0.1, affine=True, "
        + "track_running_stats=True)", bn.toString());
    Map<String, Tensor> state = bn.stateDict();
    assertEquals(List.of("weight", "bias", "running_mean", "running_var",
        "num_batches_tracked"), List.copyOf(state.keySet()));
    assertEquals("tensor(0)", bn.numBatchesTracked().toString());

    Tensor x = Tensor.randn(new Generator(0), 8, 4, 5, 5);
    bn.forward(x); // training mode: batch statistics, running statistics updated
    assertEquals("tensor(1)", bn.numBatchesTracked().toString());
    bn.eval();
    Tensor y = bn.forward(x); // eval mode: running statistics

    SafeTensors.saveStateDict(bn, dir.resolve("bn.safetensors"));
    BatchNorm2d copy = new BatchNorm2d(4);
    SafeTensors.loadStateDict(copy, dir.resolve("bn.safetensors"), true);
    copy.eval();
    assertEquals(1L, copy.numBatchesTracked().longItem());
    assertEquals(y.toString(), copy.forward(x).toString());
  }

  @Test
  void groupNorm() {
    GroupNorm gn = new GroupNorm(2, 8);
    assertEquals("GroupNorm(2, 8, eps=1e-05, affine=True)", gn.toString());
    Tensor y = gn.forward(Tensor.randn(new Generator(0), 3, 8, 4, 4));
    assertEquals(0f, y.narrow(1, 0, 4).select(0, 0).meanAsFloat(), 1e-6f); // a group: mean 0
  }
}
