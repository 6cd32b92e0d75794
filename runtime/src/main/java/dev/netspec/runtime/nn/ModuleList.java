package dev.netspec.runtime.nn;

import dev.netspec.runtime.tensor.Tensor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.IntFunction;

/**
 * Modules held in a list and named {@code 0}, {@code 1}, ... ({@code nn.ModuleList}): a
 * container without a forward of its own; its owner calls the modules. Typed by what it
 * holds, so that {@code for (Block block : h) x = block.forward(x);} needs no cast.
 *
 * @param <M> the class of the modules ({@link Module} for a mixed list)
 */
public final class ModuleList<M extends Module> extends Module implements Iterable<M> {
  private final List<M> items = new ArrayList<>();

  /** {@code nn.ModuleList(modules)}. */
  @SafeVarargs
  @SuppressWarnings("this-escape") // registration only touches Module's registries
  public ModuleList(M... modules) {
    for (M m : modules) {
      append(m);
    }
  }

  /**
   * {@code nn.ModuleList([make(i) for i in range(n)])}: {@code n} modules, each made anew,
   * named {@code 0} .. {@code n - 1}.
   */
  public static <M extends Module> ModuleList<M> of(int n, IntFunction<? extends M> make) {
    if (n < 0) {
      throw new IllegalArgumentException("a ModuleList cannot have " + n + " modules");
    }
    ModuleList<M> list = new ModuleList<>();
    for (int i = 0; i < n; i++) {
      list.append(make.apply(i));
    }
    return list;
  }

  /** Adds {@code module} under the next index; returns this list. */
  public ModuleList<M> append(M module) {
    addModule(Integer.toString(size()), module);
    items.add(module);
    return this;
  }

  /** The module at {@code index} (negative counts from the end), as {@code h[i]}. */
  public M get(int index) {
    int n = size();
    int i = index < 0 ? index + n : index;
    if (i < 0 || i >= n) {
      throw new IndexOutOfBoundsException("index " + index + " is out of range for a ModuleList of " + n);
    }
    return items.get(i);
  }

  /** The number of modules. */
  public int size() {
    return items.size();
  }

  /**
   * The modules in order, each at its index (a module appended twice twice); the iterator
   * cannot remove. One small object per loop: a read-only view's iterator was three, which
   * C2 did not remove from a model's forward looping over its blocks.
   */
  @Override
  public Iterator<M> iterator() {
    return new Iterator<>() {
      private int next;

      @Override
      public boolean hasNext() {
        return next < items.size();
      }

      @Override
      public M next() {
        if (next >= items.size()) {
          throw new NoSuchElementException("no module after the " + items.size() + " of this"
              + " ModuleList");
        }
        return items.get(next++);
      }
    };
  }

  /** A ModuleList has no forward, as in PyTorch: its owner calls the modules. */
  @Override
  public Tensor forward(Tensor x) {
    throw new UnsupportedOperationException(
        "ModuleList has no forward: call its modules (get(i).forward(x))");
  }

  // covariant returns, so that calls chain

  @Override
  public ModuleList<M> train() {
    return train(true);
  }

  @Override
  public ModuleList<M> train(boolean mode) {
    super.train(mode);
    return this;
  }

  @Override
  public ModuleList<M> eval() {
    return train(false);
  }
}
