package dev.netspec.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class AlignedSlabTest {
  @Test
  void smallMatricesShareASlabAtDisjointAlignedOffsets() {
    AlignedSlab.Slice a = AlignedSlab.allocate(100);
    AlignedSlab.Slice b = AlignedSlab.allocate(3);
    AlignedSlab.Slice c = AlignedSlab.allocate(16);
    if (a.array == b.array) { // unless a filled the previous slab
      assertTrue(b.offset >= a.offset + 100, "b overlaps a");
    }
    if (b.array == c.array) {
      assertTrue(c.offset >= b.offset + 3, "c overlaps b");
    }
    for (AlignedSlab.Slice s : new AlignedSlab.Slice[] {a, b, c}) {
      assertEquals(AlignedSlab.FIRST_ALIGNED % 16, s.offset % 16, "offset " + s.offset);
      assertEquals(AlignedSlab.SLAB, s.array.length);
    }
  }

  @Test
  void largeMatricesGetTheirOwnArray() {
    AlignedSlab.Slice a = AlignedSlab.allocate(AlignedSlab.SHARED_MAX);
    AlignedSlab.Slice b = AlignedSlab.allocate(AlignedSlab.SHARED_MAX);
    assertNotSame(a.array, b.array);
    assertEquals(AlignedSlab.FIRST_ALIGNED, a.offset);
    assertEquals(AlignedSlab.FIRST_ALIGNED + AlignedSlab.SHARED_MAX, a.array.length);
  }

  @Test
  void aFullSlabIsReplaced() {
    int size = AlignedSlab.SHARED_MAX - 1;
    AlignedSlab.Slice first = AlignedSlab.allocate(size);
    AlignedSlab.Slice last = first;
    for (int i = 0; i < AlignedSlab.SLAB / size + 1; i++) {
      last = AlignedSlab.allocate(size);
      assertTrue(last.offset + size <= last.array.length);
    }
    assertNotSame(first.array, last.array);
  }

  @Test
  void packedMatricesInOneSlabKeepTheirOwnValues() {
    Random rnd = new Random(3);
    int k = 7;
    int n = 5;
    float[] w1 = new float[n * k];
    float[] w2 = new float[n * k];
    for (int i = 0; i < w1.length; i++) {
      w1[i] = rnd.nextFloat();
      w2[i] = -rnd.nextFloat();
    }
    PackedMatrix p1 = PackedMatrix.pack(k, n, w1, 0, k, true);
    PackedMatrix p2 = PackedMatrix.pack(k, n, w2, 0, k, true);
    p2.repack(w2, 0, k, true); // writes into the slab p1 (usually) shares
    for (int p = 0; p < k; p++) {
      for (int j = 0; j < n; j++) {
        assertEquals(w1[j * k + p], p1.get(p, j));
        assertEquals(w2[j * k + p], p2.get(p, j));
      }
    }
  }
}
