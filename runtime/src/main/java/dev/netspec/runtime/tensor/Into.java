package dev.netspec.runtime.tensor;

import dev.netspec.runtime.kernels.Activation;
import dev.netspec.runtime.kernels.BinaryOp;
import dev.netspec.runtime.kernels.Kernels;
import dev.netspec.runtime.kernels.UnaryOp;
import java.util.Arrays;

/**
 * The bodies of Tensor's {@code ...Into(..., out)} ops: each writes its result into a tensor
 * the caller owns and returns it. Contiguous operands take a fast path that allocates nothing;
 * any other layout (or an {@code out} overlapping an operand other than exactly) falls back
 * to the allocating op and a copy, so every call is correct and only the fast path is free.
 */
final class Into {
  private Into() {}

  /** {@code out = x}, same shape; int64 too. */
  static Tensor copy(Tensor x, Tensor out) {
    requireShape("copy", x.shape, out);
    if (x.dtype() != DType.FLOAT32 || out.dtype() != DType.FLOAT32) {
      return out == x ? out : out.copy_(x.sharesStorageWith(out) ? x.clone() : x);
    }
    if (out != x) {
      if (denseAlias(x, out)) {
        out.bumpVersion();
        System.arraycopy(x.storage, x.offset, out.storage, out.offset, Math.toIntExact(x.numel()));
      } else if (out.isContiguous() && x.storage != out.storage) { // contiguous(x): x read where it lies
        out.bumpVersion();
        gather(x, out.storage, out.offset);
      } else {
        out.copy_(x.clone());
      }
    }
    return out;
  }

  /** Writes float32 {@code x}'s elements in row-major order to {@code out} from {@code at}, row by row. */
  private static void gather(Tensor x, float[] out, int at) {
    int[] shape = x.shape;
    int n = Math.toIntExact(x.numel());
    int cols = shape.length == 0 ? 1 : Math.max(shape[shape.length - 1], 1);
    int step = shape.length == 0 ? 0 : x.stride[shape.length - 1];
    for (int row = 0; row < n; row += cols) {
      for (int j = 0, o = Layout.offsetIn(x, shape, row); j < cols; j++, o += step) {
        out[at + row + j] = x.storage[o];
      }
    }
  }

  /** {@code out = x ** exponent}. */
  static Tensor pow(Tensor x, float exponent, Tensor out) {
    x.requireFloat("pow");
    out.requireFloat("pow");
    requireShape("pow", x.shape, out);
    if (!denseAlias(x, out)) {
      return out.copy_(x.pow(exponent));
    }
    out.bumpVersion();
    int n = Math.toIntExact(x.numel());
    for (int i = 0; i < n; i++) {
      out.storage[out.offset + i] = (float) Math.pow(x.storage[x.offset + i], exponent);
    }
    return out;
  }

  /** {@code out = x @ other}: one GEMM for contiguous matrices (other may be {@code w.t()}). */
  static Tensor matmul(Tensor x, Tensor other, Tensor out) {
    x.requireFloat("matmul");
    other.requireFloat("matmul");
    out.requireFloat("matmul");
    boolean matrices = x.dim() == 2 && other.dim() == 2 && out.dim() == 2 && x.isContiguous()
        && out.isContiguous() && x.storage != out.storage && other.storage != out.storage
        && x.shape[1] == other.shape[0] && out.shape[0] == x.shape[0]
        && out.shape[1] == other.shape[1];
    if (!matrices && batched(x, other, out)) {
      return out;
    }
    if (!matrices) {
      Tensor r = x.matmul(other);
      requireShape("matmul", r.shape, out);
      return out.copy_(r);
    }
    int m = x.shape[0];
    int k = x.shape[1];
    int n = other.shape[1];
    boolean transB = !other.isContiguous();
    if (transB && !(other.stride[0] == 1 && (n <= 1 || other.stride[1] >= k))) {
      return out.copy_(x.matmul(other));
    }
    out.bumpVersion();
    int ldb = transB ? Math.max(other.stride[1], Math.max(k, 1)) : Math.max(n, 1);
    Kernels.gemm(m, n, k, x.storage, x.offset, Math.max(k, 1), other.storage, other.offset, ldb,
        transB, out.storage, out.offset, Math.max(n, 1), null, 0, Activation.NONE);
    return out;
  }

