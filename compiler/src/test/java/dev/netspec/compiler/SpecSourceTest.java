package dev.netspec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A spec's name is its path in the spec folder, however either path is spelled. */
class SpecSourceTest {
  @Test
  void nameIsThePathInTheSpecFolderWithSlashes() {
    assertEquals("mlp.yaml", SpecSource.nameIn(Path.of("specs"), Path.of("specs/mlp.yaml")));
    assertEquals("vision/cnn.yaml",
        SpecSource.nameIn(Path.of("specs/"), Path.of("specs/./vision/../vision/cnn.yaml")));
    assertEquals("vision/cnn.yaml", SpecSource.nameIn(Path.of("specs").toAbsolutePath(),
        Path.of("other/../specs/vision/cnn.yaml")));
  }

  @Test
  void aFileOutsideTheSpecFolderHasNoName() {
    assertThrows(IllegalArgumentException.class,
        () -> SpecSource.nameIn(Path.of("specs"), Path.of("other/mlp.yaml")));
    assertThrows(IllegalArgumentException.class,
        () -> SpecSource.nameIn(Path.of("specs"), Path.of("specs")));
    assertThrows(IllegalArgumentException.class,
        () -> new SpecSource(Path.of("a.yaml"), "", "../a.yaml"));
  }

  @Test
  void withoutAFolderASpecIsNamedByItsFileName() {
    assertEquals("mlp.yaml", new SpecSource(Path.of("../work/mlp.yaml"), "").name());
    assertEquals("mlp.yaml", new SpecSource(Path.of("/home/me/mlp.yaml").toAbsolutePath(), "").name());
  }
}
