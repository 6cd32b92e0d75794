package dev.netspec.benchmarks;

import dev.netspec.runtime.autograd.GradMode;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The settings every netspec benchmark shares (JMH reads annotations from superclasses):
 * throughput in ops/s, one thread, short iterations, and a fork with the Vector API module.
 * Every iteration runs under no_grad: benchmarks measure inference, which records nothing.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public abstract class KernelBenchmark {
  /** {@code torch.no_grad()} for the benchmark thread (grad mode is per thread). */
  @Setup(Level.Iteration)
  public void noGrad() {
    GradMode.setEnabled(false);
  }
}