  /**
   * {@code out = x @ other} for a batch of matrices (rank >= 3, the same batch dims, no
   * broadcast): one GEMM per matrix, each operand read where it lies (a head of a {@code
   * (batch, seq, heads, d)} projection, {@code k.transpose(-2, -1)}) as long as its rows, or
   * for {@code other} its columns, are dense; false (nothing written) otherwise.
   */
  private static boolean batched(Tensor x, Tensor other, Tensor out) {
    int r = x.dim();
    if (r < 3 || other.dim() != r || out.dim() != r || !out.isContiguous() || x.storage == out.storage
        || other.storage == out.storage) {
      return false;
    }
    for (int d = 0; d < r - 2; d++) {
      if (x.shape[d] != other.shape[d] || out.shape[d] != x.shape[d]) {
        return false;
      }
    }
    int m = x.shape[r - 2];
    int k = x.shape[r - 1];
    int n = other.shape[r - 1];
    if (other.shape[r - 2] != k || out.shape[r - 2] != m || out.shape[r - 1] != n || m == 0 || n == 0 || k == 0
        || k > 1 && x.stride[r - 1] != 1) {
      return false;
    }
    boolean transB = n > 1 && other.stride[r - 1] != 1;
    if (transB && k > 1 && other.stride[r - 2] != 1) {
      return false; // neither B's rows nor its columns are dense
    }
    int lda = x.stride[r - 2];
    int ldb = transB ? other.stride[r - 1] : other.stride[r - 2];
    out.bumpVersion();
    int matrices = Math.toIntExact(out.numel() / ((long) m * n));
    for (int b = 0; b < matrices; b++) {
      Kernels.gemm(m, n, k, x.storage, Layout.offsetIn(x, x.shape, b * m * k), lda, other.storage,
          Layout.offsetIn(other, other.shape, b * k * n), ldb, transB, out.storage, out.offset + b * m * n, n, null,
          0, Activation.NONE);
    }
    return true;
  }

  /** {@code out = (log_)softmax(x, dim)}: kernels per row over the last dim, if contiguous. */
  static Tensor softmax(Tensor x, int dim, boolean log, Tensor out) {
    String name = log ? "log_softmax" : "softmax";
    x.requireFloat(name);
    out.requireFloat(name);
    requireShape(name, x.shape, out);
    if (x.numel() == 0) { // nothing to normalize over any dim, as in PyTorch (no max of nothing)
      Layout.normDim(dim, x.shape.length);
      out.bumpVersion();
      return out;
    }
    if (x.shape.length == 0 || Layout.normDim(dim, x.shape.length) != x.shape.length - 1
        || !x.isContiguous()
        || !out.isContiguous() || x.storage == out.storage) {
      return out.copy_(general(x, dim, log));
    }
    out.bumpVersion();
    int n = x.shape[x.shape.length - 1];
    int rows = n == 0 ? 0 : Math.toIntExact(x.numel() / n);
    for (int r = 0; r < rows; r++) {
      int in = x.offset + r * n;
      int o = out.offset + r * n;
      float max = Kernels.max(x.storage, in, n);
      Kernels.binaryScalar(BinaryOp.SUB, x.storage, in, max, out.storage, o, n); // x - max
      Kernels.unary(UnaryOp.EXP, out.storage, o, out.storage, o, n);
      float sum = Kernels.sum(out.storage, o, n);
      if (log) {
        Kernels.binaryScalar(BinaryOp.SUB, x.storage, in, max, out.storage, o, n);
        Kernels.binaryScalar(BinaryOp.SUB, out.storage, o, (float) Math.log(sum), out.storage, o,
            n);
      } else {
        Kernels.binaryScalar(BinaryOp.DIV, out.storage, o, sum, out.storage, o, n);
      }
    }
    return out;
  }

