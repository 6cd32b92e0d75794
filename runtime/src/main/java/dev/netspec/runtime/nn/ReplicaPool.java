package dev.netspec.runtime.nn;

import java.util.ArrayList;
import java.util.List;

/**
 * The free replicas of one module ({@link Module#claim}): a busy call takes one, preferring
 * the one its thread used last (its buffers are still in that core's cache), else any free
 * one, and gives it back after; the module takes the instance itself only when none is
 * free, and makes a new replica only when the instance is busy too. The pool keeps as many
 * as were ever busy at once: the weights exist once, each replica adds its forward buffers.
 */
final class ReplicaPool {
  private final List<Module> free = new ArrayList<>();

  /** A free replica, the one {@code thread} used last if it is free; null if none is. */
  synchronized Module borrow(Thread thread) {
    int n = free.size();
    if (n == 0) {
      return null;
    }
    int pick = n - 1;
    for (int i = n - 1; i >= 0; i--) {
      if (free.get(i).lastOwner() == thread) {
        pick = i;
        break;
      }
    }
    Module r = free.get(pick);
    free.set(pick, free.get(n - 1));
    free.remove(n - 1);
    return r;
  }

  synchronized void giveBack(Module replica) {
    free.add(replica);
  }
}
