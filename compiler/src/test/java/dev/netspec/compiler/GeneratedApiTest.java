package dev.netspec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.nn.Linear;
import dev.netspec.runtime.nn.Module;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The generated classes as a user's code sees them: a user's source that chains
 * {@code new Classifier().eval()} into a {@code Classifier} variable and reads a
 * {@code same_as} child through its typed field compiles without a warning and runs.
 */
class GeneratedApiTest {
  private static final String SPEC = """
      netspec: 1
      package: com.example.models
      blocks:
        Classifier:
          input: [batch, 4]
          sequential: [{linear: 8}, relu, {linear: 8}, relu, {same_as: "2"}, {linear: 3}]
        Scorer:
          input: [batch, 4]
          layers:
            hidden: {linear: 4}
            head: {same_as: hidden}
          forward: head(relu(hidden(x)))
      """;

  private static final String USER = """
      package com.example.app;

      import com.example.models.Classifier;
      import com.example.models.Scorer;
      import dev.netspec.runtime.nn.Linear;
      import dev.netspec.runtime.nn.Module;
      import java.util.List;

      public final class User {
        private User() {}

        public static List<Module> build() {
          Classifier net = new Classifier().eval();
          Classifier again = net.train().train(false);
          Scorer scorer = new Scorer(7).eval();
          Linear shared = net.linear4; // child "4", the same layer as child "2"
          Linear head = scorer.head;
          return List.of(again, shared, scorer, head);
        }
      }
      """;

  @Test
  void chainedModesKeepTheGeneratedTypeAndSameAsChildrenHaveFields() throws Exception {
    Compilation c = Specs.compileClean("api.yaml", SPEC);
    List<GeneratedFile> files = new ArrayList<>(c.files());
    files.add(new GeneratedFile("com/example/app/User.java", "com.example.app.User", USER,
        Path.of("api.yaml")));
    ClassLoader loader = InMemoryJavac.compile(files);
    @SuppressWarnings("unchecked")
    List<Module> built = (List<Module>) loader.loadClass("com.example.app.User")
        .getMethod("build").invoke(null);
    Module net = built.get(0);
    assertEquals("com.example.models.Classifier", net.getClass().getName());
    assertFalse(net.isTraining(), "eval() then train().train(false)");
    assertSame(net.getSubmodule("2"), built.get(1), "linear4 is the layer of child 2");
    assertSame(net.getSubmodule("4"), built.get(1));
    assertTrue(built.get(1) instanceof Linear);
    Module scorer = built.get(2);
    assertSame(scorer.getSubmodule("hidden"), built.get(3), "head is hidden again");
    assertFalse(scorer.isTraining());
  }
}
