package dev.netspec.peers;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * ONNX Runtime Java running a model exported from PyTorch: one {@code session.run} per call,
 * the input tensor made once (the most favourable use for the peer), the output read back.
 * The setup refuses to time a model whose output differs from PyTorch's. Models come from the
 * directory in the {@code peers.models} system property; batches without an exported input
 * fail in setup. Subclasses name the model and its batches ({@link OrtMlp}, {@link OrtResNet}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
public abstract class OrtBenchmark {
  /** ONNX Runtime's intra-op threads (one caller thread). */
  @Param({"1", "2"})
  public int threads;

  private PeerModel peer;

  /** The model as export_onnx.py names it. */
  abstract String model();

  /** Samples per call. */
  abstract int batch();

  /** Opens the session and checks its output against PyTorch's. */
  @Setup(Level.Trial)
  public void open() throws IOException, OrtException {
    peer = PeerModel.open(model(), batch(), threads);
    peer.check();
  }

  /** One forward; returns an output element so nothing is dead code. */
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
