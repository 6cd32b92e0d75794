package dev.netspec.runtime.nn;

import dev.netspec.runtime.autograd.GradMode;
import dev.netspec.runtime.tensor.Tensor;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * Children run in order, each on the previous one's output ({@code nn.Sequential}). Children
 * passed to the constructor or {@linkplain #append appended} are named by their position
 * ({@code "0"}, {@code "1"}, ...); {@link #add} names one, as {@code add_module} does.
 *
 * <pre>{@code
 * Sequential net = new Sequential(new Linear(20, 256), new ReLU(), new Linear(256, 10));
 * Module third = net.get(2);                // net[2]
 * Linear last = net.get(-1, Linear.class);  // net[-1], checked: a Linear
 * }</pre>
 */
public class Sequential extends Module implements Iterable<Module> {
  /** The children when {@link #forward(Tensor, Tensor)} last sized its buffers. */
  private Module[] chain;
  private int chainEdits;
  /** The outputs of all children but the last, for inputs of shape {@code chainInput}. */
  private Tensor[] outputs;
  private int[] chainInput;

  /** A sequence of {@code modules}, named "0", "1", ... */
  @SuppressWarnings("this-escape") // registration only touches Module's registries
  public Sequential(Module... modules) {
    for (Module m : modules) {
      addModule(String.valueOf(size()), m);
    }
  }

  /** Adds {@code module} at the end, named by the current {@link #size()}; returns this. */
  public Sequential append(Module module) {
    addModule(String.valueOf(size()), module);
    return this;
  }

  /**
   * Adds {@code count} modules at the end, module {@code i} made by {@code make.apply(i)},
   * named by their positions; returns this ({@code nn.Sequential(*[Block() for _ in range(n)])}).
   */
  public Sequential append(int count, IntFunction<? extends Module> make) {
    int first = size();
    addModules(count, i -> String.valueOf(first + i), make);
    return this;
  }

  /** Adds {@code module} at the end under {@code name} ({@code add_module}); returns this. */
  public Sequential add(String name, Module module) {
    addModule(name, module);
    return this;
  }

  /** The child at {@code index} in order, negative counting from the end ({@code net[i]}). */
  public Module get(int index) {
    List<Module> all = registeredChildren();
    int i = index < 0 ? index + all.size() : index;
    if (i < 0 || i >= all.size()) {
      throw new IndexOutOfBoundsException(
          "index " + index + " is out of range for a Sequential of " + all.size());
    }
    return all.get(i);
  }

  /**
   * The child at {@code index} as a {@code type}: {@code Linear l = net.get(0, Linear.class);}.
   *
   * @throws ClassCastException naming the index and both classes, if the child is another kind
   */
  public <M extends Module> M get(int index, Class<M> type) {
    Module m = get(index);
    if (!type.isInstance(m)) {
      throw new ClassCastException("child " + index + " of this Sequential is a "
          + m.getClass().getName() + ", not a " + type.getName());
    }
    return type.cast(m);
  }

  /** The number of children, a shared one counted at each position ({@code len(net)}). */
  public int size() {
    return registeredChildren().size();
  }

  /** The children in order, a shared one at each of its positions. */
  @Override
  public Iterator<Module> iterator() {
    return registeredChildren().iterator();
  }

  // covariant returns, so that calls chain: new Sequential(...).initialize(seed).eval()

  @Override
  public Sequential initialize(long seed) {
    super.initialize(seed);
    return this;
  }

  @Override
  public Sequential apply(Consumer<? super Module> fn) {
    super.apply(fn);
    return this;
  }

  @Override
  public Sequential train() {
    return train(true);
  }

  @Override
  public Sequential train(boolean mode) {
    super.train(mode);
    return this;
  }

  @Override
  public Sequential eval() {
    return train(false);
  }

  /** Runs every child in order. */
  @Override
  public Tensor forward(Tensor x) {
    for (Module m : registeredChildren()) {
      x = m.forward(x);
    }
    return x;
  }

  /**
   * Runs every child in order, each writing into an output buffer this container keeps
   * (sized at the first call for an input shape, by an ordinary forward) and the last into
   * {@code out}: allocation-free once sized when every child's {@code forward(x, out)} is. A
   * {@code Conv2d} (or {@code Conv1d}) followed by its batch norm, both in eval mode, runs as
   * one call with the norm folded into the filters, as in a generated block.
   * One thread at a time: a call while another thread's runs throws
   * {@link IllegalStateException}.
   */
  @Override
  public Tensor forward(Tensor x, Tensor out) {
    enterForward(); // the buffers belong to this instance: one thread at a time
    try {
      if (chain == null || chainEdits != childEdits() || !x.hasShape(chainInput)) {
        Tensor y = size(x, out);
        if (!foldsAny()) {
          return y;
        }
        // Computed again with the folds, so the first call's bits are those of every later
        // one (all in eval mode: running statistics and random streams are left as they are).
      }
      if (chain.length == 0) {
        return x.copyInto(out);
      }
      Tensor in = x;
      for (int i = 0; i < chain.length; i++) {
        if (i + 1 < chain.length && folds(chain[i], chain[i + 1])) {
          // A convolution and its batch norm in eval mode: one call, the norm folded into
          // the packed filters (ResNet's downsample), as a generated block's chains run.
          in = ((ConvNd) chain[i]).forwardFolded(in, (BatchNorm) chain[i + 1],
              i + 1 < chain.length - 1 ? outputs[i + 1] : out);
          i++;
        } else {
          in = chain[i].forward(in, i < chain.length - 1 ? outputs[i] : out);
        }
      }
      return in;
    } finally {
      exitForward();
    }
  }

  /** Whether every child is in eval mode and some pair of them {@link #folds}. */
  private boolean foldsAny() {
    boolean any = false;
    for (int i = 0; i < chain.length; i++) {
      if (chain[i].isTraining()) {
        return false;
      }
      any |= i + 1 < chain.length && folds(chain[i], chain[i + 1]);
    }
    return any;
  }

  /**
   * Whether {@code first} then {@code second} run as one call of the convolution with the
   * batch norm folded into it: both in eval mode, the norm tracking running statistics (only
   * then is the fold exact).
   */
  private static boolean folds(Module first, Module second) {
    boolean pair = first instanceof Conv2d && second instanceof BatchNorm2d
        || first instanceof Conv1d && second instanceof BatchNorm1d;
    return pair && !first.isTraining() && !second.isTraining()
        && ((BatchNorm) second).trackRunningStats();
  }

  /** The ordinary forward, keeping a copy of each intermediate output as its buffer. */
  private Tensor size(Tensor x, Tensor out) {
    chain = registeredChildren().toArray(new Module[0]);
    chainEdits = childEdits();
    chainInput = x.shape();
    outputs = new Tensor[Math.max(chain.length - 1, 0)];
    Tensor y = x;
    try (GradMode.Scope scope = GradMode.noGrad()) { // the inference path: nothing records
      for (int i = 0; i < chain.length; i++) {
        y = chain[i].forward(y);
        if (i < chain.length - 1) {
          outputs[i] = y.clone();
        }
      }
    }
    return y.copyInto(out);
  }
}
