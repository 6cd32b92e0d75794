package dev.netspec.peers;

import dev.netspec.examples.BertModel;
import dev.netspec.examples.GPT;
import dev.netspec.examples.ResNet;
import dev.netspec.runtime.init.RandomStateDict;
import dev.netspec.runtime.io.SafeTensors;
import dev.netspec.runtime.kernels.Activation;
import dev.netspec.runtime.kernels.Kernels;
import dev.netspec.runtime.nn.LSTM;
import dev.netspec.runtime.nn.Linear;
import dev.netspec.runtime.nn.ReLU;
import dev.netspec.runtime.nn.Sequential;
import dev.netspec.runtime.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Supplier;

/**
 * netspec's side of {@link HeadToHead}, for every model ONNX Runtime runs there, with the weights
 * export_onnx.py gave PyTorch and ONNX Runtime, checked against PyTorch's output before anything
 * is timed, then run the way a user's zero-allocation loop runs it, into an output made once:
 * an MLP ("784-1024-1024-10") as generated code runs a {@code Sequential} of Linear and ReLU
 * (each Linear's {@code forwardInto} with the ReLU fused, PyTorch's state dict loaded with
 * {@code loadStateDict}); the networks ({@code resnet18}, {@code minilm}, {@code gpt2}, {@code
 * lstm}) as the benchmarks module's JMH benchmarks build them: the generated model (the
 * runtime's LSTM) through {@code forward(x, out)}.
 */
final class NetspecModel implements Contender {
  /** Tokens per sequence of the BERT and GPT-2 inputs, and steps of the LSTM's. */
  private static final int SEQ = 128;
  private static final int LSTM_STEPS = 100;
  private static final int LSTM_WIDTH = 256;

  /** The seed export_onnx.py drew ResNet-18's weights with ({@code models.RESNET_SEED}). */
  private static final long RESNET_SEED = 13;

  private final int threads;
  private final Supplier<Tensor> forward;

  private NetspecModel(int threads, Supplier<Tensor> forward) {
    this.threads = threads;
    this.forward = forward;
  }

  /**
   * netspec running {@code model} on the exported input of {@code batch} in {@code dir}.
   *
   * @throws IllegalStateException when netspec's output differs from PyTorch's
   */
  static NetspecModel open(String model, int batch, int threads, Path dir) throws IOException {
    Kernels.setThreads(threads);
    Path io = dir.resolve(PeerModel.stem(model) + ".b" + batch + ".safetensors");
    if (!Files.isRegularFile(io)) {
      throw new IOException(io + ": missing; run benchmarks/peers/python/export_onnx.py " + dir
          + " (peers.sh does)");
    }
    Map<String, Tensor> t = SafeTensors.load(io).tensors();
    Supplier<Tensor> forward;
    float rtol;
    float atol;
    switch (model) {
      case "resnet18": {
        ResNet net = new ResNet();
        RandomStateDict.fill_(net.stateDict(), RESNET_SEED);
        net.eval();
        Tensor x = t.get("x");
        Tensor logits = Tensor.zeros(batch, 1000);
        forward = () -> net.forward(x, logits);
        rtol = 1e-4f;
        atol = 1e-4f;
        break;
      }
      case "minilm": {
        BertModel net = new BertModel(30522, 384, 12, 1536, 512, 2);
        SafeTensors.loadStateDict(net, dir.resolve("minilm.safetensors"), true);
        net.eval();
        Tensor ids = t.get("input_ids");
        Tensor mask = t.get("attention_mask");
        BertModel.Output out = new BertModel.Output(Tensor.zeros(batch, SEQ, 384),
            Tensor.zeros(batch, 384), Tensor.zeros(batch, 384));
        forward = () -> net.forwardTupleInto(ids, mask, out).sentence();
        rtol = 1e-4f;
        atol = 1e-4f;
        break;
      }
      case "gpt2": {
        GPT net = new GPT(50257, 1024, 12, 768, 1).eval();
        SafeTensors.loadStateDict(net, dir.resolve("gpt2.safetensors"), true);
        Tensor idx = t.get("idx");
        Tensor logits = Tensor.zeros(batch, SEQ, 50257);
        forward = () -> net.forward(idx, 0, logits);
        rtol = 1e-3f;
        atol = 1e-4f;
        break;
      }
      case "lstm": {
        LSTM net = new LSTM(LSTM_WIDTH, LSTM_WIDTH, 2, true, true, 0, false);
        SafeTensors.loadStateDict(net, dir.resolve("lstm.safetensors"), true);
        net.eval();
        Tensor x = t.get("x");
        Tensor out = Tensor.zeros(batch, LSTM_STEPS, LSTM_WIDTH);
        forward = () -> net.forward(x, out);
        rtol = 1e-4f;
        atol = 1e-5f;
        break;
      }
      default: {
        if (!PeerModel.stem(model).startsWith("mlp_")) {
          throw new IllegalArgumentException("no netspec model named " + model);
        }
        forward = mlp(model, batch, dir);
        rtol = PeerModel.REL;
        atol = PeerModel.ABS;
      }
    }
    if (!forward.get().allclose(t.get("y"), rtol, atol)) {
      throw new IllegalStateException("netspec's " + model + " at batch " + batch
          + " differs from PyTorch's (" + io + ")");
    }
    return new NetspecModel(threads, forward);
  }

  /** The MLP of {@code widths} ("784-1024-1024-10"): Linear layers, the ReLUs fused. */
  private static Supplier<Tensor> mlp(String widths, int batch, Path dir) throws IOException {
    int[] w = Arrays.stream(widths.split("-")).mapToInt(Integer::parseInt).toArray();
    Sequential seq = new Sequential();
    Linear[] layers = new Linear[w.length - 1];
    Tensor[] buffers = new Tensor[layers.length];
    for (int l = 0; l < layers.length; l++) {
      layers[l] = new Linear(w[l], w[l + 1]);
      seq.add(Integer.toString(2 * l), layers[l]);
      if (l < layers.length - 1) {
        seq.add(Integer.toString(2 * l + 1), new ReLU());
      }
      buffers[l] = Tensor.zeros(batch, w[l + 1]);
    }
    // Keys "0.weight", "0.bias", "2.weight", ...: nn.Sequential's, as PyTorch saved them.
    SafeTensors.loadStateDict(seq, dir.resolve(PeerModel.stem(widths) + ".safetensors"), true);
    Tensor x = SafeTensors.load(dir.resolve(PeerModel.stem(widths) + ".b" + batch
        + ".safetensors")).tensors().get("x");
    return () -> {
      Tensor h = x;
      for (int l = 0; l < layers.length; l++) {
        Activation act = l < layers.length - 1 ? Activation.RELU : Activation.NONE;
        h = layers[l].forwardInto(h, act, buffers[l]);
      }
      return h;
    };
  }

  @Override
  public String name() {
    return "netspec, " + threads + " thr";
  }

  @Override
  public float run() {
    Kernels.setThreads(threads); // a no-op unless the previous contender used another count
    return forward.get().array()[0];
  }

  @Override
  public void close() {}
}
