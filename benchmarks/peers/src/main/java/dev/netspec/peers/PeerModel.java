package dev.netspec.peers;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import dev.netspec.runtime.io.SafeTensors;
import dev.netspec.runtime.tensor.Tensor;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One exported model (an MLP, ResNet-18, BERT, GPT-2 or the LSTM) opened in ONNX Runtime, with the input and PyTorch's
 * output for one batch size, as {@code benchmarks/peers/python/export_onnx.py} wrote them.
 */
final class PeerModel implements AutoCloseable {
  /** System property naming the directory export_onnx.py wrote; peers.sh sets it. */
  static final String MODELS_PROPERTY = "peers.models";

  /** Allowed difference from PyTorch: |ort - torch| <= ABS + REL * |torch|, per element. */
  static final float ABS = 1e-5f;
  static final float REL = 1e-4f;

  /** The int64 inputs of the token models, in the exported order; other models take float "x". */
  static final Map<String, List<String>> TOKEN_INPUTS = Map.of(
      "minilm", List.of("input_ids", "attention_mask"), "gpt2", List.of("idx"));

  final String name;
  final int batch;
  final OrtSession session;
  final SafeTensorsF32 expected;
  final Map<String, OnnxTensor> inputs;

  private PeerModel(String name, int batch, OrtSession session, Map<String, OnnxTensor> inputs,
      SafeTensorsF32 expected) {
    this.name = name;
    this.batch = batch;
    this.session = session;
    this.expected = expected;
    this.inputs = inputs;
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
    Map<String, OnnxTensor> inputs = new LinkedHashMap<>();
    if (TOKEN_INPUTS.containsKey(name)) { // int64 tokens, read by netspec's safetensors reader
      Map<String, Tensor> tensors = SafeTensors.load(io).tensors();
      for (String n : TOKEN_INPUTS.get(name)) {
        Tensor t = tensors.get(n);
        long[] shape = Arrays.stream(t.shape()).asLongStream().toArray();
        inputs.put(n, OnnxTensor.createTensor(env, LongBuffer.wrap(t.toLongArray()), shape));
      }
    } else {
      SafeTensorsF32 x = SafeTensorsF32.read(io, "x");
      inputs.put("x", OnnxTensor.createTensor(env, FloatBuffer.wrap(x.data), x.shape));
    }
    return new PeerModel(name, batch, session, inputs, y);
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
    for (OnnxTensor t : inputs.values()) {
      t.close();
    }
    session.close();
  }
}
