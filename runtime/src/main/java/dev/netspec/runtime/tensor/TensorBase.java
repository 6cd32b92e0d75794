package dev.netspec.runtime.tensor;

import dev.netspec.runtime.autograd.Autograd;
import dev.netspec.runtime.autograd.AutogradMeta;
import java.util.Arrays;

/**
 * What a {@link Tensor} is, apart from its ops: a strided view ({@link Layout}) over a
 * {@code float[]} or {@code long[]} storage, its type, shape and strides, the backing arrays
 * kernels read, the storage's version counter, the autograd state and one-element access
 * ({@code get}, {@code set}, {@code item}), as PyTorch's {@code TensorBase} is to its
 * {@code Tensor}. Tensor is its one subclass and adds the factories, views and ops; callers
 * only ever see Tensor.
 */
abstract sealed class TensorBase permits Tensor {
  private final DType dtype;
  /** The float32 storage, or null for an int64 tensor. */
  final float[] storage;
  /** The int64 storage, or null for a float32 tensor. */
  final long[] longs;
  final Layout layout;
  // The layout's fields, for the package's kernels and Tensor.
  final int[] shape;
  final int[] stride;
  final int offset;
  /** The storage's version counter, shared by every view of it. */
  private final Version version;
  /** Autograd state, null for a tensor that takes no part in a backward pass. */
  private AutogradMeta autograd;

  /** PyTorch's {@code _version}: counts the in-place edits of one storage. */
  private static final class Version {
    long count;
  }

  /** Shares the version counter of {@code sharing}, or starts a fresh one if it is null. */
  TensorBase(float[] floats, long[] longs, Layout layout, TensorBase sharing) {
    this.dtype = floats != null ? DType.FLOAT32 : DType.INT64;
    this.storage = floats;
    this.longs = longs;
    this.layout = layout;
    this.shape = layout.shape;
    this.stride = layout.stride;
    this.offset = layout.offset;
    this.version = sharing != null ? sharing.version : new Version();
  }

  /** This object as the tensor it is (Tensor is the one subclass). */
  private Tensor self() {
    return (Tensor) this;
  }

  // ---------------------------------------------------------------- type and shape

  /** The element type ({@code x.dtype}). */
  public DType dtype() {
    return dtype;
  }

  /** The shape, as a fresh array ({@code x.shape}). */
  public int[] shape() {
    return shape.clone();
  }

  /** The rank ({@code x.dim()}); 0 for a scalar. */
  public int dim() {
    return shape.length;
  }

  /** The size of dimension {@code d}; negative {@code d} counts from the end. */
  public int size(int d) {
    return shape[Layout.normDim(d, shape.length)];
  }

  /** Whether the shape is {@code sizes} ({@code x.shape == sizes}), compared without a copy. */
  public boolean hasShape(int... sizes) {
    return Arrays.equals(shape, sizes);
  }

  /** Whether this tensor and {@code other} have one shape, compared without copying either. */
  public boolean sameShape(Tensor other) {
    return Arrays.equals(shape, other.shape);
  }

  /** The number of elements ({@code x.numel()}). */
  public long numel() {
    return layout.numel();
  }

  /** The strides in elements, as a fresh array. */
  public int[] stride() {
    return stride.clone();
  }

  /** The stride of {@code dim} in elements (negative counts from the end); allocates nothing. */
  public int stride(int dim) {
    return stride[Layout.normDim(dim, stride.length)];
  }

  public boolean isContiguous() {
    return layout.contiguous;
  }

  /**
   * The backing array of a contiguous float32 tensor, for kernels and I/O: element {@code i}
   * in row-major order is {@code array()[arrayOffset() + i]}.
   *
   * @throws IllegalStateException if this tensor is not contiguous or not float32
   */
  public float[] array() {
    requireFloat("array()");
    if (!isContiguous()) {
      throw new IllegalStateException("array() needs a contiguous tensor; call contiguous()");
    }
    return storage;
  }

  /**
   * The backing array of a contiguous int64 tensor: element {@code i} in row-major order is
   * {@code longArray()[arrayOffset() + i]}.
   *
   * @throws IllegalStateException if this tensor is not contiguous or not int64
   */
  public long[] longArray() {
    if (dtype != DType.INT64) {
      throw new IllegalStateException("longArray() needs an int64 tensor, this one is "
          + dtype + "; use array()");
    }
    if (!isContiguous()) {
      throw new IllegalStateException("longArray() needs a contiguous tensor; call contiguous()");
    }
    return longs;
  }

