package dev.netspec.runtime.nn;

import dev.netspec.runtime.tensor.Tensor;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;

/**
 * Children run in order, each on the previous one's output ({@code nn.Sequential}). Children
 * passed to the constructor or {@linkplain #append appended} are named by their position
 * ({@code "0"}, {@code "1"}, ...); {@link #add} names one, as {@code add_module} does.
 *
 * <pre>{@code
 * Sequential net = new Sequential(new Linear(20, 256), new ReLU(), new Linear(256, 10));
 * Linear out = net.get(2);          // net[2]
 * Linear last = net.get(-1);        // net[-1]
 * }</pre>
 */
public class Sequential extends Module implements Iterable<Module> {
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

  /** Adds {@code module} at the end under {@code name} ({@code add_module}); returns this. */
  public Sequential add(String name, Module module) {
    addModule(name, module);
    return this;
  }

  /**
   * The child at {@code index} in order, negative counting from the end ({@code net[i]}),
   * typed as the caller expects: {@code Linear l = net.get(0);} (a wrong type fails with a
   * {@link ClassCastException} at the assignment).
   */
  @SuppressWarnings("unchecked")
  public <M extends Module> M get(int index) {
    List<Module> all = registeredChildren();
    int i = index < 0 ? index + all.size() : index;
    if (i < 0 || i >= all.size()) {
      throw new IndexOutOfBoundsException(
          "index " + index + " is out of range for a Sequential of " + all.size());
    }
    return (M) all.get(i);
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

  // covariant returns, so that calls chain: new Sequential(...).initialize(seed)

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
}
