package dev.netspec.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code train()}, {@code train(mode)} and {@code eval()} return the layer's own type, so
 * that {@code Linear l = new Linear(2, 3).eval();} compiles, for every Module subclass of
 * this package (found on disk, so a new layer cannot be forgotten).
 */
class ModesReturnOwnTypeTest {
  @Test
  void chainedCallsKeepTheType() {
    Linear linear = new Linear(2, 3).eval();
    assertFalse(linear.isTraining());
    Dropout dropout = new Dropout(0.5).eval().train();
    assertTrue(dropout.isTraining());
    Sequential net = new Sequential(new Linear(2, 3), new ReLU()).train(false);
    assertFalse(net.get(0).isTraining(), "eval reaches the children");
    LazyLinear lazy = new LazyLinear(4).train(true);
    assertTrue(lazy.isTraining());
  }

  @Test
  void everyLayerOverridesTheModesWithItsOwnType() throws Exception {
    List<Class<?>> layers = moduleSubclasses();
    assertTrue(layers.size() >= 13, "found only " + layers);
    List<String> missing = new ArrayList<>();
    for (Class<?> c : layers) {
      for (Method m : List.of(c.getMethod("train"), c.getMethod("train", boolean.class),
          c.getMethod("eval"))) {
        if (m.getReturnType() != c) {
          missing.add(c.getSimpleName() + "." + m.getName() + " returns "
              + m.getReturnType().getSimpleName());
        }
      }
    }
    assertEquals(List.of(), missing);
    Linear l = new Linear(2, 3);
    assertSame(l, l.eval());
  }

  /** One instance of every concrete layer of this package. */
  private static List<Module> oneOfEach() {
    return List.of(new AdaptiveAvgPool1d(2), new AdaptiveAvgPool2d(2), new AdaptiveMaxPool2d(2),
        new AvgPool1d(2), new AvgPool2d(2), new BatchNorm1d(3), new BatchNorm2d(3),
        new CachedSelfAttention(4, 2, 8), new Conv1d(2, 3, 3), new Conv2d(2, 3, 3),
        new Dropout(0.5), new Embedding(5, 3), new Flatten(), new GELU(), new GRU(3, 4),
        new GroupNorm(2, 4), new Identity(), new LSTM(3, 4), new LayerNorm(3),
        new LazyLinear(3), new Linear(2, 3), new LogSoftmax(1), new MaxPool1d(2),
        new MaxPool2d(2), new ModuleDict(), new ModuleList<>(new ReLU()),
        new MultiheadAttention(4, 2), new NonDynamicallyQuantizableLinear(4, 4, true),
        new ReLU(), new Sequential(new ReLU()), new Sigmoid(), new SiLU(), new LeakyReLU(0.2),
        new Softmax(1), new Tanh(),
        new TransformerDecoderLayer(4, 2), new TransformerEncoder(new TransformerEncoderLayer(4, 2), 2),
        new TransformerEncoderLayer(4, 2));
  }

  @Test
  void everyLayerReturnsItselfFromTheModesAndSetsThem() throws Exception {
    Map<Class<?>, Module> byClass = new LinkedHashMap<>();
    for (Module m : oneOfEach()) {
      byClass.put(m.getClass(), m);
    }
    List<String> untested = new ArrayList<>();
    for (Class<?> c : moduleSubclasses()) {
      if (!Modifier.isAbstract(c.getModifiers()) && !byClass.containsKey(c)) {
        untested.add(c.getSimpleName());
      }
    }
    assertEquals(List.of(), untested, "add an instance of each new layer to oneOfEach");
    for (Module m : byClass.values()) {
      String name = m.getClass().getSimpleName();
      assertSame(m, m.eval(), name + ".eval()");
      assertFalse(m.isTraining(), name);
      assertSame(m, m.train(), name + ".train()");
      assertTrue(m.isTraining(), name);
      assertSame(m, m.train(false), name + ".train(false)");
      assertFalse(m.isTraining(), name);
      for (Module child : m.modules()) {
        assertFalse(child.isTraining(), name + ": every module of the tree follows");
      }
      assertSame(m, m.train(true), name + ".train(true)");
      assertTrue(m.isTraining(), name);
    }
  }

  /** Every concrete or open subclass of Module in this package, from the class files. */
  private static List<Class<?>> moduleSubclasses() throws IOException, URISyntaxException,
      ClassNotFoundException {
    Path dir = Path.of(Module.class.getResource("Module.class").toURI()).getParent();
    List<Class<?>> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files.sorted()::iterator) {
        String name = f.getFileName().toString();
        if (!name.endsWith(".class") || name.contains("$")) {
          continue;
        }
        Class<?> c = Class.forName(Module.class.getPackageName() + "."
            + name.substring(0, name.length() - ".class".length()));
        if (c != Module.class && Module.class.isAssignableFrom(c)
            && Modifier.isPublic(c.getModifiers())) {
          out.add(c);
        }
      }
    }
    return out;
  }
}
