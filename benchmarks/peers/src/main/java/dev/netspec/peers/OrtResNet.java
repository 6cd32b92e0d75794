package dev.netspec.peers;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * ONNX Runtime Java running torchvision's ResNet-18 exported from PyTorch (random weights from
 * a fixed seed, eval mode, 3x224x224 images): batch 1 is the latency issue 13 compares,
 * batch 8 the throughput. Runs as {@link OrtMlp} does: the input tensor made once, one
 * {@code session.run} per call, the output read back; the setup refuses to time a model whose
 * output differs from PyTorch's.
 *
 * <p>netspec's own ResNet-18 benchmark, in the {@code benchmarks} module, pairs with these rows
 * in the table by its name and parameters: see benchmarks/peers/README.md.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class OrtResNet {
  /** Images per call. */
  @Param({"1", "8"})
  public int batch;

  /** ONNX Runtime's intra-op threads (one caller thread). */
  @Param({"1", "2"})
  public int threads;

  private PeerModel peer;

  /** Opens the session and checks its output against PyTorch's. */
  @Setup(Level.Trial)
  public void open() throws IOException, OrtException {
    peer = PeerModel.open("resnet18", batch, threads);
    peer.check();
  }

  /** One forward of {@code batch} images; returns a logit so nothing is dead code. */
  @Benchmark
  public float forward() throws OrtException {
    try (OrtSession.Result result = peer.run()) {
      return ((OnnxTensor) result.get(0)).getFloatBuffer().get(0);
    }
  }

  /** Releases the native session. */
  @TearDown(Level.Trial)
  public void close() throws OrtException {
    peer.close();
  }
}
