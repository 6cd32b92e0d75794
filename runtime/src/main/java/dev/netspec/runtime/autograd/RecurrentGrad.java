package dev.netspec.runtime.autograd;

import dev.netspec.runtime.nn.GRU;
import dev.netspec.runtime.nn.LSTM;
import dev.netspec.runtime.nn.Parameter;
import dev.netspec.runtime.nn.RNNBase;
import dev.netspec.runtime.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The derivative of {@link LSTM} and {@link GRU} ({@code CudnnRnnBackward0} / the unfused
 * cells): backpropagation through time over every layer and direction. The forward is
 * replayed here from the input and the initial states, keeping every step's gates and states
 * (what PyTorch saves), then the steps are walked back, last first. Per step, with {@code
 * dA} the gradient of the gates' pre-activations:
 *
 * <pre>
 * LSTM: dc = dc' + dh * o * (1 - tanh(c)^2);  di = dc g, df = dc c_prev, dg = dc i,
 *       do = dh tanh(c);  dc_prev = dc f
 * GRU:  dn = dh (1 - z), dz = dh (h_prev - n);  dn's pre-activation splits into the input
 *       part and r * (W_hn h_prev + b_hn);  dh_prev gets dh z
 * both: grad W_ih += dA^T x_t, grad W_hh += dA^T h_prev, grad x_t = dA W_ih,
 *       grad h_prev += dA W_hh (the hidden part of dA for a GRU), the biases the sums of dA
 * </pre>
 *
 * <p>Dropout between layers is not differentiated: a layer with {@code dropout > 0} in
 * training mode is refused. The replay runs in double, one step at a time (a reference
 * implementation, not yet a fast one).
 */
public final class RecurrentGrad {
  private RecurrentGrad() {}

  /** The gradients of the input and the initial states ({@code c0} null for a GRU). */
  public record Result(Tensor input, Tensor h0, Tensor c0) {}

  /**
   * The backward of {@code lstm(x, (h0, c0))} (or a GRU's, {@code c0} and {@code gradCN} then
   * null): {@code gradOutput} is {@code d L / d output}, {@code gradHN} and {@code gradCN}
   * those of the final states (each may be null: zero). Accumulates into every parameter of
   * the layer and returns the gradients of {@code x}, {@code h0} and {@code c0}. {@code h0},
   * {@code c0} null mean the zeros the forward used.
   */
  public static Result backward(RNNBase rnn, Tensor x, Tensor h0, Tensor c0,
      Tensor gradOutput, Tensor gradHN, Tensor gradCN) {
    checkDropout(rnn);
    Map<String, Parameter> params = rnn.namedParameters();
    Map<String, Tensor> weights = new LinkedHashMap<>();
    params.forEach((name, p) -> weights.put(name, p.data()));
    Map<String, Tensor> grads = new LinkedHashMap<>();
    Result r = backward(rnn, weights, null, x, h0, c0, gradOutput, gradHN, gradCN, grads);
    grads.forEach((name, g) -> Grads.accumulateOwned(params.get(name), g));
    return r;
  }

  private static void checkDropout(RNNBase rnn) {
    if (rnn.isTraining() && rnn.dropout() > 0 && rnn.numLayers() > 1) {
      throw new IllegalArgumentException("recurrent backward: dropout between layers is not"
          + " differentiated yet; call eval() or use dropout=0");
    }
  }

