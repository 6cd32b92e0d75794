package dev.netspec.spark;

import java.util.Arrays;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.unsafe.Platform;

/**
 * The rows of one batch, kept from reading until their outputs are known: Spark's iterators
 * reuse their row object, so each row is copied. An {@code UnsafeRow} (what Spark's scans
 * produce) is copied as bytes into one array reused batch after batch, and handed back
 * through one reused row object; any other row is copied as Spark copies it. No objects per
 * row once the array has grown to a batch's size.
 */
final class RowArena {
  private final InternalRow[] others; // rows that were not UnsafeRows, else null
  private final int[] starts;
  private final int[] sizes;
  private UnsafeRow view; // points at one kept row at a time; made at the first UnsafeRow
  private byte[] bytes = new byte[0];
  private int used;

  RowArena(int capacity) {
    others = new InternalRow[capacity];
    starts = new int[capacity];
    sizes = new int[capacity];
  }

  /** Forgets the kept rows (the next batch starts). */
  void clear() {
    Arrays.fill(others, null);
    used = 0;
  }

  /** Keeps a copy of {@code row} as row {@code i} of the batch. */
  void keep(int i, InternalRow row) {
    if (row instanceof UnsafeRow u) {
      if (view == null) {
        view = new UnsafeRow(u.numFields()); // every row of a partition has the same fields
      }
      int size = u.getSizeInBytes();
      if (used + size > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(2 * bytes.length, used + size));
      }
      u.writeToMemory(bytes, Platform.BYTE_ARRAY_OFFSET + used);
      starts[i] = used;
      sizes[i] = size;
      used += size;
      others[i] = null;
    } else {
      others[i] = row.copy();
    }
  }

  /**
   * Row {@code i} as kept; an {@code UnsafeRow} comes back through one reused object, valid
   * until the next call (Spark's own contract for the rows an iterator hands out).
   */
  InternalRow get(int i) {
    InternalRow other = others[i];
    if (other != null) {
      return other;
    }
    view.pointTo(bytes, Platform.BYTE_ARRAY_OFFSET + starts[i], sizes[i]);
    return view;
  }
}
