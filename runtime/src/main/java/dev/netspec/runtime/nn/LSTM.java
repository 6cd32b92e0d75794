package dev.netspec.runtime.nn;

import dev.netspec.runtime.kernels.Kernels;
import dev.netspec.runtime.tensor.Tensor;
import java.util.Objects;

/**
 * A multi-layer long short-term memory ({@code nn.LSTM}). Each layer, at each step:
 *
 * <pre>
 * i = sigmoid(W_ii x + b_ii + W_hi h + b_hi)    f = sigmoid(W_if x + b_if + W_hf h + b_hf)
 * g = tanh(W_ig x + b_ig + W_hg h + b_hg)       o = sigmoid(W_io x + b_io + W_ho h + b_ho)
 * c' = f * c + i * g                            h' = o * tanh(c')
 * </pre>
 *
 * with the gates stacked in PyTorch's order i, f, g, o in {@code weight_ih_lk} {@code (4 *
 * hidden_size, input)}, {@code weight_hh_lk} {@code (4 * hidden_size, hidden_size)} and the
 * biases; names, shapes, init and repr are PyTorch's (see {@link RNNBase}). {@code proj_size}
 * is not supported.
 *
 * <p>PyTorch's {@code lstm(x, (h0, c0))} returns {@code (output, (h_n, c_n))}; here that is
 * {@link #forwardWithState(Tensor, Tensor, Tensor)}, returning an {@link Output}. {@link
 * #forward(Tensor)}, the {@link Module} contract (one tensor), returns the output sequence
 * alone, {@code lstm(x)[0]}, so an LSTM can sit in a {@link Sequential}. Inputs are {@code
 * (seq, batch, input_size)}, {@code (batch, seq, input_size)} if {@code batch_first}, or
 * unbatched {@code (seq, input_size)}; states are {@code (num_layers * directions, batch,
 * hidden_size)} (unbatched: without the batch dim), the forward direction of layer {@code k}
 * at {@code 2k} when bidirectional, the reverse at {@code 2k + 1}.
 */
public final class LSTM extends RNNBase {
  /**
   * {@code (output, (h_n, c_n))}: {@code output} {@code (seq, batch, directions *
   * hidden_size)} (batch first if the layer is), every step's last-layer hidden state, the
   * two directions side by side; {@code hN} and {@code cN} the final hidden and cell states of
   * every layer and direction.
   */
  public record Output(Tensor output, Tensor hN, Tensor cN) {
    public Output {
      Objects.requireNonNull(output, "output");
      Objects.requireNonNull(hN, "hN");
      Objects.requireNonNull(cN, "cN");
    }
  }

  /** {@code nn.LSTM(input_size, hidden_size)}: one layer, with biases. */
  public LSTM(int inputSize, int hiddenSize) {
    this(inputSize, hiddenSize, 1);
  }

  /** {@code nn.LSTM(input_size, hidden_size, num_layers)}. */
  public LSTM(int inputSize, int hiddenSize, int numLayers) {
    this(inputSize, hiddenSize, numLayers, true, false, 0, false);
  }

  /**
   * {@code nn.LSTM(input_size, hidden_size, num_layers, bias, batch_first, dropout,
   * bidirectional)}, initialized as {@link ParameterSeeds#standalone()} gives it. {@code
   * dropout} applies to every layer's output but the last, in training mode only.
   */
  public LSTM(int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst,
      double dropout, boolean bidirectional) {
    super(4, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional);
  }

  /** {@code lstm(x)}: the output and final states, from zero initial states. */
  public Output forwardWithState(Tensor x) {
    return forwardWithState(x, null, null);
  }

  /**
   * {@code lstm(x, (h0, c0))}: the output and final states; {@code h0} and {@code c0} both
   * given ({@link #stateShape}) or both null (zeros). A fresh {@link Output}.
   */
  public Output forwardWithState(Tensor x, Tensor h0, Tensor c0) {
    bothOrNeither(h0, c0);
    Output out = newOutput(x);
    Tensor[] r = recorded(x, h0, c0, out.output(), out.hN(), out.cN());
    return new Output(r[0], r[1], r[2]);
  }

  /**
   * {@link #forwardWithState(Tensor, Tensor, Tensor)} written into {@code out}, whose tensors
   * the caller owns and reuses ({@link #newOutput} makes them): the zero-allocation forward,
   * once warm, for contiguous inputs in eval mode (or without dropout). The outputs must not
   * share storage with the inputs, except that {@code h0} may be {@code out.hN()} itself and
   * {@code c0} {@code out.cN()}, to carry the state from one call to the next. Returns
   * {@code out}.
   */
  public Output forwardInto(Tensor x, Tensor h0, Tensor c0, Output out) {
    bothOrNeither(h0, c0);
    run(x, h0, c0, out.output(), out.hN(), out.cN());
    return out;
  }

  /** Zero tensors of the shapes {@link #forwardInto} writes for an input shaped as {@code x}. */
  public Output newOutput(Tensor x) {
    return new Output(Tensor.zeros(outputShape(x.shape())), Tensor.zeros(stateShape(x.shape())),
        Tensor.zeros(stateShape(x.shape())));
  }

  private void bothOrNeither(Tensor h0, Tensor c0) {
    if ((h0 == null) != (c0 == null)) {
      throw new IllegalArgumentException(
          "LSTM: give both initial states h0 and c0, or neither (zeros)");
    }
  }

  @Override
  void cell(int n, float[] gates, int gOff, float[] hg, int hgOff, float[] hPrev, int hpOff,
      float[] c, int cOff, float[] h, int hOff) {
    Kernels.lstmCell(n, gates, gOff, hg, hgOff, c, cOff, h, hOff);
  }

  // covariant returns, so that calls chain: LSTM lstm = new LSTM(...).eval();

  @Override
  public LSTM train() {
    return train(true);
  }

  @Override
  public LSTM train(boolean mode) {
    super.train(mode);
    return this;
  }

  @Override
  public LSTM eval() {
    return train(false);
  }
}