  /**
   * The backward with the layer's parameter values {@code weights} (by state-dict name) and
   * the forward's dropout masks between layers ({@link RNNBase#dropoutMasks}, null for none):
   * the gradients of the input and initial states, and of each parameter into {@code grads}.
   */
  private static Result backward(RNNBase rnn, Map<String, Tensor> params, Tensor[] masks,
      Tensor x, Tensor h0, Tensor c0, Tensor gradOutput, Tensor gradHN, Tensor gradCN,
      Map<String, Tensor> grads) {
    boolean lstm = rnn instanceof LSTM;
    if (!lstm && !(rnn instanceof GRU)) {
      throw new IllegalArgumentException("recurrent backward: LSTM or GRU, got "
          + rnn.getClass().getSimpleName());
    }
    int[] outShape = rnn.outputShape(x.shape());
    if (!Arrays.equals(gradOutput.shape(), outShape)) {
      throw new IllegalArgumentException("recurrent backward: gradOutput of shape "
          + Arrays.toString(gradOutput.shape()) + " is not the output's "
          + Arrays.toString(outShape));
    }
    boolean batched = x.dim() == 3;
    boolean bf = batched && rnn.batchFirst();
    int seq = x.size(bf ? 1 : 0);
    int batch = batched ? x.size(bf ? 0 : 1) : 1;
    int h = rnn.hiddenSize();
    int dirs = rnn.directions();
    int gates = lstm ? 4 : 3;
    // everything (seq, batch, features), in double
    double[] input = timeMajor(x, seq, batch, bf);
    double[] gOut = timeMajor(gradOutput, seq, batch, bf);
    int slots = rnn.numLayers() * dirs;
    double[] hInit = h0 == null ? new double[slots * batch * h] : doubles(h0);
    double[] cInit = !lstm ? null : c0 == null ? new double[slots * batch * h] : doubles(c0);
    double[] gH = gradHN == null ? new double[slots * batch * h] : doubles(gradHN);
    double[] gC = !lstm ? null : gradCN == null ? new double[slots * batch * h]
        : doubles(gradCN);
    // the replay: each layer's input, and per layer and direction its steps
    Step[][] steps = new Step[slots][];
    double[][] layerIn = new double[rnn.numLayers()][];
    double[] in = input;
    double[][] drop = new double[rnn.numLayers()][]; // time-major masks, null without
    for (int layer = 0; layer < rnn.numLayers(); layer++) {
      if (masks != null && masks[layer] != null) {
        drop[layer] = timeMajor(masks[layer], seq, batch, bf);
        in = in.clone();
        for (int i = 0; i < in.length; i++) {
          in[i] *= drop[layer][i];
        }
      }
      layerIn[layer] = in;
      int inSize = layer == 0 ? rnn.inputSize() : dirs * h;
      double[] out = new double[seq * batch * dirs * h];
      for (int dir = 0; dir < dirs; dir++) {
        int k = layer * dirs + dir;
        Weights w = Weights.of(params, "_l" + layer + (dir == 1 ? "_reverse" : ""), gates * h,
            inSize, h);
        steps[k] = forward(lstm, w, in, inSize, seq, batch, h, dir, hInit, cInit,
            k * batch * h, out, dirs);
      }
      in = out;
    }
    // back through the layers, last first
    double[] dLayerOut = gOut;
    double[] dh0 = new double[slots * batch * h];
    double[] dc0 = lstm ? new double[slots * batch * h] : null;
    for (int layer = rnn.numLayers() - 1; layer >= 0; layer--) {
      int inSize = layer == 0 ? rnn.inputSize() : dirs * h;
      double[] dIn = new double[seq * batch * inSize];
      for (int dir = 0; dir < dirs; dir++) {
        int k = layer * dirs + dir;
        String suffix = "_l" + layer + (dir == 1 ? "_reverse" : "");
        Weights w = Weights.of(params, suffix, gates * h, inSize, h);
        Grad gr = new Grad(gates * h, inSize, h);
        backward(lstm, w, gr, steps[k], layerIn[layer], inSize, seq, batch, h, dir, dirs,
            dLayerOut, gH, gC, k * batch * h, dIn, dh0, dc0);
        gr.into(grads, params, suffix, w);
      }
      if (drop[layer] != null) {
        for (int i = 0; i < dIn.length; i++) {
          dIn[i] *= drop[layer][i];
        }
      }
      dLayerOut = dIn;
    }
    Tensor dx = fromTimeMajor(dLayerOut, x.shape(), seq, batch, bf);
    int[] stateShape = rnn.stateShape(x.shape());
    return new Result(dx, Tensor.fromArray(floats(dh0), stateShape),
        lstm ? Tensor.fromArray(floats(dc0), stateShape) : null);
  }

