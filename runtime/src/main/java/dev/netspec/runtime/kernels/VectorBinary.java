package dev.netspec.runtime.kernels;

import static dev.netspec.runtime.kernels.Vectors.EXACT;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Element-wise binary operations, one vector loop per operation. The operation is chosen once,
 * outside the loops, and no vector crosses a method boundary: a shared helper taking the
 * operation and two vectors was compiled by C2 on its own once hot (it saw every operation),
 * and from then on every caller found it "already compiled into a big method", did not inline
 * it and boxed each vector it passed (5.5 MB per GPT-2 decode step at context 512, in the
 * attention's rescaling and accumulation). A loop here, inlined or not, takes arrays and
 * returns an index. Loaded by {@link VectorBackend} only.
 */
final class VectorBinary {
  private static final VectorSpecies<Float> S = VectorBackend.SPECIES;

  private VectorBinary() {}

  /** {@code out[i] = op(x[i], y[i])} for {@code i < n}. */
  static void binary(BinaryOp op, float[] x, int xOff, float[] y, int yOff, float[] out,
      int outOff, int n) {
    int done;
    switch (op) {
      case ADD:
        done = add(x, xOff, y, yOff, out, outOff, n);
        break;
      case SUB:
        done = sub(x, xOff, y, yOff, out, outOff, n);
        break;
      case MUL:
        done = mul(x, xOff, y, yOff, out, outOff, n);
        break;
      case DIV:
        done = div(x, xOff, y, yOff, out, outOff, n);
        break;
      case MAX:
        done = max(x, xOff, y, yOff, out, outOff, n);
        break;
      default:
        done = min(x, xOff, y, yOff, out, outOff, n);
        break;
    }
    for (int i = done; i < n; i++) {
      out[outOff + i] = op.apply(x[xOff + i], y[yOff + i]);
    }
  }

  /** {@code out[i] = op(x[i], y)} for {@code i < n}. */
  static void binaryScalar(BinaryOp op, float[] x, int xOff, float y, float[] out, int outOff,
      int n) {
    int done;
    switch (op) {
      case ADD:
        done = add(x, xOff, y, out, outOff, n);
        break;
      case SUB:
        done = sub(x, xOff, y, out, outOff, n);
        break;
      case MUL:
        done = mul(x, xOff, y, out, outOff, n);
        break;
      case DIV:
        done = div(x, xOff, y, out, outOff, n);
        break;
      case MAX:
        done = max(x, xOff, y, out, outOff, n);
        break;
      default:
        done = min(x, xOff, y, out, outOff, n);
        break;
    }
    for (int i = done; i < n; i++) {
      out[outOff + i] = op.apply(x[xOff + i], y);
    }
  }

  // Two operands: each loop returns the index where the scalar tail starts.

  private static int add(float[] x, int xOff, float[] y, int yOff, float[] out, int outOff,
      int n) {
    int bound = S.loopBound(n);
    for (int i = 0; i < bound; i += S.length()) {
      FloatVector a = EXACT.cast(FloatVector.fromArray(S, x, xOff + i));
      FloatVector b = EXACT.cast(FloatVector.fromArray(S, y, yOff + i));
      EXACT.cast(a.add(b)).intoArray(out, outOff + i);
    }
    return bound;
  }

  private static int sub(float[] x, int xOff, float[] y, int yOff, float[] out, int outOff,
      int n) {
    int bound = S.loopBound(n);
    for (int i = 0; i < bound; i += S.length()) {
      FloatVector a = EXACT.cast(FloatVector.fromArray(S, x, xOff + i));
      FloatVector b = EXACT.cast(FloatVector.fromArray(S, y, yOff + i));
      EXACT.cast(a.sub(b)).intoArray(out, outOff + i);
    }
    return bound;
  }

  private static int mul(float[] x, int xOff, float[] y, int yOff, float[] out, int outOff,
      int n) {
    int bound = S.loopBound(n);
    for (int i = 0; i < bound; i += S.length()) {
      FloatVector a = EXACT.cast(FloatVector.fromArray(S, x, xOff + i));
      FloatVector b = EXACT.cast(FloatVector.fromArray(S, y, yOff + i));
      EXACT.cast(a.mul(b)).intoArray(out, outOff + i);
    }
    return bound;
  }

  private static int div(float[] x, int xOff, float[] y, int yOff, float[] out, int outOff,
      int n) {
    int bound = S.loopBound(n);
    for (int i = 0; i < bound; i += S.length()) {
      FloatVector a = EXACT.cast(FloatVector.fromArray(S, x, xOff + i));
      FloatVector b = EXACT.cast(FloatVector.fromArray(S, y, yOff + i));
      EXACT.cast(a.div(b)).intoArray(out, outOff + i);
    }
    return bound;
  }

  private static int max(float[] x, int xOff, float[] y, int yOff, float[] out, int outOff,
      int n) {
    int bound = S.loopBound(n);
    for (int i = 0; i < bound; i += S.length()) {
      FloatVector a = EXACT.cast(FloatVector.fromArray(S, x, xOff + i));
      FloatVector b = EXACT.cast(FloatVector.fromArray(S, y, yOff + i));
      EXACT.cast(a.max(b)).intoArray(out, outOff + i);
    }
    return bound;
  }

  private static int min(float[] x, int xOff, float[] y, int yOff, float[] out, int outOff,
      int n) {
    int bound = S.loopBound(n);
    for (int i = 0; i < bound; i += S.length()) {
      FloatVector a = EXACT.cast(FloatVector.fromArray(S, x, xOff + i));
      FloatVector b = EXACT.cast(FloatVector.fromArray(S, y, yOff + i));
      EXACT.cast(a.min(b)).intoArray(out, outOff + i);
    }
    return bound;
  }

  // A vector and a scalar: the scalar broadcast once per call.

  private static int add(float[] x, int xOff, float y, float[] out, int outOff, int n) {
    FloatVector v = EXACT.cast(FloatVector.broadcast(S, y));
    int bound = S.loopBound(n);
    for (int i = 0; i < bound; i += S.length()) {
      FloatVector a = EXACT.cast(FloatVector.fromArray(S, x, xOff + i));
      EXACT.cast(a.add(v)).intoArray(out, outOff + i);
    }
    return bound;
  }

  private static int sub(float[] x, int xOff, float y, float[] out, int outOff, int n) {
    FloatVector v = EXACT.cast(FloatVector.broadcast(S, y));
    int bound = S.loopBound(n);
    for (int i = 0; i < bound; i += S.length()) {
      FloatVector a = EXACT.cast(FloatVector.fromArray(S, x, xOff + i));
      EXACT.cast(a.sub(v)).intoArray(out, outOff + i);
    }
    return bound;
  }

  private static int mul(float[] x, int xOff, float y, float[] out, int outOff, int n) {
    FloatVector v = EXACT.cast(FloatVector.broadcast(S, y));
    int bound = S.loopBound(n);
    for (int i = 0; i < bound; i += S.length()) {
      FloatVector a = EXACT.cast(FloatVector.fromArray(S, x, xOff + i));
      EXACT.cast(a.mul(v)).intoArray(out, outOff + i);
    }
    return bound;
  }

  private static int div(float[] x, int xOff, float y, float[] out, int outOff, int n) {
    FloatVector v = EXACT.cast(FloatVector.broadcast(S, y));
    int bound = S.loopBound(n);
    for (int i = 0; i < bound; i += S.length()) {
      FloatVector a = EXACT.cast(FloatVector.fromArray(S, x, xOff + i));
      EXACT.cast(a.div(v)).intoArray(out, outOff + i);
    }
    return bound;
  }

  private static int max(float[] x, int xOff, float y, float[] out, int outOff, int n) {
    FloatVector v = EXACT.cast(FloatVector.broadcast(S, y));
    int bound = S.loopBound(n);
    for (int i = 0; i < bound; i += S.length()) {
      FloatVector a = EXACT.cast(FloatVector.fromArray(S, x, xOff + i));
      EXACT.cast(a.max(v)).intoArray(out, outOff + i);
    }
    return bound;
  }

  private static int min(float[] x, int xOff, float y, float[] out, int outOff, int n) {
    FloatVector v = EXACT.cast(FloatVector.broadcast(S, y));
    int bound = S.loopBound(n);
    for (int i = 0; i < bound; i += S.length()) {
      FloatVector a = EXACT.cast(FloatVector.fromArray(S, x, xOff + i));
      EXACT.cast(a.min(v)).intoArray(out, outOff + i);
    }
    return bound;
  }
}
