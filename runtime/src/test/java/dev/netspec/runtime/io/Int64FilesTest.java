package dev.netspec.runtime.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.nn.BatchNorm2d;
import dev.netspec.runtime.nn.StateDictException;
import dev.netspec.runtime.tensor.DType;
import dev.netspec.runtime.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * I64 tensors written by PyTorch ({@code tools/fixtures/norm_fixtures.py}): they load as int64
 * with PyTorch's values and reprs, save back to the same bytes, and a BatchNorm state dict with
 * its int64 {@code num_batches_tracked} loads strictly.
 */
class Int64FilesTest {
  @TempDir Path dir;

  private static JsonNode expected() throws IOException {
    try (InputStream in = Int64FilesTest.class.getResourceAsStream("/fixtures/io/int64.json")) {
      return JsonMapper.builder().build().readTree(in);
    }
  }

  @Test
  void loadsInt64ValuesShapesAndReprsAsPyTorch() throws IOException {
    JsonNode want = expected();
    Map<String, Tensor> loaded = SafeTensors.load(Fixtures.path("int64.safetensors")).tensors();
    assertEquals(List.of("count", "ids", "matrix", "none", "weight", "zero_by_three"),
        List.copyOf(loaded.keySet()));
    loaded.forEach((key, t) -> {
      JsonNode e = want.get(key);
      assertEquals(e.get("dtype").asString(), t.dtype().toString(), key);
      int[] shape = new int[e.get("shape").size()];
      for (int i = 0; i < shape.length; i++) {
        shape[i] = e.get("shape").get(i).asInt();
      }
      assertArrayEquals(shape, t.shape(), key);
      if (t.dtype() == DType.INT64) {
        long[] values = new long[e.get("values").size()];
        for (int i = 0; i < values.length; i++) {
          values[i] = Long.parseLong(e.get("values").get(i).asString());
        }
        assertArrayEquals(values, t.toLongArray(), key);
      }
      assertEquals(e.get("repr").asString(), t.toString(), key + " repr");
    });
    assertEquals(5L, loaded.get("count").longItem());
    long[] range = new long[2000];
    for (int i = 0; i < range.length; i++) {
      range[i] = i;
    }
    assertEquals(want.get("arange2000").get("repr").asString(), Tensor.ofLongs(range).toString());
    long[] big = new long[12];
    for (int i = 0; i < big.length; i++) {
      big[i] = i * 1_000_000_000_000L - 3;
    }
    assertEquals(want.get("big").get("repr").asString(), Tensor.ofLongs(big, 3, 4).toString());
  }

  @Test
  void savesInt64FilesByteForByteAsPyTorchsWriter() throws IOException {
    Map<String, Tensor> loaded = SafeTensors.load(Fixtures.path("int64.safetensors")).tensors();
    assertArrayEquals(Fixtures.bytes("int64.safetensors"), SafeTensors.serialize(loaded, Map.of()));
    Map<String, Tensor> bn = SafeTensors.load(Fixtures.path("bn.safetensors")).tensors();
    assertArrayEquals(Fixtures.bytes("bn.safetensors"), SafeTensors.serialize(bn, Map.of()));
    // A strided int64 view is written in row-major order.
    Map<String, Tensor> view = Map.of("t", Tensor.ofLongs(new long[] {1, 2, 3, 4, 5, 6}, 2, 3).t());
    Path file = dir.resolve("t.safetensors");
    SafeTensors.save(view, file);
    assertArrayEquals(new long[] {1, 4, 2, 5, 3, 6}, SafeTensors.loadTensor(file).toLongArray());
  }

  @Test
  void batchNormCheckpointLoadsStrictlyWithItsInt64Counter() throws IOException {
    BatchNorm2d bn = new BatchNorm2d(4);
    SafeTensors.loadStateDict(bn, Fixtures.path("bn.safetensors"), true);
    assertEquals(3L, bn.numBatchesTracked().longItem());
    Map<String, Object> c = dev.netspec.runtime.nn.Fixtures.map(
        dev.netspec.runtime.nn.Fixtures.load("norm.json").get("bn_checkpoint"));
    bn.eval();
    Tensor got = bn.forward(dev.netspec.runtime.nn.Fixtures.tensor(c.get("input")));
    assertTrue(dev.netspec.runtime.nn.Fixtures.tensor(c.get("output")).allclose(got, 1e-5, 1e-5),
        "eval output of the PyTorch checkpoint");
    // Saved and loaded again, the counter stays an int64 0-dim tensor.
    Path file = dir.resolve("bn.safetensors");
    SafeTensors.save(bn.stateDict(), file);
    BatchNorm2d again = new BatchNorm2d(4);
    SafeTensors.loadStateDict(again, file, true);
    assertEquals("tensor(3)", again.numBatchesTracked().toString());
  }

  @Test
  void aDtypeMismatchNamesTheKeyAndBothDtypes() throws IOException {
    Map<String, Tensor> state = new LinkedHashMap<>(
        SafeTensors.load(Fixtures.path("bn.safetensors")).tensors());
    state.put("num_batches_tracked", Tensor.scalar(3f));
    state.put("weight", state.get("weight").to(DType.INT64));
    BatchNorm2d bn = new BatchNorm2d(4);
    StateDictException e = assertThrows(StateDictException.class,
        () -> bn.loadStateDict(state, true));
    assertEquals(List.of(
        "dtype mismatch for weight: copying a param with dtype torch.int64 from checkpoint, "
            + "the dtype in current model is torch.float32.",
        "dtype mismatch for num_batches_tracked: copying a param with dtype torch.float32 from "
            + "checkpoint, the dtype in current model is torch.int64."), e.problems());
    assertEquals(0L, bn.numBatchesTracked().longItem(), "nothing loaded");
  }
}
