package dev.netspec.runtime.nn;

import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The free replicas of one module ({@link Module#concurrentForward}): a busy call takes one,
 * or makes one when none is free, and gives it back after. The pool keeps as many as were
 * ever busy at once: the weights exist once, each replica adds its forward buffers.
 */
final class ReplicaPool {
  private final Module original;
  private final ConcurrentLinkedQueue<Module> free = new ConcurrentLinkedQueue<>();

  ReplicaPool(Module original) {
    this.original = original;
  }

  Module borrow() {
    Module r = free.poll();
    return r != null ? r : original.replica();
  }

  void giveBack(Module replica) {
    free.offer(replica);
  }
}
