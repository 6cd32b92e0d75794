package dev.netspec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
  @Test
  void escapesQuotesBackslashesAndControlCharacters() {
    assertEquals("\"a\\\"b\\\\c\\nd\\u0001\"", Json.write("a\"b\\c\nd\u0001"));
  }

  @Test
  void keepsKeyOrderAndPutsScalarListsOnOneLine() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("z", List.of("batch", 3));
    m.put("a", 7L);
    m.put("empty", List.of());
    assertEquals("{\n  \"z\": [\"batch\", 3],\n  \"a\": 7,\n  \"empty\": []\n}", Json.write(m));
  }
}
