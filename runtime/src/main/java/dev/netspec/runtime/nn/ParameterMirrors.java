package dev.netspec.runtime.nn;

import dev.netspec.runtime.tensor.Tensor;
import java.lang.ref.WeakReference;
import java.util.Arrays;

/**
 * The packed copies of one parameter that optimizers keep current ({@link
 * Parameter#addMirror}), seen by an optimizer as one {@link ParameterMirror}: each training
 * step built over a model keeps its own packed copy of each weight, so two steps over one
 * model (one per thread, say) both find their copies current after an update. A copy is held
 * weakly: a dropped training step's copies are not kept alive nor updated. Allocates nothing
 * during an update.
 */
final class ParameterMirrors implements ParameterMirror {
  private WeakReference<ParameterMirror>[] refs = newRefs(0);
  private int count;
  /** The copies taking part in the update under way (strongly held until {@link #end}). */
  private ParameterMirror[] active = new ParameterMirror[0];
  private int activeCount;
  private int block;

  @SuppressWarnings("unchecked")
  private static WeakReference<ParameterMirror>[] newRefs(int n) {
    return (WeakReference<ParameterMirror>[]) new WeakReference<?>[n];
  }

  /** Adds {@code mirror} (once), dropping copies whose owners are gone. */
  synchronized void add(ParameterMirror mirror) {
    int live = 0;
    boolean present = false;
    for (int i = 0; i < count; i++) {
      ParameterMirror m = refs[i].get();
      if (m != null) {
        present |= m == mirror;
        refs[live++] = refs[i];
      }
    }
    Arrays.fill(refs, live, count, null);
    count = live;
    if (present) {
      return;
    }
    if (count == refs.length) {
      refs = Arrays.copyOf(refs, Math.max(2, 2 * count));
    }
    refs[count++] = new WeakReference<>(mirror);
  }

  /** Removes {@code mirror} if present. */
  synchronized void remove(ParameterMirror mirror) {
    int live = 0;
    for (int i = 0; i < count; i++) {
      ParameterMirror m = refs[i].get();
      if (m != null && m != mirror) {
        refs[live++] = refs[i];
      }
    }
    Arrays.fill(refs, live, count, null);
    count = live;
  }

  /** Whether no copy is registered (or every owner is gone). */
  synchronized boolean isEmpty() {
    for (int i = 0; i < count; i++) {
      if (refs[i].get() != null) {
        return false;
      }
    }
    return true;
  }

  /**
   * Asks each copy whether it takes part; all that do must ask for blocks of one size (copies
   * of one weight in one layout do). A copy asking for another size is left out: it is not
   * told of this update, so it repacks itself before its next use, as a copy that declined.
   */
  @Override
  public synchronized boolean begin(Tensor data) {
    if (active.length < count) {
      active = new ParameterMirror[count];
    }
    activeCount = 0;
    for (int i = 0; i < count; i++) {
      ParameterMirror m = refs[i].get();
      if (m != null && m.begin(data)) {
        if (activeCount == 0) {
          block = m.block();
        } else if (m.block() != block) {
          continue;
        }
        active[activeCount++] = m;
      }
    }
    return activeCount > 0;
  }

  @Override
  public int block() {
    return block;
  }

  /** Passes the block to every copy taking part (the update may call this from several threads). */
  @Override
  public void updated(int from, int to) {
    for (int i = 0; i < activeCount; i++) {
      active[i].updated(from, to);
    }
  }

  @Override
  public synchronized void end(Tensor data) {
    for (int i = 0; i < activeCount; i++) {
      active[i].end(data);
      active[i] = null;
    }
    activeCount = 0;
  }
}
