package dev.netspec.peers;

/** One engine at one thread count, ready to run one batch: what {@link HeadToHead} times. */
interface Contender extends AutoCloseable {
  String name();

  /** One forward; returns an output element so the JIT cannot drop the work. */
  float run() throws Exception;

  @Override
  void close() throws Exception;
}
