package dev.netspec.maven;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpecFilterTest {
  private final SpecFilter defaults =
      new SpecFilter(List.of("**/*.yaml", "**/*.yml", "**/*.json"), List.of("drafts/**"));

  @Test
  void leadingDoubleStarAlsoMatchesTopLevelFiles() {
    assertTrue(defaults.accepts(Path.of("mlp.yaml")));
    assertTrue(defaults.accepts(Path.of("seed/deep/params.json")));
  }

  @Test
  void otherFilesAndExcludedFoldersAreLeftOut() {
    assertFalse(defaults.accepts(Path.of("README.md")));
    assertFalse(defaults.accepts(Path.of("drafts/wip.yaml")));
    assertTrue(defaults.accepts(Path.of("final/drafts.yaml")));
  }
}