  /**
   * Records a forward of {@code rnn} ({@code output, h_n, c_n = lstm(x, (h0, c0))}, or a
   * GRU's with {@code c0} and {@code cN} null; {@code h0}, {@code c0} null for zeros) when
   * recording is on and the input, a state or a parameter requires a gradient. One node
   * holds the whole recurrence; the outputs carry PyTorch's grad_fn names ({@code
   * StackBackward0} for a sequence-first output, {@code CatBackward0} bidirectional, {@code
   * TransposeBackward0} (LSTM) or {@code TransposeBackward1} (GRU) batch first, {@code
   * SqueezeBackward1} unbatched; the final states {@code StackBackward0}). Returns the
   * outputs to hand out, {@code {output, h_n, c_n}}.
   *
   * @throws UnsupportedOperationException for dropout between layers in training, whose
   *     gradient is not computed yet
   */
  public static Tensor[] record(RNNBase rnn, Tensor x, Tensor h0, Tensor c0, Tensor output,
      Tensor hN, Tensor cN) {
    Map<String, Parameter> params = rnn.namedParameters();
    Tensor[] inputs = new Tensor[3 + params.size()];
    inputs[0] = x;
    inputs[1] = h0;
    inputs[2] = c0;
    String[] names = params.keySet().toArray(new String[0]);
    for (int i = 0; i < names.length; i++) {
      inputs[3 + i] = params.get(names[i]).data();
    }
    if (!Autograd.isRecording(inputs)) {
      return new Tensor[] {output, hN, cN};
    }
    boolean unbatched = x.dim() == 2;
    String outName = unbatched ? "SqueezeBackward1"
        : rnn.batchFirst() ? (rnn instanceof LSTM ? "TransposeBackward0" : "TransposeBackward1")
        : rnn.bidirectional() ? "CatBackward0" : "StackBackward0";
    new RnnBackward(outName, rnn, names, inputs, rnn.dropoutMasks()).record(output, hN, cN);
    String stateName = unbatched ? "SqueezeBackward1" : "StackBackward0";
    return new Tensor[] {output, Autograd.recordUnary(stateName, hN, hN.detach(), g -> g),
        cN == null ? null : Autograd.recordUnary(stateName, cN, cN.detach(), g -> g)};
  }

  /** The node of a whole recurrence: saves the input, the initial states and the weights. */
  private static final class RnnBackward extends Node {
    private final RNNBase rnn;
    private final String[] names;
    private final SavedTensor[] saved;
    /** The dropout masks between layers of the forward, or null. */
    private final Tensor[] dropoutMasks;

    RnnBackward(String name, RNNBase rnn, String[] names, Tensor[] inputs,
        Tensor[] dropoutMasks) {
      super(name, inputs);
      this.rnn = rnn;
      this.names = names;
      this.dropoutMasks = dropoutMasks;
      this.saved = new SavedTensor[inputs.length];
      for (int i = 0; i < inputs.length; i++) {
        saved[i] = save(inputs[i]);
      }
    }

    @Override
    protected Tensor[] backward(Tensor[] gradOutputs) {
      Map<String, Tensor> weights = new LinkedHashMap<>();
      for (int i = 0; i < names.length; i++) {
        weights.put(names[i], saved[3 + i].get());
      }
      Tensor x = saved[0].get();
      Tensor gradOutput = gradOutputs[0] != null ? gradOutputs[0]
          : Tensor.zeros(rnn.outputShape(x.shape()));
      Map<String, Tensor> grads = new LinkedHashMap<>();
      Result r = RecurrentGrad.backward(rnn, weights, dropoutMasks, x, get(saved[1]),
          get(saved[2]), gradOutput, gradOutputs[1],
          gradOutputs.length > 2 ? gradOutputs[2] : null, grads);
      Tensor[] out = new Tensor[saved.length];
      out[0] = needsInputGrad(0) ? r.input() : null;
      out[1] = needsInputGrad(1) ? r.h0() : null;
      out[2] = needsInputGrad(2) ? r.c0() : null;
      for (int i = 0; i < names.length; i++) {
        out[3 + i] = needsInputGrad(3 + i) ? grads.get(names[i]) : null;
      }
      return out;
    }

    private static Tensor get(SavedTensor t) {
      return t == null ? null : t.get();
    }
  }

  /** One step's saved values for one batch row set: gates (activated) and states. */
  private record Step(int t, double[] gates, double[] hg, double[] hPrev, double[] cPrev,
      double[] c) {}

