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
import java.util.List;
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
