package dev.netspec.runtime.tensor;

import dev.netspec.runtime.autograd.Autograd;
import dev.netspec.runtime.autograd.BroadcastGrad;
import dev.netspec.runtime.autograd.MaskGrad;
import dev.netspec.runtime.autograd.MatMulGrad;
import dev.netspec.runtime.autograd.Node;
import dev.netspec.runtime.autograd.ReductionGrad;
import dev.netspec.runtime.autograd.SoftmaxGrad;
import dev.netspec.runtime.autograd.UnaryGrad;
import dev.netspec.runtime.autograd.ViewGrad;
import dev.netspec.runtime.kernels.BinaryOp;
import dev.netspec.runtime.kernels.CompareOp;
import dev.netspec.runtime.kernels.Kernels;
import dev.netspec.runtime.kernels.UnaryOp;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * A tensor of rank 0 to 8: a strided view ({@link Layout}) over a {@code float[]} storage
 * ({@link DType#FLOAT32}) or a {@code long[]} storage ({@link DType#INT64}), as in PyTorch.
 * Views ({@link #select}, {@link #narrow}, {@link #slice}, {@link #transpose},
 * {@link #expand}, {@link #view}) share storage, so an in-place edit of a view edits the
 * original, which is what {@code weight.data[:2] += 1} relies on.
 *
 * <p>Method names follow PyTorch: {@code add} returns a new tensor, {@code add_} edits this
 * one in place and returns it. Comparisons return float masks of 0 and 1, which multiply
 * exactly as PyTorch's bool masks do. Arithmetic, reductions and matmul are float32 ops; an
 * int64 tensor supports views, copies, element access ({@link #getLong}), comparisons, masks
 * ({@link #maskedFill}, {@link #where}, {@link #tril}), printing and {@link #to(DType)}, and a
 * float op on it fails naming the op.
 *
 * <pre>{@code
 * w.add_(1f);                        // weight.data[:] += 1
 * w.set(42f, 0, 0);                  // weight.data[0, 0] = 42
 * w.slice(0, 0, 2);                  // weight[:2]
 * w.mul_(w.abs().ge(5f));            // weight.data *= weight.data.abs() >= 5
 * Tensor.scalar(5L);                 // torch.tensor(5), int64
 * }</pre>
 */
public final class Tensor extends TensorBase {
  // TensorBase holds the storage and layout: type, shape, strides, backing arrays, version
  // and element access. The bodies of the ops live beside it in this package: Factories,
  // Values (copies, conversions, maps), Elementwise, Into (the ...Into forms), Masks,
  // Reductions, MatMul and Splits.
  /** The largest rank a tensor may have. */
  public static final int MAX_RANK = 8;

  private Tensor(float[] floats, long[] longs, Layout layout, Tensor sharing) {
    super(floats, longs, layout, sharing);
  }

  /** A contiguous float32 tensor over fresh storage, with its own version counter. */
  static Tensor dense(float[] data, int[] checkedShape) {
    return new Tensor(data, null, Layout.contiguous(checkedShape), null);
  }

  /** A contiguous int64 tensor over fresh storage, with its own version counter. */
  static Tensor dense(long[] data, int[] checkedShape) {
    return new Tensor(null, data, Layout.contiguous(checkedShape), null);
  }

  /** A view: shares storage and version counter with this tensor. */
  private Tensor view(Layout l) {
    return new Tensor(storage, longs, l, this);
  }

  // ---------------------------------------------------------------- factories

  /** A new contiguous float32 tensor of zeros. */
  public static Tensor zeros(int... shape) {
    int[] s = Layout.checkShape(shape);
    return dense(new float[Math.toIntExact(Layout.numel(s))], s);
  }

  /** A new contiguous tensor of zeros of the given type ({@code torch.zeros(..., dtype=)}). */
  public static Tensor zeros(DType dtype, int... shape) {
    int[] s = Layout.checkShape(shape);
    int n = Math.toIntExact(Layout.numel(s));
    return dtype == DType.INT64 ? dense(new long[n], s) : dense(new float[n], s);
  }

  /** Alias of {@link #zeros}: netspec never hands out uninitialized memory. */
  public static Tensor empty(int... shape) {
    return zeros(shape);
  }

  public static Tensor ones(int... shape) {
    return full(1f, shape);
  }

  public static Tensor full(float value, int... shape) {
    Tensor t = zeros(shape);
    Arrays.fill(t.storage, value);
    return t;
  }

  /** A rank-0 float32 tensor holding one value ({@code torch.tensor(5.)}). */
  public static Tensor scalar(float value) {
    return dense(new float[] {value}, new int[0]);
  }

  /**
   * A rank-0 int64 tensor ({@code torch.tensor(5)}). As in PyTorch, an integer argument makes
   * an int64 tensor: write {@code scalar(5f)} for a float32 one.
   */
  public static Tensor scalar(long value) {
    return dense(new long[] {value}, new int[0]);
  }

  /** A 1-D float32 tensor of the given values ({@code torch.tensor([1., 2., 3.])}); copies. */
  public static Tensor of(float... values) {
    return fromArray(values.clone(), values.length);
  }

  /** A 2-D tensor from rows of equal length; copies. */
  public static Tensor of(float[][] rows) {
    return Factories.ofRows(rows);
  }

  /**
   * Wraps {@code data} (not copied) as a contiguous float32 tensor of the given shape. The
   * array length must equal the element count.
   */
  public static Tensor fromArray(float[] data, int... shape) {
    return dense(data, Factories.checkLength(data.length, shape));
  }

  /** A 1-D int64 tensor of the given values ({@code torch.tensor([1, 2])}); copies. */
  public static Tensor ofLongs(long... values) {
    return ofLongs(values.clone(), values.length);
  }

  /**
   * Wraps {@code data} (not copied) as a contiguous int64 tensor of the given shape
   * ({@code torch.tensor(data).view(shape)}); the array length must equal the element count.
   */
  public static Tensor ofLongs(long[] data, int... shape) {
    return dense(data, Factories.checkLength(data.length, shape));
  }

  /** {@code torch.arange(end)}: 0, 1, ..., end - 1, int64 (as torch with an int). */
  public static Tensor arange(int end) {
    return arange(0, end, 1);
  }

  /** {@code torch.arange(start, end, step)} for integer arguments: int64, as in PyTorch. */
  public static Tensor arange(int start, int end, int step) {
    return Factories.arange(start, end, step);
  }

  /**
   * Uniform on [0, 1) from {@code gen} ({@code torch.rand}): the same numbers as
   * {@code Init.uniform_(Tensor.zeros(shape), gen)} from a generator in the same state.
   */
  public static Tensor rand(Generator gen, int... shape) {
    return Factories.rand(gen, shape);
  }

  /** Standard normal from {@code gen} ({@code torch.randn}). */
  public static Tensor randn(Generator gen, int... shape) {
    return Factories.randn(gen, shape);
  }

  // ---------------------------------------------------------------- contiguous
  // (type, shape, strides, backing arrays, version and elements: TensorBase)

  /** This tensor if contiguous and starting at its storage's first element, else a copy. */
  public Tensor contiguous() {
    int length = storage != null ? storage.length : longs.length;
    return isContiguous() && offset == 0 && length == numel() ? this : clone();
  }

  // ---------------------------------------------------------------- autograd (see autograd.Autograd)

  /** {@code requires_grad}: a leaf marked so, or the result of a recorded operation. */
  public boolean requiresGrad() {
    return Autograd.requiresGrad(this);
  }

  /** {@code requires_grad_()}: marks a float32 leaf as needing a gradient; returns it. */
  public Tensor requiresGrad_(boolean requiresGrad) {
    Autograd.setRequiresGrad(this, requiresGrad);
    return this;
  }

  /** {@code .grad}: the gradient a backward pass accumulated into this leaf, or null. */
  public Tensor grad() {
    return Autograd.grad(this);
  }

  /** {@code grad_fn}: the recorded operation that computed this tensor; null for a leaf. */
  public Node gradFn() {
    return Autograd.gradFn(this);
  }

  /** {@code is_leaf}: not the result of a recorded operation. */
  public boolean isLeaf() {
    return gradFn() == null;
  }

  /** {@code backward()} of a one-element tensor: the gradient of it reaches every leaf. */
  public void backward() {
    Autograd.backward(this, null);
  }

  /** {@code backward(gradient)}: d(sum(this * gradient)) reaches every leaf. */
  public void backward(Tensor gradient) {
    Autograd.backward(this, gradient);
  }

  /** {@code detach()}: the same storage, outside any graph. */
  public Tensor detach() {
    return view(layout);
  }

  /** A copy of the values of a float32 tensor in row-major order. */
  public float[] toFloatArray() {
    requireFloat("toFloatArray()");
    return Values.toFloatArray(this);
  }

  /** A copy of the values in row-major order as longs; float32 values truncate toward 0. */
  public long[] toLongArray() {
    return Values.toLongArray(this);
  }

  /**
   * A contiguous copy converted to {@code type} ({@code x.to(dtype)}): int64 to float32
   * rounds to the nearest float, float32 to int64 truncates toward zero (NaN becomes 0).
   * Returns this tensor when it already has that type.
   */
  public Tensor to(DType type) {
    return type == dtype() ? this : Values.convert(this, type);
  }

  /** A contiguous copy with its own storage ({@code x.clone()}). */
  @Override
  public Tensor clone() {
    return dtype() == DType.INT64 ? dense(toLongArray(), shape.clone())
        : ViewGrad.recordClone(this, dense(toFloatArray(), shape.clone()));
  }

  // ---------------------------------------------------------------- views

  /** {@code x[..., i, ...]} on dimension {@code dim}: a view of rank one less. */
  public Tensor select(int dim, int index) {
    return ViewGrad.recordSelect(this, dim, index, view(layout.select(dim, index)));
  }

  /** {@code x.narrow(dim, start, length)}: a view. */
  public Tensor narrow(int dim, int start, int length) {
    return ViewGrad.recordSlice(this, dim, start, start + length, 1,
        view(layout.narrow(dim, start, length)));
  }

  /**
   * Python's {@code x[start:end]} on dimension {@code dim}: a view. Negative bounds count from
   * the end and out-of-range bounds are clamped, as in Python.
   */
  public Tensor slice(int dim, int start, int end) {
    return slice(dim, start, end, 1);
  }

  /** Python's {@code x[start:end:step]} on {@code dim} ({@code step > 0}): a view. */
  public Tensor slice(int dim, int start, int end, int step) {
    return ViewGrad.recordSlice(this, dim, start, end, step,
        view(layout.slice(dim, start, end, step)));
  }

  /** {@code x.transpose(d0, d1)}: a view. */
  public Tensor transpose(int dim0, int dim1) {
    return ViewGrad.recordTranspose("TransposeBackward0", this, dim0, dim1,
        view(layout.transpose(dim0, dim1)));
  }

  /** {@code x.T} for rank 0 to 2 ({@code x.t()}). */
  public Tensor t() {
    if (shape.length > 2) {
      throw new IllegalArgumentException("t() expects a tensor of rank <= 2, got " + shape.length);
    }
    return shape.length < 2 ? this
        : ViewGrad.recordTranspose("TBackward0", this, 0, 1, view(layout.transpose(0, 1)));
  }

  /** {@code x.permute(dims)}: a view. */
  public Tensor permute(int... dims) {
    return ViewGrad.recordPermute(this, dims, view(layout.permute(dims)));
  }

  /** {@code x.unsqueeze(dim)}: a view with a new dimension of size 1. */
  public Tensor unsqueeze(int dim) {
    return ViewGrad.recordReshape("UnsqueezeBackward0", this, view(layout.unsqueeze(dim)));
  }

  /** {@code x.squeeze(dim)}: removes {@code dim} if its size is 1, else returns this. */
  public Tensor squeeze(int dim) {
    Layout l = layout.squeeze(dim);
    return l == layout && autogradMeta() == null ? this
        : ViewGrad.recordReshape("SqueezeBackward1", this, view(l));
  }

  /**
   * {@code x.expand(shape)}: a broadcast view (stride 0 on expanded dimensions). {@code -1}
   * keeps a size. Writing through an expanded view writes shared elements repeatedly.
   */
  public Tensor expand(int... newShape) {
    return ViewGrad.recordExpand(this, view(layout.expand(newShape)));
  }

  /**
   * {@code x.reshape(shape)}: a view when this tensor is contiguous, else a reshaped copy.
   * One size may be {@code -1}, inferred from the others.
   */
  public Tensor reshape(int... newShape) {
    Tensor base = isContiguous() ? this : clone();
    return ViewGrad.recordReshape(base == this ? "ReshapeAliasBackward0" : "UnsafeViewBackward0",
        base, base.view(base.layout.reshape(newShape)));
  }

  /** {@code x.view(shape)}: like {@link #reshape} but never copies. */
  public Tensor view(int... newShape) {
    if (!isContiguous()) {
      throw new IllegalStateException("view() needs a contiguous tensor; use reshape()");
    }
    return ViewGrad.recordReshape("ViewBackward0", this, view(layout.reshape(newShape)));
  }

  /** {@code torch.flatten(x, startDim, endDim)}. */
  public Tensor flatten(int startDim, int endDim) {
    return reshape(layout.flattenedShape(startDim, endDim));
  }

  /** {@code torch.flatten(x)}: all dims into one. */
  public Tensor flatten() {
    return flatten(0, -1);
  }

  // ---------------------------------------------------------------- in place

  /** Copies {@code src} (broadcast to this shape) into this tensor ({@code x.copy_(src)}). */
  public Tensor copy_(Tensor src) {
    bumpVersion();
    Values.copy(this, src);
    return this;
  }

  public Tensor fill_(float value) {
    requireFloat("fill_");
    bumpVersion();
    if (isContiguous()) {
      Arrays.fill(storage, offset, offset + Math.toIntExact(numel()), value);
      return this;
    }
    return mapInPlace(a -> value);
  }

  public Tensor zero_() {
    return fill_(0f);
  }

  /** {@code x += other} ({@code other} broadcast to this shape). */
  public Tensor add_(Tensor other) {
    bumpVersion();
    return Elementwise.binaryInPlace(this, BinaryOp.ADD, other);
  }

  /** {@code x += value}: the tutorial's {@code weight.data[:] += 1}. */
  public Tensor add_(float value) {
    bumpVersion();
    return Elementwise.scalarInPlace(this, BinaryOp.ADD, value);
  }

  public Tensor sub_(Tensor other) {
    bumpVersion();
    return Elementwise.binaryInPlace(this, BinaryOp.SUB, other);
  }

  public Tensor sub_(float value) {
    bumpVersion();
    return Elementwise.scalarInPlace(this, BinaryOp.SUB, value);
  }

  /** {@code x *= other}: the tutorial's {@code weight.data *= weight.data.abs() >= 5}. */
  public Tensor mul_(Tensor other) {
    bumpVersion();
    return Elementwise.binaryInPlace(this, BinaryOp.MUL, other);
  }

  public Tensor mul_(float value) {
    bumpVersion();
    return Elementwise.scalarInPlace(this, BinaryOp.MUL, value);
  }

  public Tensor div_(Tensor other) {
    bumpVersion();
    return Elementwise.binaryInPlace(this, BinaryOp.DIV, other);
  }

  public Tensor div_(float value) {
    bumpVersion();
    return Elementwise.scalarInPlace(this, BinaryOp.DIV, value);
  }

  /** Applies {@code f} to every element in place (computed in double, stored as float). */
  public Tensor mapInPlace(DoubleUnaryOperator f) {
    requireFloat("map");
    bumpVersion();
    Values.map(this, f);
    return this;
  }

  /** {@code this[i] = f(this[i], other[i])} with {@code other} broadcast to this shape. */
  public Tensor zipInPlace(Tensor other, DoubleBinaryOperator f) {
    requireFloat("zip");
    other.requireFloat("zip");
    bumpVersion();
    Values.zip(this, other, f);
    return this;
  }

  // ---------------------------------------------------------------- into a given tensor
  //
  // Allocation-free variants for generated forwards and other hot loops: each writes its
  // result into a tensor the caller owns ({@code out}, of exactly the result's shape) and
  // returns it. Contiguous operands take a fast path that allocates nothing; any other layout
  // (or an {@code out} overlapping an operand other than exactly) falls back to the
  // allocating op and a copy, so every call is correct and only the fast path is free.
  // Elementwise ops accept {@code out == this} (and {@code out == other} at equal shapes).
  // The bodies live in {@link Into}.

  /** {@code relu(x)} in place. */
  public Tensor relu_() {
    return unaryInto(UnaryOp.RELU, this);
  }

  public Tensor sigmoid_() {
    return unaryInto(UnaryOp.SIGMOID, this);
  }

  public Tensor tanh_() {
    return unaryInto(UnaryOp.TANH, this);
  }

  /** Exact (erf) GELU in place. */
  public Tensor gelu_() {
    return unaryInto(UnaryOp.GELU, this);
  }

  public Tensor exp_() {
    return unaryInto(UnaryOp.EXP, this);
  }

  public Tensor log_() {
    return unaryInto(UnaryOp.LOG, this);
  }

  public Tensor abs_() {
    return unaryInto(UnaryOp.ABS, this);
  }

  public Tensor neg_() {
    return unaryInto(UnaryOp.NEG, this);
  }

  public Tensor sqrt_() {
    return unaryInto(UnaryOp.SQRT, this);
  }

  /** {@code x **= exponent} in place. */
  public Tensor pow_(float exponent) {
    return powInto(exponent, this);
  }

  /** {@code out = relu(this)}; returns {@code out}. */
  public Tensor reluInto(Tensor out) {
    return unaryInto(UnaryOp.RELU, out);
  }

  public Tensor sigmoidInto(Tensor out) {
    return unaryInto(UnaryOp.SIGMOID, out);
  }

  public Tensor tanhInto(Tensor out) {
    return unaryInto(UnaryOp.TANH, out);
  }

  public Tensor geluInto(Tensor out) {
    return unaryInto(UnaryOp.GELU, out);
  }

  public Tensor expInto(Tensor out) {
    return unaryInto(UnaryOp.EXP, out);
  }

  public Tensor logInto(Tensor out) {
    return unaryInto(UnaryOp.LOG, out);
  }

  public Tensor absInto(Tensor out) {
    return unaryInto(UnaryOp.ABS, out);
  }

  public Tensor negInto(Tensor out) {
    return unaryInto(UnaryOp.NEG, out);
  }

  public Tensor sqrtInto(Tensor out) {
    return unaryInto(UnaryOp.SQRT, out);
  }

  /** {@code out = this} (same shape, no broadcasting); returns {@code out}. */
  public Tensor copyInto(Tensor out) {
    return Into.copy(this, out);
  }

  /** {@code out = this ** exponent}; returns {@code out}. */
  public Tensor powInto(float exponent, Tensor out) {
    return Into.pow(this, exponent, out);
  }

  /** {@code out = this + other} (other broadcast); returns {@code out}. */
  public Tensor addInto(Tensor other, Tensor out) {
    return binaryInto(BinaryOp.ADD, other, out);
  }

  public Tensor subInto(Tensor other, Tensor out) {
    return binaryInto(BinaryOp.SUB, other, out);
  }

  public Tensor mulInto(Tensor other, Tensor out) {
    return binaryInto(BinaryOp.MUL, other, out);
  }

  public Tensor divInto(Tensor other, Tensor out) {
    return binaryInto(BinaryOp.DIV, other, out);
  }

  /** {@code out = this + value}; returns {@code out}. */
  public Tensor addInto(float value, Tensor out) {
    return scalarInto(BinaryOp.ADD, value, out);
  }

  public Tensor subInto(float value, Tensor out) {
    return scalarInto(BinaryOp.SUB, value, out);
  }

  public Tensor mulInto(float value, Tensor out) {
    return scalarInto(BinaryOp.MUL, value, out);
  }

  public Tensor divInto(float value, Tensor out) {
    return scalarInto(BinaryOp.DIV, value, out);
  }

  /**
   * {@code out = this @ other} ({@link #matmul}); allocation-free for contiguous matrices
   * (the right one may also be a transposed contiguous matrix, {@code w.t()}) and an
   * {@code out} sharing storage with neither. Returns {@code out}.
   */
  public Tensor matmulInto(Tensor other, Tensor out) {
    return Into.matmul(this, other, out);
  }

  /**
   * {@code out = softmax(this, dim)}; allocation-free over the last dim of contiguous
   * tensors that do not share storage. Returns {@code out}.
   */
  public Tensor softmaxInto(int dim, Tensor out) {
    return Into.softmax(this, dim, false, out);
  }

  /** {@code out = log_softmax(this, dim)}, as {@link #softmaxInto}. */
  public Tensor logSoftmaxInto(int dim, Tensor out) {
    return Into.softmax(this, dim, true, out);
  }

  /**
   * {@code out = flatten(startDim, endDim)}: the values in row-major order, into {@code out}
   * of the flattened shape. Returns {@code out}.
   */
  public Tensor flattenInto(int startDim, int endDim, Tensor out) {
    return Into.flatten(this, startDim, endDim, out);
  }

  /** The sum of all elements as a float: {@code sum().item()} without the tensor. */
  public float sumAsFloat() {
    requireFloat("sum");
    if (!isContiguous()) {
      return sum().item();
    }
    return Kernels.sum(storage, offset, Math.toIntExact(numel()));
  }

  /** The mean of all elements as a float (NaN for an empty tensor). */
  public float meanAsFloat() {
    return sumAsFloat() / numel();
  }

  private Tensor unaryInto(UnaryOp op, Tensor out) {
    return Into.unary(this, op, out);
  }

  private Tensor scalarInto(BinaryOp op, float value, Tensor out) {
    return Into.scalar(this, op, value, out);
  }

  private Tensor binaryInto(BinaryOp op, Tensor other, Tensor out) {
    return Into.binary(this, op, other, out);
  }

  /** An op enum's name as PyTorch spells the op: {@code ADD} is {@code add}. */
  static String opName(Enum<?> op) {
    return op.name().toLowerCase(Locale.ROOT);
  }

  // ---------------------------------------------------------------- elementwise

  /** A new tensor {@code f(x)} elementwise. */
  public Tensor map(DoubleUnaryOperator f) {
    return clone().mapInPlace(f);
  }

  /** A new tensor {@code f(this, other)} elementwise, with PyTorch broadcasting. */
  public Tensor zip(Tensor other, DoubleBinaryOperator f) {
    int[] out = Layout.broadcastShapes(shape, other.shape);
    return expand(out).clone().zipInPlace(other, f);
  }

  public Tensor add(Tensor other) {
    return binary(BinaryOp.ADD, other);
  }

  public Tensor add(float value) {
    return BroadcastGrad.recordScalar(BinaryOp.ADD, this, value,
        Elementwise.scalar(this, BinaryOp.ADD, value));
  }

  public Tensor sub(Tensor other) {
    return binary(BinaryOp.SUB, other);
  }

  public Tensor sub(float value) {
    return BroadcastGrad.recordScalar(BinaryOp.SUB, this, value,
        Elementwise.scalar(this, BinaryOp.SUB, value));
  }

  public Tensor mul(Tensor other) {
    return binary(BinaryOp.MUL, other);
  }

  public Tensor mul(float value) {
    return BroadcastGrad.recordScalar(BinaryOp.MUL, this, value,
        Elementwise.scalar(this, BinaryOp.MUL, value));
  }

  public Tensor div(Tensor other) {
    return binary(BinaryOp.DIV, other);
  }

  public Tensor div(float value) {
    return BroadcastGrad.recordScalar(BinaryOp.DIV, this, value,
        Elementwise.scalar(this, BinaryOp.DIV, value));
  }

  /** {@code torch.maximum(x, other)}, with broadcasting; NaN if either is NaN. */
  public Tensor maximum(Tensor other) {
    return binary(BinaryOp.MAX, other);
  }

  /** {@code torch.minimum(x, other)}, with broadcasting; NaN if either is NaN. */
  public Tensor minimum(Tensor other) {
    return binary(BinaryOp.MIN, other);
  }

  public Tensor pow(float exponent) {
    return UnaryGrad.recordPow(this, exponent, detach().map(a -> Math.pow(a, exponent)));
  }

  public Tensor pow(Tensor exponent) {
    return UnaryGrad.recordPow(this, exponent, detach().zip(exponent.detach(), Math::pow));
  }

  private Tensor binary(BinaryOp op, Tensor other) {
    return BroadcastGrad.record(op, this, other, Elementwise.binary(this, op, other));
  }

  private Tensor unary(UnaryOp op) {
    return UnaryGrad.record(op, this, Elementwise.unary(this, op));
  }

  public Tensor neg() {
    return unary(UnaryOp.NEG);
  }

  public Tensor abs() {
    return unary(UnaryOp.ABS);
  }

  public Tensor exp() {
    return unary(UnaryOp.EXP);
  }

  public Tensor log() {
    return unary(UnaryOp.LOG);
  }

  public Tensor sqrt() {
    return unary(UnaryOp.SQRT);
  }

  /** {@code x < 0 ? 0 : x}: NaN and {@code -0.0} pass through, as in PyTorch. */
  public Tensor relu() {
    return unary(UnaryOp.RELU);
  }

  public Tensor sigmoid() {
    return unary(UnaryOp.SIGMOID);
  }

  public Tensor tanh() {
    return unary(UnaryOp.TANH);
  }

  /** Exact GELU: {@code x * 0.5 * (1 + erf(x / sqrt(2)))}, as PyTorch's default. */
  public Tensor gelu() {
    return unary(UnaryOp.GELU);
  }

  /** {@code softmax(x, dim)} over any dim, computed stably (max subtracted). */
  public Tensor softmax(int dim) {
    return SoftmaxGrad.record(false, this, dim, Into.softmax(this, dim, false, zeros(shape)));
  }

  /** {@code log_softmax(x, dim)} over any dim, computed stably. */
  public Tensor logSoftmax(int dim) {
    return SoftmaxGrad.record(true, this, dim, Into.softmax(this, dim, true, zeros(shape)));
  }

  // ------------------------------------- masks: float32 0/1 results, nonzero inputs are true

  /** {@code x.masked_fill(mask, value)}: value where mask (broadcast) is nonzero; a copy. */
  public Tensor maskedFill(Tensor mask, float value) {
    return MaskGrad.recordMaskedFill(this, mask, Masks.maskedFill(this, mask, value));
  }

  /** {@code torch.where(cond, a, b)}, broadcast; int64 if a and b are, else float32. */
  public static Tensor where(Tensor cond, Tensor a, Tensor b) {
    return MaskGrad.recordWhere(cond, a, b, Masks.where(cond, a, b));
  }

  /** {@code x.tril(k)}: zeros above diagonal {@code k} of the last two dims; a copy. */
  public Tensor tril(int k) {
    return MaskGrad.recordTriangle(this, k, true, Masks.triangle(this, k, true));
  }

  /** {@code x.triu(k)}: zeros below diagonal {@code k} of the last two dims; a copy. */
  public Tensor triu(int k) {
    return MaskGrad.recordTriangle(this, k, false, Masks.triangle(this, k, false));
  }

  public Tensor ge(float v) {
    return Elementwise.compare(this, CompareOp.GE, v);
  }

  public Tensor gt(float v) {
    return Elementwise.compare(this, CompareOp.GT, v);
  }

  public Tensor le(float v) {
    return Elementwise.compare(this, CompareOp.LE, v);
  }

  public Tensor lt(float v) {
    return Elementwise.compare(this, CompareOp.LT, v);
  }

  public Tensor eq(float v) {
    return Elementwise.compare(this, CompareOp.EQ, v);
  }

  public Tensor ne(float v) {
    return Elementwise.compare(this, CompareOp.NE, v);
  }

  public Tensor ge(Tensor o) {
    return Masks.compare(this, CompareOp.GE, o);
  }

  public Tensor gt(Tensor o) {
    return Masks.compare(this, CompareOp.GT, o);
  }

  public Tensor le(Tensor o) {
    return Masks.compare(this, CompareOp.LE, o);
  }

  public Tensor lt(Tensor o) {
    return Masks.compare(this, CompareOp.LT, o);
  }

  public Tensor eq(Tensor o) {
    return Masks.compare(this, CompareOp.EQ, o);
  }

  public Tensor ne(Tensor o) {
    return Masks.compare(this, CompareOp.NE, o);
  }

  // ---------------------------------------------------------------- reductions

  /** Sum of all elements, as a rank-0 tensor. */
  public Tensor sum() {
    Tensor c = requireFloat("sum").contiguousView();
    return ReductionGrad.recordSum(this,
        scalar(Kernels.sum(c.storage, c.offset, Math.toIntExact(c.numel()))));
  }

  /** Mean of all elements, as a rank-0 tensor (NaN for an empty tensor, as in PyTorch). */
  public Tensor mean() {
    return ReductionGrad.recordMean(this, scalar(sumAsFloat() / numel()));
  }

  /** Largest element, as a rank-0 tensor; NaN if any element is NaN. */
  public Tensor max() {
    Tensor c = nonEmpty("max");
    return ReductionGrad.recordExtremum(true, this,
        scalar(Kernels.max(c.storage, c.offset, Math.toIntExact(c.numel()))));
  }

  /** Smallest element, as a rank-0 tensor; NaN if any element is NaN. */
  public Tensor min() {
    Tensor c = nonEmpty("min");
    return ReductionGrad.recordExtremum(false, this,
        scalar(Kernels.min(c.storage, c.offset, Math.toIntExact(c.numel()))));
  }

  public Tensor sum(int dim, boolean keepdim) {
    return ReductionGrad.recordDim(false, this, dim, keepdim,
        Reductions.reduce(this, dim, keepdim, BinaryOp.ADD));
  }

  public Tensor mean(int dim, boolean keepdim) {
    int n = shape.length == 0 ? 1 : shape[Layout.normDim(dim, shape.length)];
    return ReductionGrad.recordDim(true, this, dim, keepdim,
        Reductions.reduce(this, dim, keepdim, BinaryOp.ADD).div_((float) n));
  }

  /** The values of {@code x.max(dim, keepdim)} (see {@link #argmax(int, boolean)} for the indices). */
  public Tensor max(int dim, boolean keepdim) {
    nonEmpty("max");
    return ReductionGrad.recordExtremum(true, this, dim, keepdim,
        Reductions.reduce(this, dim, keepdim, BinaryOp.MAX));
  }

  /** The values of {@code x.min(dim, keepdim)}. */
  public Tensor min(int dim, boolean keepdim) {
    nonEmpty("min");
    return ReductionGrad.recordExtremum(false, this, dim, keepdim,
        Reductions.reduce(this, dim, keepdim, BinaryOp.MIN));
  }

  /**
   * {@code x.argmax(dim, keepdim)}: the index of the first largest value along {@code dim}
   * (of the first NaN, if any), as float values (netspec tensors are float32).
   */
  public Tensor argmax(int dim, boolean keepdim) {
    nonEmpty("argmax");
    return Reductions.argmax(this, dim, keepdim);
  }

  /** {@code x.argmax()}: the flat row-major index of the first largest value, rank 0. */
  public Tensor argmax() {
    return flatten().argmax(0, false);
  }

  private Tensor nonEmpty(String op) {
    requireFloat(op);
    if (numel() == 0) {
      throw new IllegalStateException(op + "() of an empty tensor");
    }
    return contiguousView();
  }

  /** This tensor if its elements are one dense run of its storage, else a contiguous copy. */
  Tensor contiguousView() {
    return isContiguous() ? this : clone();
  }

  // ---------------------------------------------------------------- matmul

  /**
   * {@code torch.matmul}: 1-D x 1-D is a dot product, 2-D x 2-D a matrix product, a 1-D
   * operand is promoted to a matrix and the added dim removed, and leading (batch) dims
   * broadcast. Runs on the GEMM kernel; a right operand that is a transposed contiguous
   * matrix ({@code w.t()}) is used as is.
   */
  public Tensor matmul(Tensor other) {
    return MatMulGrad.record(this, other, MatMul.matmul(this, other));
  }

  /** {@code torch.mm}: strictly 2-D x 2-D. */
  public Tensor mm(Tensor other) {
    if (dim() != 2 || other.dim() != 2) {
      throw new IllegalArgumentException("mm expects two matrices, got ranks " + dim()
          + " and " + other.dim());
    }
    return matmul(other);
  }
  // ---------------------------------------------------------------- joining

  /** {@code x.split(size, dim)}: views of {@code size} along {@code dim}, the last shorter. */
  public List<Tensor> split(int size, int dim) {
    return ViewGrad.recordSplit("SplitBackward0", this, dim, Splits.split(detach(), size, dim));
  }

  /** {@code x.split([s0, s1, ...], dim)}: views of those sizes along {@code dim}. */
  public List<Tensor> split(int[] sizes, int dim) {
    return ViewGrad.recordSplit("SplitWithSizesBackward0", this, dim,
        Splits.split(detach(), sizes, dim));
  }

  /** {@code x.chunk(chunks, dim)}: views of {@code ceil(n / chunks)}, maybe fewer chunks. */
  public List<Tensor> chunk(int chunks, int dim) {
    return ViewGrad.recordSplit("SplitBackward0", this, dim, Splits.chunk(detach(), chunks, dim));
  }

  /** {@code torch.stack(tensors, dim)}: tensors of one shape along a new dim. */
  public static Tensor stack(List<Tensor> tensors, int dim) {
    return ViewGrad.recordStack(tensors, dim, Splits.stack(tensors, dim));
  }

  /** {@code torch.cat(tensors, dim)}. */
  public static Tensor concat(List<Tensor> tensors, int dim) {
    return ViewGrad.recordCat(tensors, dim, Splits.concat(tensors, dim));
  }

  /** A view of {@code narrow(dim, start, length)} outside any graph, for this package. */
  Tensor narrowView(int dim, int start, int length) {
    return view(layout.narrow(dim, start, length));
  }

  // ---------------------------------------------------------------- comparison

  /** {@code torch.allclose}: {@code |a - b| <= atol + rtol * |b|} everywhere, same shape. */
  public boolean allclose(Tensor other, double rtol, double atol) {
    return Values.allclose(this, other, rtol, atol);
  }

  /** Same type, same shape and the same values, bit for bit ({@code torch.equal}). */
  public boolean contentEquals(Tensor other) {
    return Values.contentEquals(this, other);
  }

  @Override
  public String toString() {
    return TensorFormat.format(this, Autograd.printSuffix(this));
  }

  /** PyTorch's broadcasting rule for two shapes. */
  public static int[] broadcastShapes(int[] a, int[] b) {
    return Layout.broadcastShapes(a, b);
  }
}
