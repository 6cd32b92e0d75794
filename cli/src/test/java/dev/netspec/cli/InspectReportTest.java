package dev.netspec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class InspectReportTest {
  @Test
  void bytesUseBinaryUnits() {
    assertEquals("44 bytes", InspectReport.bytes(44));
    // 7946 float32 parameters: 31,784 bytes = 31.04 KiB
    assertEquals("31,784 bytes (31.0 KiB)", InspectReport.bytes(7946 * 4));
    assertEquals("3,145,728 bytes (3.0 MiB)", InspectReport.bytes(3L << 20));
    assertEquals("? (a lazy dim or a block argument leaves it open; try --input-shape or --arg)",
        InspectReport.bytes(-1));
    assertEquals("?", InspectReport.count(-1));
  }

  @Test
  void shapesPrintSymbolicDimsByName() {
    assertEquals("[batch, 20]", InspectReport.shape(Arrays.asList("batch", 20)));
    assertEquals("[]", InspectReport.shape(java.util.List.of()));
    assertEquals("any shape", InspectReport.shape(null));
  }

  @Test
  void inputFitsItsDeclaredShape() {
    assertEquals(true, Models.fits(new int[] {2, 20}, Arrays.asList("batch", 20)));
    assertEquals(true, Models.fits(new int[] {5, 7}, Arrays.asList("batch", "?")));
    assertEquals(false, Models.fits(new int[] {2, 21}, Arrays.asList("batch", 20)));
    assertEquals(false, Models.fits(new int[] {20}, Arrays.asList("batch", 20)));
    // no input: declared takes anything; input: [] takes only a scalar
    assertEquals(true, Models.fits(new int[] {4, 5}, null));
    assertEquals(false, Models.fits(new int[] {4, 5}, java.util.List.of()));
    assertEquals(true, Models.fits(new int[] {}, java.util.List.of()));
  }
}