  /** (log_)softmax over any dim, from reductions: max subtracted, then exp and sum. */
  private static Tensor general(Tensor x, int dim, boolean log) {
    Tensor shifted = x.sub(x.max(dim, true));
    if (log) {
      return shifted.sub_(shifted.exp().sum(dim, true).log());
    }
    Tensor e = shifted.exp();
    return e.div_(e.sum(dim, true));
  }

  /** {@code out = x.flatten(startDim, endDim)}: one array copy for contiguous float32 tensors. */
  static Tensor flatten(Tensor x, int startDim, int endDim, Tensor out) {
    if (x.shape.length == 0 || x.dtype() != DType.FLOAT32 || out.dtype() != DType.FLOAT32
        || !x.isContiguous() || !out.isContiguous() || out.storage == x.storage) {
      return x.flatten(startDim, endDim).copyInto(out);
    }
    int a = Layout.normDim(startDim, x.shape.length);
    int b = Layout.normDim(endDim, x.shape.length);
    boolean fits = a <= b && out.shape.length == x.shape.length - (b - a);
    for (int i = 0; fits && i < out.shape.length; i++) {
      long want = i < a ? x.shape[i] : i > a ? x.shape[i + b - a] : Layout.numel(x.shape, a, b + 1);
      fits = out.shape[i] == want;
    }
    if (!fits) {
      return x.flatten(startDim, endDim).copyInto(out); // the error names both shapes
    }
    out.bumpVersion();
    System.arraycopy(x.storage, x.offset, out.storage, out.offset, Math.toIntExact(x.numel()));
    return out;
  }

  /** {@code out = op(x)}: one kernel call for dense operands. */
  static Tensor unary(Tensor x, UnaryOp op, Tensor out) {
    requireFloat(x, op);
    requireFloat(out, op);
    requireShape(op, x.shape, out);
    if (!denseAlias(x, out)) {
      return out.copy_(Elementwise.unary(x, op));
    }
    out.bumpVersion();
    Kernels.unary(op, x.storage, x.offset, out.storage, out.offset, Math.toIntExact(x.numel()));
    return out;
  }

  /** {@code out = op(x, value)}: one kernel call for dense operands. */
  static Tensor scalar(Tensor x, BinaryOp op, float value, Tensor out) {
    requireFloat(x, op);
    requireFloat(out, op);
    requireShape(op, x.shape, out);
    if (!denseAlias(x, out)) {
      return out.copy_(Elementwise.scalar(x, op, value));
    }
    out.bumpVersion();
    Kernels.binaryScalar(op, x.storage, x.offset, value, out.storage, out.offset,
        Math.toIntExact(x.numel()));
    return out;
  }

