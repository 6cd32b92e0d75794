package dev.netspec.runtime.seed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.netspec.runtime.nn.GRU;
import dev.netspec.runtime.nn.LSTM;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The LSTM and GRU example of docs/sequence-models.md ("Recurrent layers"), run: shapes as PyTorch
 * gives them, and {@code forward(x)} is the output of the zero-state call. (Their numbers
 * against PyTorch: {@code nn.RnnParityTest}.)
 */
class RecurrentLayersTest {
  @Test
  void theDocExampleRuns() {
    Generator gen = new Generator(1);
    Tensor x = Tensor.randn(gen, 3, 7, 10); // (batch, seq, input): batch first
    Tensor h0 = Tensor.randn(gen, 4, 3, 20); // (layers * directions, batch, hidden)
    Tensor c0 = Tensor.randn(gen, 4, 3, 20);

    LSTM lstm = new LSTM(10, 20, 2, true, true, 0, true); // input, hidden, layers, bias, batch_first, dropout, bidirectional
    LSTM.Output r = lstm.forwardWithState(x, h0, c0);    // r.output(), r.hN(), r.cN()
    LSTM.Output z = lstm.forwardWithState(x);             // zero initial states

    assertArrayEquals(new int[] {3, 7, 40}, r.output().shape());
    assertArrayEquals(new int[] {4, 3, 20}, r.hN().shape());
    assertArrayEquals(new int[] {4, 3, 20}, r.cN().shape());
    assertFalse(r.hN().contentEquals(z.hN()), "the initial states count");

    h0 = Tensor.randn(gen, 1, 7, 20); // the GRU is not batch first: x is 3 steps of a batch of 7

    GRU gru = new GRU(10, 20);
    GRU.Output g = gru.forwardWithState(x, h0);           // g.output(), g.hN(); h0 may be null
    Tensor y = lstm.forward(x);                           // output alone: lstm(x)[0]

    assertArrayEquals(new int[] {3, 7, 20}, g.output().shape());
    assertArrayEquals(new int[] {1, 7, 20}, g.hN().shape());
    assertArrayEquals(z.output().toFloatArray(), y.toFloatArray());
  }
}
