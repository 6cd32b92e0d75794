package dev.netspec.runtime.seed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.io.SafeTensors;
import dev.netspec.runtime.nn.Linear;
import dev.netspec.runtime.nn.ReLU;
import dev.netspec.runtime.nn.Sequential;
import dev.netspec.runtime.nn.StateDictException;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tutorial's file I/O: tensors, lists, maps and a model's parameters. */
class FileIoTest {
  @TempDir
  Path dir;

  @Test
  void tensor() throws IOException {
    Tensor x = Tensor.arange(4);
    SafeTensors.saveTensor(x, dir.resolve("x-file"));

    Tensor x2 = SafeTensors.loadTensor(dir.resolve("x-file"));

    assertTrue(x.contentEquals(x2), x + " came back as " + x2);
  }

  @Test
  void listOfTensors() throws IOException {
    Tensor x = Tensor.arange(4);
    Tensor y = Tensor.zeros(4);
    SafeTensors.saveList(List.of(x, y), dir.resolve("x-files"));

    List<Tensor> xy = SafeTensors.loadList(dir.resolve("x-files"));

    assertEquals(2, xy.size());
    assertTrue(x.contentEquals(xy.get(0)) && y.contentEquals(xy.get(1)), xy.toString());
  }

  @Test
  void mapOfTensors() throws IOException {
    Map<String, Tensor> mydict = new LinkedHashMap<>();
    mydict.put("x", Tensor.arange(4));
    mydict.put("y", Tensor.zeros(4));
    SafeTensors.save(mydict, dir.resolve("mydict"));

    Map<String, Tensor> mydict2 = SafeTensors.load(dir.resolve("mydict")).tensors();

    assertEquals(mydict.keySet(), mydict2.keySet());
    mydict.forEach((k, v) -> assertTrue(v.contentEquals(mydict2.get(k)), k + " changed"));
  }

  @Test
  void aCloneLoadedFromTheParametersFileGivesTheSameOutput() throws IOException {
    MLP net = new MLP();
    net.initialize(7);
    Tensor x = Tensor.randn(new Generator(1), 2, 20);
    Tensor y = net.forward(x);
    SafeTensors.saveStateDict(net, dir.resolve("mlp.params"));

    MLP clone = new MLP();
    assertFalse(clone.forward(x).contentEquals(y), "a fresh MLP differs before loading");
    SafeTensors.loadStateDict(clone, dir.resolve("mlp.params"), true);
    clone.eval();
    Tensor yClone = clone.forward(x);

    assertTrue(yClone.contentEquals(y), yClone + " != " + y);
  }

  @Test
  void pyTorchWeightsSurviveARoundTripThroughJava() throws IOException {
    Fixture fixture = Fixture.of("mlp");
    MLP net = new MLP();
    SafeTensors.loadStateDict(net, fixture.weights(), true);
    SafeTensors.saveStateDict(net, dir.resolve("mlp.params"));

    MLP clone = new MLP();
    SafeTensors.loadStateDict(clone, dir.resolve("mlp.params"), true);

    Fixture.assertClose(fixture.io("Y"), clone.forward(fixture.io("X")), "clone output");
  }

  @Test
  void weightsOfAnotherModelAreRefusedWithEveryKeyNamed() throws IOException {
    Fixture fixture = Fixture.of("mlp");
    Sequential net = new Sequential(new Linear(20, 256), new ReLU(), new Linear(256, 10));
    Tensor before = net.stateDict().get("0.weight").clone();

    StateDictException e = assertThrows(StateDictException.class,
        () -> SafeTensors.loadStateDict(net, fixture.weights(), true)); // MLP's weights

    assertEquals(fixture.text("load_into_sequential_error"), e.getMessage());
    assertTrue(before.contentEquals(net.stateDict().get("0.weight")), "nothing was loaded");
  }
}