  /** {@code out = op(x, other)}: one kernel call, or one per row of a broadcast bias row. */
  static Tensor binary(Tensor x, BinaryOp op, Tensor other, Tensor out) {
    requireFloat(x, op);
    requireFloat(other, op);
    requireFloat(out, op);
    if (Arrays.equals(x.shape, out.shape) && denseAlias(x, out)) {
      int n = Math.toIntExact(x.numel());
      if (Arrays.equals(other.shape, x.shape) && denseAlias(other, out)) {
        out.bumpVersion();
        Kernels.binary(op, x.storage, x.offset, other.storage, other.offset, out.storage,
            out.offset, n);
        return out;
      }
      int len = Math.toIntExact(other.numel());
      if (other.isContiguous() && other.storage != out.storage && isSuffix(other.shape, x.shape)
          && (len > 0 || n == 0)) {
        out.bumpVersion(); // other repeats over the leading dims (a bias row, a scalar)
        for (int o = 0; o < n; o += len) {
          if (len == 1) {
            Kernels.binaryScalar(op, x.storage, x.offset + o, other.storage[other.offset],
                out.storage, out.offset + o, n);
            break;
          }
          Kernels.binary(op, x.storage, x.offset + o, other.storage, other.offset, out.storage,
              out.offset + o, len);
        }
        return out;
      }
      int inner = other.isContiguous() && other.storage != out.storage ? columnInner(other.shape, x.shape) : 0;
      if (inner > 0) {
        out.bumpVersion(); // other is one value per leading index (a (batch, seq, 1) weight)
        for (int o = 0, i = other.offset; o < n; o += inner, i++) {
          Kernels.binaryScalar(op, x.storage, x.offset + o, other.storage[i], out.storage,
              out.offset + o, inner);
        }
        return out;
      }
    }
    if ((op == BinaryOp.ADD || op == BinaryOp.MUL) && !Arrays.equals(x.shape, out.shape)
        && Arrays.equals(other.shape, out.shape) && denseAlias(other, out)) {
      return binary(other, op, x, out); // x broadcasts (a (batch, 1) column times a (batch, n)): the same floats
    }
    Tensor r = Elementwise.binary(x, op, other);
    requireShape(op, r.shape, out);
    return out.copy_(r);
  }

  /**
   * When {@code column}, padded to {@code shape}'s rank, is {@code shape}'s leading dims then
   * only 1s (at least one dim of {@code shape} above 1 among them), the number of elements each
   * of its values pairs with; else 0.
   */
  private static int columnInner(int[] column, int[] shape) {
    int pad = shape.length - column.length;
    if (pad < 0) {
      return 0;
    }
    int lead = shape.length;
    while (lead > 0 && (lead - 1 - pad < 0 || column[lead - 1 - pad] == 1)) {
      lead--;
    }
    for (int d = 0; d < lead; d++) {
      if (d < pad || column[d - pad] != shape[d]) {
        return 0;
      }
    }
    long inner = 1;
    for (int d = lead; d < shape.length; d++) {
      inner *= shape[d];
    }
    return inner > 1 && inner <= Integer.MAX_VALUE ? (int) inner : 0;
  }

  /** Whether {@code suffix} is {@code shape}'s trailing dims, leading 1s of it ignored. */
  private static boolean isSuffix(int[] suffix, int[] shape) {
    int skip = 0;
    while (skip < suffix.length && suffix[skip] == 1) {
      skip++;
    }
    int rest = suffix.length - skip;
    if (rest > shape.length) {
      return false;
    }
    for (int i = 0; i < rest; i++) {
      if (suffix[skip + i] != shape[shape.length - rest + i]) {
        return false;
      }
    }
    return true;
  }

  /** Refuses a tensor that is not float32, spelling the op's name only then (no allocation). */
  private static void requireFloat(Tensor t, Enum<?> op) {
    if (t.dtype() != DType.FLOAT32) {
      t.requireFloat(Tensor.opName(op));
    }
  }

  /**
   * Whether an elementwise kernel may read {@code in} and write {@code out} as two dense runs:
   * both contiguous and either separate storage or exactly the same elements.
   */
  private static boolean denseAlias(Tensor in, Tensor out) {
    return in.isContiguous() && out.isContiguous()
        && (in.storage != out.storage || in.offset == out.offset);
  }

  /** Refuses an {@code out} of another shape; {@code op} is a name or an op enum. */
  private static void requireShape(Object op, int[] expected, Tensor out) {
    if (!Arrays.equals(expected, out.shape)) {
      String name = op instanceof Enum<?> e ? Tensor.opName(e) : op.toString();
      throw new IllegalArgumentException(name + ": out has shape " + Arrays.toString(out.shape)
          + ", the result has shape " + Arrays.toString(expected));
    }
  }
}