  /** Replays one layer and direction, writing h_t into {@code out}; returns its steps. */
  private static Step[] forward(boolean lstm, Weights w, double[] in, int inSize, int seq,
      int batch, int h, int dir, double[] hInit, double[] cInit, int stateAt, double[] out,
      int dirs) {
    int gh = w.gh;
    Step[] steps = new Step[seq];
    double[] hPrev = Arrays.copyOfRange(hInit, stateAt, stateAt + batch * h);
    double[] cPrev = lstm ? Arrays.copyOfRange(cInit, stateAt, stateAt + batch * h) : null;
    for (int s = 0; s < seq; s++) {
      int t = dir == 0 ? s : seq - 1 - s;
      double[] a = new double[batch * gh]; // x W_ih^T + b_ih
      double[] hg = new double[batch * gh]; // h W_hh^T + b_hh
      for (int b = 0; b < batch; b++) {
        for (int j = 0; j < gh; j++) {
          double sx = w.bih == null ? 0 : w.bih[j];
          for (int q = 0; q < inSize; q++) {
            sx += in[(t * batch + b) * inSize + q] * w.ih[j * inSize + q];
          }
          double sh = w.bhh == null ? 0 : w.bhh[j];
          for (int q = 0; q < h; q++) {
            sh += hPrev[b * h + q] * w.hh[j * h + q];
          }
          a[b * gh + j] = sx;
          hg[b * gh + j] = sh;
        }
      }
      double[] hNew = new double[batch * h];
      double[] cNew = lstm ? new double[batch * h] : null;
      for (int b = 0; b < batch; b++) {
        int at = b * gh;
        for (int j = 0; j < h; j++) {
          if (lstm) {
            double i = sigmoid(a[at + j] + hg[at + j]);
            double f = sigmoid(a[at + h + j] + hg[at + h + j]);
            double g = Math.tanh(a[at + 2 * h + j] + hg[at + 2 * h + j]);
            double o = sigmoid(a[at + 3 * h + j] + hg[at + 3 * h + j]);
            a[at + j] = i;
            a[at + h + j] = f;
            a[at + 2 * h + j] = g;
            a[at + 3 * h + j] = o;
            cNew[b * h + j] = f * cPrev[b * h + j] + i * g;
            hNew[b * h + j] = o * Math.tanh(cNew[b * h + j]);
          } else {
            double r = sigmoid(a[at + j] + hg[at + j]);
            double z = sigmoid(a[at + h + j] + hg[at + h + j]);
            double n = Math.tanh(a[at + 2 * h + j] + r * hg[at + 2 * h + j]);
            a[at + j] = r;
            a[at + h + j] = z;
            a[at + 2 * h + j] = n;
            hNew[b * h + j] = (1 - z) * n + z * hPrev[b * h + j];
          }
        }
        System.arraycopy(hNew, b * h, out, ((t * batch + b) * dirs + dir) * h, h);
      }
      steps[s] = new Step(t, a, hg, hPrev, cPrev, cNew);
      hPrev = hNew;
      cPrev = cNew;
    }
    return steps;
  }

  /** Back through one layer and direction's steps, last first. */
  private static void backward(boolean lstm, Weights w, Grad gr, Step[] steps, double[] in,
      int inSize, int seq, int batch, int h, int dir, int dirs, double[] dOut, double[] gH,
      double[] gC, int stateAt, double[] dIn, double[] dh0, double[] dc0) {
    int gh = w.gh;
    double[] dhNext = Arrays.copyOfRange(gH, stateAt, stateAt + batch * h);
    double[] dcNext = lstm ? Arrays.copyOfRange(gC, stateAt, stateAt + batch * h) : null;
    for (int s = seq - 1; s >= 0; s--) {
      Step st = steps[s];
      int t = st.t();
      double[] dAx = new double[batch * gh]; // the input side's pre-activation gradients
      double[] dAh = new double[batch * gh]; // the hidden side's
      double[] dhPrev = new double[batch * h];
      double[] dcPrev = lstm ? new double[batch * h] : null;
      for (int b = 0; b < batch; b++) {
        int at = b * gh;
        for (int j = 0; j < h; j++) {
          double dh = dOut[((t * batch + b) * dirs + dir) * h + j] + dhNext[b * h + j];
          double[] g = st.gates();
          if (lstm) {
            double i = g[at + j];
            double f = g[at + h + j];
            double gg = g[at + 2 * h + j];
            double o = g[at + 3 * h + j];
            double tc = Math.tanh(st.c()[b * h + j]);
            double dc = dcNext[b * h + j] + dh * o * (1 - tc * tc);
            dAx[at + j] = dc * gg * i * (1 - i);
            dAx[at + h + j] = dc * st.cPrev()[b * h + j] * f * (1 - f);
            dAx[at + 2 * h + j] = dc * i * (1 - gg * gg);
            dAx[at + 3 * h + j] = dh * tc * o * (1 - o);
            dcPrev[b * h + j] = dc * f;
          } else {
            double r = g[at + j];
            double z = g[at + h + j];
            double n = g[at + 2 * h + j];
            double hn = st.hg()[at + 2 * h + j];
            double dan = dh * (1 - z) * (1 - n * n);
            double daz = dh * (st.hPrev()[b * h + j] - n) * z * (1 - z);
            double dar = dan * hn * r * (1 - r);
            dAx[at + j] = dar;
            dAx[at + h + j] = daz;
            dAx[at + 2 * h + j] = dan;
            dAh[at + 2 * h + j] = dan * r;
            dhPrev[b * h + j] = dh * z;
          }
        }
        if (lstm) {
          System.arraycopy(dAx, at, dAh, at, gh);
        } else {
          System.arraycopy(dAx, at, dAh, at, 2 * h); // r and z: the same on both sides
        }
      }
      for (int b = 0; b < batch; b++) {
        int xAt = (t * batch + b) * inSize;
        for (int j = 0; j < gh; j++) {
          double ax = dAx[b * gh + j];
          double ah = dAh[b * gh + j];
          gr.bih[j] += ax;
          gr.bhh[j] += ah;
          for (int q = 0; q < inSize; q++) {
            gr.ih[j * inSize + q] += ax * in[xAt + q];
            dIn[xAt + q] += ax * w.ih[j * inSize + q];
          }
          for (int q = 0; q < h; q++) {
            gr.hh[j * h + q] += ah * st.hPrev()[b * h + q];
            dhPrev[b * h + q] += ah * w.hh[j * h + q];
          }
        }
      }
      dhNext = dhPrev;
      dcNext = dcPrev;
    }
    System.arraycopy(dhNext, 0, dh0, stateAt, batch * h);
    if (lstm) {
      System.arraycopy(dcNext, 0, dc0, stateAt, batch * h);
    }
  }

