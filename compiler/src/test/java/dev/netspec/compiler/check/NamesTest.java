package dev.netspec.compiler.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Name rules at their length limits (64 for spec names, 200 for Java packages and classes) and
 * the "did you mean" suggestion: optimal string alignment distances worked by hand, the allowed
 * distance (a third of the name, 1 to 3), ties to a preferred candidate, then to the nearest
 * trailing number, then to the alphabetically first.
 */
class NamesTest {
  @Test
  void namesAtTheirLengthLimits() {
    assertTrue(Names.isBlockName("A" + "b".repeat(63)));
    assertFalse(Names.isBlockName("A" + "b".repeat(64)));
    assertTrue(Names.isIdentifier("a".repeat(64)));
    assertFalse(Names.isIdentifier("a".repeat(65)));
    assertTrue(Names.isChildName("a".repeat(64)));
    assertFalse(Names.isChildName("a".repeat(65)));
    assertTrue(Names.isChildName("12"));
    String pkg200 = "a".repeat(99) + "." + "b".repeat(100);
    assertTrue(Names.isValidPackage(pkg200));
    assertFalse(Names.isValidPackage(pkg200 + "c"));
    assertFalse(Names.isValidPackage("com.example.class"));
    String class200 = "a".repeat(98) + "." + "B".repeat(101);
    assertTrue(Names.isQualifiedClass(class200));
    assertFalse(Names.isQualifiedClass(class200 + "c"));
    assertFalse(Names.isQualifiedClass("com.new.Inits"), "a keyword segment");
    assertTrue(Names.isQualifiedClass("com.acme.Inits"));
  }

  @Test
  void distancesAsOptimalStringAlignment() {
    assertEquals(0, Names.distance("relu", "relu"));
    assertEquals(1, Names.distance("lienar", "linear")); // one adjacent swap
    assertEquals(1, Names.distance("ab", "ba"));
    assertEquals(3, Names.distance("", "abc"));
    assertEquals(3, Names.distance("abc", ""));
    assertEquals(3, Names.distance("kitten", "sitting"));
    assertEquals(3, Names.distance("ca", "abc")); // OSA edits no substring twice (Damerau: 2)
  }

  @Test
  void theClosestCandidateWithinAThirdOfTheName() {
    assertEquals("linear", Names.closest("LIENAR", List.of("relu", "linear")));
    // ties go to the alphabetically first, in any order of the candidates
    assertEquals("aa", Names.closest("ab", List.of("ac", "aa")));
    assertEquals("aa", Names.closest("ab", List.of("aa", "ac")));
    // a nearer candidate wins over an earlier one
    assertEquals("abcd", Names.closest("abcx", List.of("abyy", "abcd")));
    // allowed: 1 for up to 5 characters, 2 for 6 to 8, 3 from 9
    assertEquals("abcd", Names.closest("abxd", List.of("abcd")));
    assertNull(Names.closest("axxd", List.of("abcd")));
    assertEquals("abcdef", Names.closest("abxxef", List.of("abcdef")));
    assertNull(Names.closest("axxxef", List.of("abcdef")));
    assertEquals("abcdefghi", Names.closest("abxxxfghi", List.of("abcdefghi")));
    assertNull(Names.closest("axxxxfghi", List.of("abcdefghi")));
    assertNull(Names.closest("abcdefghijklmnop", List.of("abcdefghijklxxxx")), "at most 3");
    assertNull(Names.closest("a", List.of()));
    assertEquals("; did you mean 'linear'?", Names.suggest("lienar", List.of("linear")));
    assertEquals("", Names.suggest("conv", List.of("linear")));
    // meant: else the one candidate holding the name as a word
    assertEquals("kernel_size", Names.meant("kernel", List.of("kernel_size", "stride")));
    assertNull(Names.meant("size", List.of("kernel_size", "output_size")));
  }

  @Test
  void tiesGoToThePreferredThenToTheNearestNumber() {
    // fc1 and fc2 are both one edit from fc3: the one never called wins, in any order
    assertEquals("fc2", Names.closest("fc3", List.of("fc1", "fc2"), Set.of("fc2")));
    assertEquals("fc1", Names.closest("fc3", List.of("fc2", "fc1"), Set.of("fc1")));
    // no preference (or both preferred): the nearer number, fc2 for fc3, fc4 for fc5
    assertEquals("fc2", Names.closest("fc3", List.of("fc1", "fc2")));
    assertEquals("fc2", Names.closest("fc3", List.of("fc2", "fc1"), Set.of("fc1", "fc2")));
    assertEquals("fc4", Names.closest("fc5", List.of("fc4", "fc7", "fc3")));
    assertEquals("layer10", Names.closest("layer11", List.of("layer12", "layer10", "layer1")));
    // a nearer candidate still wins over a preferred one
    assertEquals("fc1", Names.closest("fc1", List.of("fc1", "fc2"), Set.of("fc2")));
    // the preference decides before the number: fc9 (never called) over fc2 for fc3
    assertEquals("fc9", Names.closest("fc3", List.of("fc2", "fc9"), Set.of("fc9")));
    // without numbers on both sides, the alphabetically first
    assertEquals("fca", Names.closest("fc3", List.of("fcb", "fca")));
    assertEquals("fc2", Names.closest("fc3", List.of("fca", "fc2")));
    assertEquals("; did you mean 'fc2'?", Names.suggest("fc3", List.of("fc1", "fc2"), Set.of("fc2")));
  }
}
