package dev.netspec.runtime.nn;

import dev.netspec.runtime.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What ties a replica ({@link Module#replica}) to its original: every parameter of the
 * replica is tied to the original's (one tensor), every module shares what it derives from
 * them ({@link Module#shareDerived}), and the buffers and training modes, which are copied,
 * are copied again at a forward after the original's changed (compared by tensor version,
 * no allocation when nothing changed).
 */
final class ReplicaLinks {
  /** One buffer of the original and its copy in the replica. */
  private static final class BufferLink {
    final Module source;
    final String name;
    final Tensor copy;
    Tensor seen;
    long version;

    BufferLink(Module source, String name, Tensor copy) {
      this.source = source;
      this.name = name;
      this.copy = copy;
    }
  }

  private final Module[] originals;
  private final Module[] copies;
  private final BufferLink[] buffers;

  ReplicaLinks(Module original, Module replica) {
    Map<String, Module> from = original.namedModules();
    Map<String, Module> to = replica.namedModules();
    if (!from.keySet().equals(to.keySet())) {
      throw new IllegalStateException("the replica of " + original.typeName()
          + " has other modules: " + to.keySet() + " instead of " + from.keySet());
    }
    originals = from.values().toArray(new Module[0]);
    copies = new Module[originals.length];
    List<BufferLink> links = new ArrayList<>();
    int k = 0;
    for (Map.Entry<String, Module> e : from.entrySet()) {
      Module o = e.getValue();
      Module c = to.get(e.getKey());
      copies[k++] = c;
      o.localParameters().forEach((name, p) -> {
        Parameter mine = c.localParameters().get(name);
        if (mine == null) {
          throw new IllegalStateException("the replica of " + original.typeName() + " has no parameter "
              + e.getKey() + "." + name);
        }
        if (mine.isMaterialized() && p.isMaterialized() && !Arrays.equals(mine.shape(), p.shape())) {
          throw new IllegalStateException("the replica's " + e.getKey() + "." + name + " is "
              + Arrays.toString(mine.shape()) + ", the original's " + Arrays.toString(p.shape()));
        }
        if (mine != p) {
          mine.tieTo(p);
        }
      });
      o.localBuffers().forEach((name, b) -> {
        Tensor mine = c.localBuffers().get(name);
        if (mine != b) {
          links.add(new BufferLink(o, name, mine));
        }
      });
      c.shareDerived(o);
    }
    buffers = links.toArray(new BufferLink[0]);
    refresh();
  }

  /** A new replica from {@code make}, its initializers skipped. */
  static <M extends Module> M build(Supplier<M> make) {
    InitScope.enter();
    try {
      return make.get();
    } finally {
      InitScope.exit();
    }
  }

  /** Copies the buffers and modes of the original that changed since the last call. */
  void refresh() {
    for (int i = 0; i < originals.length; i++) {
      if (copies[i].isTraining() != originals[i].isTraining()) {
        copies[i].setTrainingFlag(originals[i].isTraining());
      }
    }
    for (BufferLink link : buffers) {
      Tensor now = link.source.localBuffers().get(link.name);
      if (now != link.seen || now.version() != link.version) {
        if (!Arrays.equals(now.shape(), link.copy.shape())) {
          throw new IllegalStateException("buffer " + link.name + " of " + link.source.typeName()
              + " is now " + Arrays.toString(now.shape()) + ", its replica's "
              + Arrays.toString(link.copy.shape()) + "; make a new replica");
        }
        link.copy.copy_(now);
        link.seen = now;
        link.version = now.version();
      }
    }
  }
}
