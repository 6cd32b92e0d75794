package dev.netspec.runtime.nn;

import dev.netspec.runtime.tensor.Tensor;
import java.util.Iterator;

/**
 * Modules held in a list and named {@code 0}, {@code 1}, ... ({@code nn.ModuleList}): a
 * container without a forward of its own; its owner calls the modules.
 */
public final class ModuleList extends Module implements Iterable<Module> {
  /** {@code nn.ModuleList(modules)}. */
  @SuppressWarnings("this-escape") // registration only touches Module's registries
  public ModuleList(Module... modules) {
    for (Module m : modules) {
      append(m);
    }
  }

  /** Adds {@code module} under the next index; returns this list. */
  public ModuleList append(Module module) {
    addModule(Integer.toString(size()), module);
    return this;
  }

  /** The module at {@code index} (negative counts from the end). */
  public Module get(int index) {
    int n = size();
    int i = index < 0 ? index + n : index;
    if (i < 0 || i >= n) {
      throw new IndexOutOfBoundsException("index " + index + " is out of range");
    }
    return child(Integer.toString(i));
  }

  /** The number of modules. */
  public int size() {
    return namedChildren().size();
  }

  @Override
  public Iterator<Module> iterator() {
    return children().iterator();
  }

  /** A ModuleList has no forward, as in PyTorch: its owner calls the modules. */
  @Override
  public Tensor forward(Tensor x) {
    throw new UnsupportedOperationException(
        "ModuleList has no forward: call its modules (get(i).forward(x))");
  }

  // covariant returns, so that calls chain

  @Override
  public ModuleList train() {
    return train(true);
  }

  @Override
  public ModuleList train(boolean mode) {
    super.train(mode);
    return this;
  }

  @Override
  public ModuleList eval() {
    return train(false);
  }
}
