package dev.netspec.compiler.layers;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The catalogue of builtin layer kinds by spec name; adding a layer is one class and one line here. */
public final class LayerKinds {
  private static final Map<String, LayerKind> KINDS = new LinkedHashMap<>();

  static {
    add(new LinearKind());
    add(new LazyLinearKind());
    add(new ReLUKind());
    add(new SigmoidKind());
    add(new TanhKind());
    add(new GELUKind());
    add(new SiLUKind());
    add(new LeakyReLUKind());
    add(new IdentityKind());
    add(new SoftmaxKind());
    add(new LogSoftmaxKind());
    add(new DropoutKind());
    add(new FlattenKind());
    add(new LayerNormKind());
    add(new ConvKind(1));
    add(new ConvKind(2));
    add(new PoolKind(true, 1));
    add(new PoolKind(true, 2));
    add(new PoolKind(false, 1));
    add(new PoolKind(false, 2));
    add(new AdaptivePoolKind(false, 1));
    add(new AdaptivePoolKind(false, 2));
    add(new AdaptivePoolKind(true, 2));
    add(new BatchNormKind(1));
    add(new BatchNormKind(2));
    add(new GroupNormKind());
    add(new EmbeddingKind());
    add(new LSTMKind());
    add(new GRUKind());
    add(new MultiheadAttentionKind());
    add(new TransformerEncoderLayerKind());
    add(new TransformerEncoderKind());
    add(new TransformerDecoderLayerKind());
    add(new KVCacheKind());
  }

  private LayerKinds() {}

  private static void add(LayerKind k) {
    if (KINDS.put(k.name(), k) != null) {
      throw new IllegalStateException("two layer kinds named " + k.name());
    }
  }

  /** The kind named {@code name}, or null. */
  public static LayerKind get(String name) {
    return KINDS.get(name);
  }

  /**
   * The kind PyTorch names {@code name} ({@code nn.ReLU}, {@code torch.nn.Conv2d},
   * {@code MaxPool2d}: its class, as the runtime's), or null.
   */
  public static LayerKind byPyTorchName(String name) {
    String bare = name.replaceFirst("^(torch\\.)?nn\\.", "");
    for (LayerKind k : KINDS.values()) {
      if (k.runtimeClass().equals(bare)) {
        return k;
      }
    }
    return null;
  }

  /** Every builtin layer name, sorted. */
  public static List<String> names() {
    return List.copyOf(new TreeMap<>(KINDS).keySet());
  }
}
