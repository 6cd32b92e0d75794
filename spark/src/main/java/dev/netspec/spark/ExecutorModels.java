package dev.netspec.spark;

import dev.netspec.runtime.io.SafeTensors;
import dev.netspec.runtime.io.SafeTensorsFile;
import dev.netspec.runtime.nn.Module;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The models of this JVM (a Spark executor, or the driver in local mode), by class and weights
 * path: each is built and loaded once, at the first task that needs it, and every later task
 * of every job borrows a replica of it. The weights exist once per executor; a replica adds
 * only its forward buffers.
 *
 * <p>A model stays for the life of the JVM: write changed weights to a new path.
 */
final class ExecutorModels {
  private static final ConcurrentHashMap<Key, Shared> MODELS = new ConcurrentHashMap<>();
  private static final AtomicInteger LOADS = new AtomicInteger();

  private ExecutorModels() {}

  private record Key(String className, String weightsPath) {}

  /**
   * The shared model for this class and path, loading it on first use (other tasks asking
   * meanwhile wait for that load). A failed load is not kept: the next task tries again.
   */
  static Shared get(String className, String weightsPath) {
    return MODELS.computeIfAbsent(new Key(className, weightsPath), Shared::load);
  }

  /** How many times this JVM built a model and read its weights (for tests). */
  static int loads() {
    return LOADS.get();
  }

  /** One loaded model in evaluation mode and the sessions tasks borrow from it. */
  static final class Shared {
    private final Module model;
    private final ConcurrentLinkedQueue<Session> idle = new ConcurrentLinkedQueue<>();
    private final AtomicInteger sessions = new AtomicInteger(1);

    private Shared(Module model) {
      this.model = model;
      idle.add(new Session(model)); // the original serves one thread at a time too
    }

    /** How many sessions exist: at most the number of threads that ever used it at once. */
    int sessions() {
      return sessions.get();
    }

    private static Shared load(Key key) {
      LOADS.incrementAndGet();
      Module model = instantiate(key.className());
      SafeTensorsFile weights;
      try {
        weights = readWeights(key.weightsPath());
      } catch (IOException e) {
        throw new IllegalStateException("cannot load the weights of " + key.className() + ": "
            + e.getMessage(), e);
      }
      model.loadStateDict(weights.tensors(), true);
      model.eval();
      return new Shared(model);
    }

    /** The class's simple name, for messages. */
    String name() {
      return model.getClass().getSimpleName();
    }

    /**
     * A session for one thread's exclusive use until {@link #giveBack}: an idle one, or one on
     * a new {@link Module#replica()}, which shares the weights.
     */
    Session borrow() {
      Session s = idle.poll();
      if (s != null) {
        return s;
      }
      sessions.incrementAndGet();
      return new Session(model.replica());
    }

    void giveBack(Session s) {
      idle.add(s);
    }
  }

  private static Module instantiate(String className) {
    Class<?> type;
    try {
      type = Class.forName(className, true, classLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("model class " + className + " is not on this executor's"
          + " class path: ship the jar that holds it with the job (spark-submit --jars)", e);
    }
    try {
      return (Module) type.getConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot build " + className + ": " + e, e);
    }
  }

  private static ClassLoader classLoader() {
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    return context != null ? context : ExecutorModels.class.getClassLoader();
  }

  /**
   * Reads a safetensors file: a local path directly, any URI ({@code file:}, {@code hdfs://},
   * {@code s3a://}, ...) through Hadoop's file systems, configured as Spark configures them on
   * this executor (with the application's {@code spark.hadoop.*} settings).
   */
  static SafeTensorsFile readWeights(String path) throws IOException {
    // A scheme is two or more characters before ':' (one is a Windows drive letter).
    if (!path.matches("[A-Za-z][A-Za-z0-9+.-]+:.*")) {
      return SafeTensors.load(Path.of(path));
    }
    return HadoopFiles.read(path);
  }

  /** Kept apart so that local paths never load Hadoop's classes. */
  private static final class HadoopFiles {
    static SafeTensorsFile read(String path) throws IOException {
      org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
      org.apache.spark.SparkEnv env = org.apache.spark.SparkEnv.get();
      org.apache.hadoop.conf.Configuration conf = env == null
          ? new org.apache.hadoop.conf.Configuration()
          : org.apache.spark.deploy.SparkHadoopUtil.get().newConfiguration(env.conf());
      org.apache.hadoop.fs.FileSystem fs = p.getFileSystem(conf);
      long length = fs.getFileStatus(p).getLen();
      if (length > Integer.MAX_VALUE - 8) {
        throw new IOException(path + ": larger than 2 GiB: copy it to a local path on each"
            + " executor and give that path");
      }
      byte[] bytes = new byte[(int) length];
      try (InputStream in = fs.open(p)) {
        if (in.readNBytes(bytes, 0, bytes.length) != bytes.length) {
          throw new IOException(path + ": the file ended early (was it changed while being"
              + " read?)");
        }
      }
      return SafeTensors.parse(ByteBuffer.wrap(bytes), path);
    }
  }
}
