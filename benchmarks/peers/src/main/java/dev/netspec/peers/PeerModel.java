package dev.netspec.peers;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;

/**
 * One exported model (an MLP or ResNet-18) opened in ONNX Runtime, with the input and PyTorch's
 * output for one batch size, as {@code benchmarks/peers/python/export_onnx.py} wrote them.
 */
final class PeerModel implements AutoCloseable {
  /** System property naming the directory export_onnx.py wrote; peers.sh sets it. */
  static final String MODELS_PROPERTY = "peers.models";

  /** Allowed difference from PyTorch: |ort - torch| <= ABS + REL * |torch|, per element. */
  static final float ABS = 1e-5f;
  static final float REL = 1e-4f;

  final String name;
  final int batch;
  final OrtSession session;
  final OnnxTensor input;
  final SafeTensorsF32 expected;
  final Map<String, OnnxTensor> inputs;

  private PeerModel(String name, int batch, OrtSession session, OnnxTensor input, SafeTensorsF32 expected) {
    this.name = name;
    this.batch = batch;
    this.session = session;
    this.input = input;
    this.expected = expected;
    this.inputs = Map.of("x", input);
  }

  /**
   * Opens model {@code name} (an MLP's widths, e.g. "784-1024-1024-10", or "resnet18") for
   * {@code batch} samples with {@code threads} intra-op threads and ONNX Runtime's full graph
   * optimizations.
   */
  static PeerModel open(String name, int batch, int threads) throws IOException, OrtException {
    Path dir = Paths.get(System.getProperty(MODELS_PROPERTY, "build/models"));
    Path onnx = dir.resolve(stem(name) + ".onnx");
    Path io = dir.resolve(stem(name) + ".b" + batch + ".safetensors");
    for (Path p : new Path[] {onnx, io}) {
      if (!Files.isRegularFile(p)) {
        throw new IOException(p + ": missing; run benchmarks/peers/python/export_onnx.py " + dir
            + " (peers.sh does)");
      }
    }
    SafeTensorsF32 x = SafeTensorsF32.read(io, "x");
    SafeTensorsF32 y = SafeTensorsF32.read(io, "y");
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    OrtSession session;
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(threads);
      options.setInterOpNumThreads(1);
      options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      session = env.createSession(onnx.toString(), options);
    }
    OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(x.data), x.shape);
    return new PeerModel(name, batch, session, input, y);
  }

  /** The file-name stem export_onnx.py gives a model: "mlp_784-1024-1024-10", "resnet18". */
  static String stem(String name) {
    return name.matches("\\d+(-\\d+)+") ? "mlp_" + name : name;
  }

  /** One forward; the caller closes the result. */
  OrtSession.Result run() throws OrtException {
    return session.run(inputs);
  }

  /**
   * Runs once and compares with PyTorch's output.
   *
   * @return the largest absolute difference
   * @throws IllegalStateException naming the first element out of tolerance
   */
  float check() throws OrtException {
    float[] actual;
    try (OrtSession.Result result = run()) {
      FloatBuffer out = ((OnnxTensor) result.get(0)).getFloatBuffer();
      actual = new float[out.remaining()];
      out.get(actual);
    }
    float[] want = expected.data;
    if (actual.length != want.length) {
      throw new IllegalStateException(String.format("ONNX Runtime %s at batch %d: %d outputs, PyTorch gave %d",
          name, batch, actual.length, want.length));
    }
    float worst = 0;
    for (int i = 0; i < want.length; i++) {
      float diff = Math.abs(actual[i] - want[i]);
      if (!(diff <= ABS + REL * Math.abs(want[i]))) {
        throw new IllegalStateException(String.format(
            "ONNX Runtime %s at batch %d: output %d is %s, PyTorch gave %s (tolerance %s + %s * |torch|)",
            name, batch, i, actual[i], want[i], ABS, REL));
      }
      worst = Math.max(worst, diff);
    }
    return worst;
  }

  @Override
  public void close() throws OrtException {
    input.close();
    session.close();
  }
}