  /**
   * Refuses a float op on a tensor that is not float32; returns this tensor. {@code op} names
   * the op in the message, as {@code "add"} or {@code "array()"}.
   *
   * @throws IllegalStateException if this tensor is not float32
   */
  public Tensor requireFloat(String op) {
    if (dtype != DType.FLOAT32) {
      throw new IllegalStateException(op + " needs a float32 tensor, this one is " + dtype
          + " (convert with to(DType.FLOAT32))");
    }
    return self();
  }

  /**
   * The storage's version ({@code tensor._version} in PyTorch): it grows with every in-place
   * edit made through this tensor or any view of its storage ({@code set}, {@code copy_},
   * {@code fill_}, {@code add_}, ...), so caches derived from the values (such as packed
   * weights) know when to refresh. Writes straight into {@link #array()} or into an array
   * wrapped by {@link Tensor#fromArray} are not seen: call {@link #bumpVersion()} after them.
   */
  public long version() {
    return version.count;
  }

  /**
   * Records an edit made behind the tensor's back (through {@link #array()}). Every in-place
   * operation calls it, so it also refuses to edit a leaf that requires a gradient while
   * recording, as PyTorch does.
   */
  public void bumpVersion() {
    if (autograd != null) {
      Autograd.checkInPlace(self());
    }
    version.count++;
  }

  /**
   * The backing array of a float32 tensor, contiguous or not, for kernels that take strided
   * operands: element {@code (i0, i1, ...)} is at {@code arrayOffset() + i0 * stride()[0] + i1
   * * stride()[1] + ...}. Views share it; a write through it is not seen by {@link #version()}.
   *
   * @throws IllegalStateException if this tensor is not float32
   */
  public float[] stridedArray() {
    requireFloat("stridedArray()");
    return storage;
  }

  /** The autograd state, for the autograd package; null for most tensors. */
  public AutogradMeta autogradMeta() {
    return autograd;
  }

  /** Sets the autograd state; the autograd package calls it. */
  public void autogradMeta(AutogradMeta meta) {
    this.autograd = meta;
  }

  /** The index in {@link #array()} (or {@link #longArray()}) of this tensor's first element. */
  public int arrayOffset() {
    return offset;
  }

  /** Whether two tensors share storage (one is a view of the other, or both of a third). */
  public boolean sharesStorageWith(Tensor other) {
    return storage != null ? storage == other.storage : longs == other.longs;
  }

  // ---------------------------------------------------------------- elements

  /** The element at {@code index} of a float32 tensor (negative indices count from the end). */
  public float get(int... index) {
    requireFloat("get");
    return storage[layout.offsetOfIndex(index)];
  }

  /** The element at {@code index} of an int64 tensor. */
  public long getLong(int... index) {
    requireLong("getLong");
    return longs[layout.offsetOfIndex(index)];
  }

  /** Sets one element: {@code x.set(42f, 0, 0)} is {@code x[0, 0] = 42}. */
  public Tensor set(float value, int... index) {
    requireFloat("set");
    bumpVersion();
    storage[layout.offsetOfIndex(index)] = value;
    return self();
  }

  /** Sets one element of an int64 tensor: {@code x.setLong(7, 0)} is {@code x[0] = 7}. */
  public Tensor setLong(long value, int... index) {
    requireLong("setLong");
    bumpVersion();
    longs[layout.offsetOfIndex(index)] = value;
    return self();
  }

  /** The value of a one-element float32 tensor ({@code x.item()}). */
  public float item() {
    requireFloat("item() (use longItem() for int64)");
    return storage[oneElement()];
  }

  /** The value of a one-element int64 tensor ({@code x.item()} for int64). */
  public long longItem() {
    requireLong("longItem()");
    return longs[oneElement()];
  }

  private int oneElement() {
    if (numel() != 1) {
      throw new IllegalStateException(
          "item() needs a tensor with one element, this one has " + numel());
    }
    return offset;
  }

  private void requireLong(String op) {
    if (dtype != DType.INT64) {
      throw new IllegalStateException(op + " needs an int64 tensor, this one is " + dtype);
    }
  }
}
