package dev.netspec.runtime.nn;

import dev.netspec.runtime.kernels.Kernels;
import dev.netspec.runtime.tensor.Tensor;
import java.util.Objects;

/**
 * A multi-layer gated recurrent unit ({@code nn.GRU}). Each layer, at each step:
 *
 * <pre>
 * r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)    z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
 * n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
 * h' = (1 - z) * n + z * h
 * </pre>
 *
 * with the gates stacked in PyTorch's order r, z, n in {@code weight_ih_lk} {@code (3 *
 * hidden_size, input)}, {@code weight_hh_lk} {@code (3 * hidden_size, hidden_size)} and the
 * biases (the reset gate multiplies the hidden term including its bias {@code b_hn}, as in
 * PyTorch); names, shapes, init and repr are PyTorch's (see {@link RNNBase}).
 *
 * <p>PyTorch's {@code gru(x, h0)} returns {@code (output, h_n)}; here that is {@link
 * #forwardWithState(Tensor, Tensor)}, returning an {@link Output} ({@code forward(x, h0)}
 * cannot be: {@link Module#forward(Tensor, Tensor)} is the forward into a caller's output).
 * {@link #forward(Tensor)}, the {@link Module} contract, returns the output sequence alone,
 * {@code gru(x)[0]}. Shapes as for {@link LSTM}.
 */
public final class GRU extends RNNBase {
  /**
   * {@code (output, h_n)}: {@code output} {@code (seq, batch, directions * hidden_size)}
   * (batch first if the layer is), every step's last-layer hidden state, the two directions
   * side by side; {@code hN} the final hidden state of every layer and direction.
   */
  public record Output(Tensor output, Tensor hN) {
    public Output {
      Objects.requireNonNull(output, "output");
      Objects.requireNonNull(hN, "hN");
    }
  }

  /** {@code nn.GRU(input_size, hidden_size)}: one layer, with biases. */
  public GRU(int inputSize, int hiddenSize) {
    this(inputSize, hiddenSize, 1);
  }

  /** {@code nn.GRU(input_size, hidden_size, num_layers)}. */
  public GRU(int inputSize, int hiddenSize, int numLayers) {
    this(inputSize, hiddenSize, numLayers, true, false, 0, false);
  }

  /**
   * {@code nn.GRU(input_size, hidden_size, num_layers, bias, batch_first, dropout,
   * bidirectional)}, initialized as {@link ParameterSeeds#standalone()} gives it. {@code
   * dropout} applies to every layer's output but the last, in training mode only.
   */
  public GRU(int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst,
      double dropout, boolean bidirectional) {
    super(3, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional);
  }

  /** {@code gru(x)}: the output and final state, from a zero initial state. */
  public Output forwardWithState(Tensor x) {
    return forwardWithState(x, null);
  }

  /** {@code gru(x, h0)}: the output and final state; {@code h0} null means zeros. */
  public Output forwardWithState(Tensor x, Tensor h0) {
    Output out = newOutput(x);
    Tensor[] r = recorded(x, h0, null, out.output(), out.hN(), null);
    return new Output(r[0], r[1]);
  }

  /**
   * {@link #forwardWithState(Tensor, Tensor)} written into {@code out}, whose tensors the
   * caller owns and reuses ({@link #newOutput} makes them): the zero-allocation forward, once
   * warm, for contiguous inputs in eval mode (or without dropout). The outputs must not share
   * storage with the inputs, except that {@code h0} may be {@code out.hN()} itself, to carry
   * the state from one call to the next. Returns {@code out}.
   */
  public Output forwardInto(Tensor x, Tensor h0, Output out) {
    run(x, h0, null, out.output(), out.hN(), null);
    return out;
  }

  /** Zero tensors of the shapes {@link #forwardInto} writes for an input shaped as {@code x}. */
  public Output newOutput(Tensor x) {
    return new Output(Tensor.zeros(outputShape(x.shape())), Tensor.zeros(stateShape(x.shape())));
  }

  @Override
  void cell(int n, float[] gates, int gOff, float[] hg, int hgOff, float[] hPrev, int hpOff,
      float[] c, int cOff, float[] h, int hOff) {
    Kernels.gruCell(n, gates, gOff, hg, hgOff, hPrev, hpOff, h, hOff);
  }

  // covariant returns, so that calls chain: GRU gru = new GRU(...).eval();

  @Override
  public GRU train() {
    return train(true);
  }

  @Override
  public GRU train(boolean mode) {
    super.train(mode);
    return this;
  }

  @Override
  public GRU eval() {
    return train(false);
  }
}
