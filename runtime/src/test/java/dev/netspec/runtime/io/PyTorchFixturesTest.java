package dev.netspec.runtime.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.io.Fixtures.Expected;
import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.nn.StateDictException;
import dev.netspec.runtime.tensor.DType;
import dev.netspec.runtime.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Files written by PyTorch load here with PyTorch's values, and ours match PyTorch's bytes. */
class PyTorchFixturesTest {
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"dtypes.safetensors", "x.safetensors", "x-list.safetensors",
      "mydict.safetensors", "mlp.safetensors", "shared.safetensors", "meta-st.safetensors",
      "meta-hf.safetensors"})
  void loadsEveryTensorWithPyTorchsFloat32Values(String file) throws IOException {
    SafeTensorsFile loaded = SafeTensors.load(Fixtures.path(file));
    List<Expected> expected = Fixtures.expected(file);
    assertEquals(expected.stream().map(Expected::key).sorted(SafeTensorsWriter.CODE_POINT_ORDER)
        .toList(), new ArrayList<>(loaded.tensors().keySet()), "keys in file order");
    for (Expected e : expected) {
      Tensor t = loaded.tensor(e.key());
      String what = file + " " + e.key() + " (" + e.dtype() + ")";
      assertArrayEquals(e.shape(), t.shape(), what + " shape");
      float[] actual = t.toFloatArray();
      if (e.bits().length == e.numel()) {
        int[] bits = new int[actual.length];
        for (int i = 0; i < bits.length; i++) {
          bits[i] = Float.floatToRawIntBits(actual[i]);
        }
        assertArrayEquals(e.bits(), bits, what + " float32 bits");
      } else {
        double sum = 0;
        for (float v : actual) {
          sum += v;
        }
        assertEquals(e.sum(), sum, 1e-9 * actual.length, what + " sum");
      }
    }
  }

  @Test
  void keepsMetadata() throws IOException {
    assertEquals(Map.of("format", "pt", "source", "io_fixtures.py"),
        SafeTensors.load(Fixtures.path("dtypes.safetensors")).metadata());
    Map<String, String> meta = Map.of("format", "pt", "author", "netspec",
        "note", "tab\there \"quoted\" \u00e9 \u2603");
    assertEquals(meta, SafeTensors.load(Fixtures.path("meta-st.safetensors")).metadata());
    assertEquals(meta, SafeTensors.load(Fixtures.path("meta-hf.safetensors")).metadata());
  }

  @Test
  void tutorialSingleTensorListAndDict() throws IOException {
    Tensor x = Tensor.arange(4).to(DType.FLOAT32); // as the fixture: float32
    Tensor y = Tensor.zeros(4);
    assertTrue(x.contentEquals(SafeTensors.loadTensor(Fixtures.path("x.safetensors"))));
    List<Tensor> list = SafeTensors.loadList(Fixtures.path("x-list.safetensors"));
    assertEquals(2, list.size());
    assertTrue(x.contentEquals(list.get(0)) && y.contentEquals(list.get(1)));
    Map<String, Tensor> dict = SafeTensors.load(Fixtures.path("mydict.safetensors")).tensors();
    assertTrue(x.contentEquals(dict.get("x")) && y.contentEquals(dict.get("y")));
  }

  @Test
  void writesTheBytesPyTorchWrites() throws IOException {
    Tensor x = Tensor.arange(4).to(DType.FLOAT32); // as the fixture: float32
    Tensor y = Tensor.zeros(4);
    SafeTensors.saveTensor(x, dir.resolve("x"));
    assertBytes("x.safetensors", dir.resolve("x"));
    SafeTensors.saveList(List.of(x, y), dir.resolve("x-list"));
    assertBytes("x-list.safetensors", dir.resolve("x-list"));
    SafeTensors.save(Map.of("y", y, "x", x), dir.resolve("mydict"));
    assertBytes("mydict.safetensors", dir.resolve("mydict"));
  }

  @Test
  void writesMetadataAndUnicodeKeysAsTheSafetensorsLibrary() throws IOException {
    SafeTensorsFile pytorch = SafeTensors.load(Fixtures.path("meta-st.safetensors"));
    // insertion orders that differ from the file's, to show that the writer sorts
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    List<String> keys = new ArrayList<>(pytorch.tensors().keySet());
    for (int i = keys.size() - 1; i >= 0; i--) {
      tensors.put(keys.get(i), pytorch.tensor(keys.get(i)));
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("note", pytorch.metadata().get("note"));
    metadata.put("format", "pt");
    metadata.put("author", "netspec");
    SafeTensors.save(tensors, metadata, dir.resolve("meta"));
    assertBytes("meta-hf.safetensors", dir.resolve("meta"));
    assertArrayEquals(Fixtures.bytes("meta-hf.safetensors"),
        SafeTensors.serialize(tensors, metadata));
  }

  @Test
  void mlpStateDictRoundTripsToPyTorchsBytes() throws IOException {
    Module net = new Fixtures.Mlp();
    Module.LoadResult result =
        SafeTensors.loadStateDict(net, Fixtures.path("mlp.safetensors"), true);
    assertTrue(result.missingKeys().isEmpty() && result.unexpectedKeys().isEmpty());
    float[] outBias = net.getParameter("out.bias").data().toFloatArray();
    Expected pytorch = Fixtures.expected("mlp.safetensors").stream()
        .filter(e -> e.key().equals("out.bias")).findFirst().orElseThrow();
    assertArrayEquals(pytorch.values(), outBias);

    SafeTensors.saveStateDict(net, dir.resolve("mlp.params"));
    assertBytes("mlp.safetensors", dir.resolve("mlp.params"));
    Module clone = new Fixtures.Mlp();
    SafeTensors.loadStateDict(clone, dir.resolve("mlp.params"), true);
    for (String key : net.stateDict().keySet()) {
      assertTrue(net.stateDict().get(key).contentEquals(clone.stateDict().get(key)), key);
    }
  }

  @Test
  void sharedParameterLoadsFromBothKeysAndSavesUnderBoth() throws IOException {
    Module net = Fixtures.sharedNet();
    SafeTensors.loadStateDict(net, Fixtures.path("shared.safetensors"), true);
    assertTrue(net.getParameter("2.weight").data().contentEquals(
        net.getParameter("4.weight").data()));
    SafeTensors.saveStateDict(net, dir.resolve("shared"));
    assertBytes("shared.safetensors", dir.resolve("shared"));
  }

  @Test
  void sharedParameterWithDifferingEntriesIsRefusedAndNothingChanges() throws IOException {
    Map<String, Tensor> tampered = new LinkedHashMap<>(
        SafeTensors.load(Fixtures.path("shared.safetensors")).tensors());
    tampered.put("4.weight", tampered.get("4.weight").add(1f));
    SafeTensors.save(tampered, dir.resolve("tampered"));
    Module net = Fixtures.sharedNet();
    StateDictException e = assertThrows(StateDictException.class,
        () -> SafeTensors.loadStateDict(net, dir.resolve("tampered"), true));
    assertEquals(1, e.problems().size(), e.getMessage());
    String problem = e.problems().get(0);
    assertTrue(problem.contains("4.weight") && problem.contains("2.weight")
        && problem.contains("shared"), problem);
    assertEquals(0f, net.getParameter("0.weight").data().abs().sum().item(), "unchanged");
  }

  @Test
  void strictLoadReportsMissingAndUnexpectedKeys() throws IOException {
    Module net = new Fixtures.Seq(new Fixtures.Lin(20, 256));
    StateDictException e = assertThrows(StateDictException.class,
        () -> SafeTensors.loadStateDict(net, Fixtures.path("mlp.safetensors"), true));
    assertEquals(List.of("0.weight", "0.bias"), e.missingKeys());
    assertEquals(List.of("hidden.bias", "hidden.weight", "out.bias", "out.weight"),
        e.unexpectedKeys());
    Module.LoadResult lenient = SafeTensors.loadStateDict(new Fixtures.Mlp(),
        Fixtures.path("x.safetensors"), false);
    assertEquals(List.of("x"), lenient.unexpectedKeys());
  }

  private static void assertBytes(String fixture, Path written) throws IOException {
    assertArrayEquals(Fixtures.bytes(fixture), Files.readAllBytes(written),
        "bytes of " + written.getFileName() + " versus PyTorch's " + fixture);
  }
}
