package dev.netspec.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.tensor.Tensor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A model's {@code forward(x)} under several threads ({@link Module#claim}): each thread keeps
 * to the buffers it used last while they are free, instead of taking turns with the others
 * on the instance and its replicas (which moved every buffer from core to core), and no more
 * replicas are made than were busy at once.
 */
class ReplicaAffinityTest {
  /** A block written as netspec generates one: a child, a replica sharing its weights. */
  static final class Block extends Module {
    final Linear linear;

    Block() {
      linear = addModule("0", new Linear(2, 2));
    }

    @Override
    public Tensor forward(Tensor x) {
      return linear.forward(x);
    }

    @Override
    public Block replica() {
      return replicaOf(Block::new);
    }

    Block take() {
      return claim();
    }

    void giveBack(Block claimed) {
      release(claimed);
    }
  }

  private final ExecutorService a = Executors.newSingleThreadExecutor();
  private final ExecutorService b = Executors.newSingleThreadExecutor();
  private final ExecutorService c = Executors.newSingleThreadExecutor();

  @AfterEach
  void stop() throws InterruptedException {
    for (ExecutorService e : new ExecutorService[] {a, b, c}) {
      e.shutdown();
      assertTrue(e.awaitTermination(60, TimeUnit.SECONDS));
    }
  }

  private static Block on(ExecutorService thread, Block model) throws Exception {
    return thread.submit(model::take).get(60, TimeUnit.SECONDS);
  }

  private static void back(ExecutorService thread, Block model, Block claimed) throws Exception {
    thread.submit(() -> model.giveBack(claimed)).get(60, TimeUnit.SECONDS);
  }

  @Test
  void eachThreadKeepsToTheBuffersItUsedLast() throws Exception {
    Block model = new Block();
    Block first = on(a, model);
    Block second = on(b, model); // while a holds the instance
    assertSame(model, first);
    assertNotSame(model, second, "a busy instance lends a replica");
    back(a, model, first);
    back(b, model, second);

    for (int round = 0; round < 3; round++) {
      // b comes first, with the instance free: it keeps to its replica.
      Block bAgain = on(b, model);
      assertSame(second, bAgain, "round " + round + ": b takes the replica it used last");
      Block aAgain = on(a, model);
      assertSame(model, aAgain, "round " + round + ": a takes the instance it used last");
      back(a, model, aAgain);
      back(b, model, bAgain);
    }

    // A third thread, nothing busy: a free replica, never a new one, and not the instance,
    // which stays with a (the thread that used it last claims it without the pool's lock).
    Block third = on(c, model);
    assertSame(second, third, "a newcomer takes a free replica before the instance");
    Block aNext = on(a, model);
    assertSame(model, aNext, "a keeps the instance");
    back(c, model, third);
    back(a, model, aNext);
    // With the replica busy, the newcomer takes the free instance rather than make a replica.
    Block bHolds = on(b, model);
    assertSame(second, bHolds);
    Block cAgain = on(c, model);
    assertSame(model, cAgain, "the instance when no replica is free");
    back(c, model, cAgain);
    back(b, model, bHolds);
  }
}
