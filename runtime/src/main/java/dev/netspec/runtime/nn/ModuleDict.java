package dev.netspec.runtime.nn;

import dev.netspec.runtime.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Modules held by name ({@code nn.ModuleDict}): a container without a forward of its own; its
 * owner calls the modules. Generated code extends it with one typed field per entry
 * ({@code transformer.wte}); it prints as {@code ModuleDict(...)}, as PyTorch does.
 */
public class ModuleDict extends Module {
  /** An empty {@code nn.ModuleDict()}. */
  public ModuleDict() {}

  /** {@code dict[key] = module}: adds (or replaces) the entry; returns the module. */
  public final <M extends Module> M put(String key, M module) {
    return addModule(key, module);
  }

  /** {@code dict[key]}. */
  public final Module get(String key) {
    return child(key);
  }

  /** {@code key in dict}. */
  public final boolean containsKey(String key) {
    return namedChildren().containsKey(key);
  }

  /** The keys in insertion order ({@code dict.keys()}). */
  public final List<String> keys() {
    return new ArrayList<>(namedChildren().keySet());
  }

  /** The entries in insertion order ({@code dict.items()}). */
  public final Map<String, Module> items() {
    return namedChildren();
  }

  /** The number of entries ({@code len(dict)}). */
  public final int size() {
    return namedChildren().size();
  }

  /** A ModuleDict has no forward, as in PyTorch: its owner calls the modules. */
  @Override
  public final Tensor forward(Tensor x) {
    throw new UnsupportedOperationException(
        "ModuleDict has no forward: call its modules (get(key).forward(x))");
  }

  /** Prints as {@code ModuleDict}, whatever class extends it. */
  @Override
  protected final String typeName() {
    return "ModuleDict";
  }

  // covariant returns, so that calls chain

  @Override
  public ModuleDict train() {
    return train(true);
  }

  @Override
  public ModuleDict train(boolean mode) {
    super.train(mode);
    return this;
  }

  @Override
  public ModuleDict eval() {
    return train(false);
  }
}