  private static double sigmoid(double v) {
    return 1 / (1 + Math.exp(-v));
  }

  /** One layer and direction's parameters, in double; biases null without. */
  private record Weights(int gh, double[] ih, double[] hh, double[] bih, double[] bhh) {
    static Weights of(Map<String, Tensor> params, String suffix, int gh, int in, int h) {
      Tensor bih = params.get("bias_ih" + suffix);
      Tensor bhh = params.get("bias_hh" + suffix);
      return new Weights(gh, doubles(params.get("weight_ih" + suffix)),
          doubles(params.get("weight_hh" + suffix)),
          bih == null ? null : doubles(bih), bhh == null ? null : doubles(bhh));
    }
  }

  /** The gradients of one layer and direction's parameters. */
  private static final class Grad {
    final double[] ih;
    final double[] hh;
    final double[] bih;
    final double[] bhh;

    Grad(int gh, int in, int h) {
      ih = new double[gh * in];
      hh = new double[gh * h];
      bih = new double[gh];
      bhh = new double[gh];
    }

    /** Puts each gradient into {@code grads} under its parameter's name. */
    void into(Map<String, Tensor> grads, Map<String, Tensor> params, String suffix,
        Weights w) {
      put(grads, params, "weight_ih" + suffix, ih);
      put(grads, params, "weight_hh" + suffix, hh);
      if (w.bih() != null) {
        put(grads, params, "bias_ih" + suffix, bih);
        put(grads, params, "bias_hh" + suffix, bhh);
      }
    }

    private static void put(Map<String, Tensor> grads, Map<String, Tensor> params,
        String name, double[] g) {
      grads.put(name, Tensor.fromArray(floats(g), params.get(name).shape()));
    }
  }

  /** {@code t} as {@code (seq, batch, features)} doubles (a batch-first input transposed). */
  private static double[] timeMajor(Tensor t, int seq, int batch, boolean batchFirst) {
    Tensor tm = batchFirst ? t.transpose(0, 1) : t;
    return doubles(tm.contiguous());
  }

  private static Tensor fromTimeMajor(double[] v, int[] shape, int seq, int batch,
      boolean batchFirst) {
    int features = shape[shape.length - 1];
    Tensor t = Tensor.fromArray(floats(v), seq, batch, features);
    return (batchFirst ? t.transpose(0, 1) : t).contiguous().reshape(shape);
  }

  private static double[] doubles(Tensor t) {
    float[] f = t.contiguous().toFloatArray();
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }

  private static float[] floats(double[] d) {
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      f[i] = (float) d[i];
    }
    return f;
  }
}
