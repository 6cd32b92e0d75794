package dev.netspec.runtime.io;

import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.nn.StateDictException;
import dev.netspec.runtime.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads and writes the <a href="https://github.com/huggingface/safetensors">safetensors</a>
 * format, so tensors and weights move between PyTorch and netspec unchanged. What the
 * PyTorch tutorial does with {@code torch.save}/{@code torch.load} maps to:
 *
 * <pre>{@code
 * SafeTensors.saveTensor(x, Path.of("x-file"));                 // torch.save(x, 'x-file')
 * Tensor x2 = SafeTensors.loadTensor(Path.of("x-file"));
 * SafeTensors.saveList(List.of(x, y), Path.of("x-files"));      // torch.save([x, y], ...)
 * List<Tensor> xy = SafeTensors.loadList(Path.of("x-files"));
 * SafeTensors.save(Map.of("x", x, "y", y), Path.of("mydict"));  // torch.save({'x': x, ...})
 * Map<String, Tensor> d = SafeTensors.load(Path.of("mydict")).tensors();
 * SafeTensors.saveStateDict(net, Path.of("mlp.params"));        // torch.save(net.state_dict())
 * SafeTensors.loadStateDict(clone, Path.of("mlp.params"), true); // clone.load_state_dict(...)
 * }</pre>
 *
 * <p>In Python, the same files are read and written with {@code safetensors.torch.load_file}
 * and {@code save_file}. netspec writes float32 tensors as F32 and int64 tensors as I64; it
 * reads F32, F16, BF16 and F64 as float32 (F64 rounds to nearest even) and I64 as int64, in
 * any shape including rank 0. A file written here is byte for byte what the safetensors
 * library writes for the same tensors: keys sorted, compact JSON,
 * {@code __metadata__} first, header padded with spaces to 8 bytes. (The library writes
 * metadata entries in hash order; netspec sorts them, so its output is deterministic.)
 * PyTorch fixture scripts using {@code tools/fixtures/st.py} write the same bytes when there
 * is no metadata and every key is ASCII; st.py puts {@code __metadata__} last and escapes
 * non-ASCII characters, which every reader accepts.
 *
 * <p>Reading checks the file as the reference implementation does, and more: a header over
 * 100 MB or past the end of the file, invalid JSON, an unknown or unsupported dtype, a shape
 * that does not match its bytes, offsets out of range, overlapping or leaving gaps, trailing
 * bytes. Any of these throws one {@link SafeTensorsException} naming the file and the fault,
 * before any tensor is built. Writing goes to a temporary file that is renamed over the
 * target, so a failure never leaves a half-written or missing file.
 */
public final class SafeTensors {
  /** The key {@link #saveTensor} stores a single tensor under (the CLI's input name). */
  public static final String TENSOR_KEY = "x";

  private SafeTensors() {}

  // ---------------------------------------------------------------- maps

  /** Writes {@code tensors} (keys sorted in the file) without metadata. */
  public static void save(Map<String, Tensor> tensors, Path path) throws SafeTensorsException {
    save(tensors, Map.of(), path);
  }

  /**
   * Writes {@code tensors} and the {@code __metadata__} strings (omitted when empty) to
   * {@code path}, replacing it atomically.
   *
   * @throws IllegalArgumentException if a key is {@code __metadata__}, a key or value is null,
   *     or a string holds an unpaired surrogate
   * @throws SafeTensorsException if the file cannot be written; the old file is then intact
   */
  public static void save(Map<String, Tensor> tensors, Map<String, String> metadata, Path path)
      throws SafeTensorsException {
    Objects.requireNonNull(path, "path");
    SafeTensorsWriter writer = new SafeTensorsWriter(tensors, metadata);
    try {
      AtomicFile.write(path, writer::writeTo);
    } catch (IOException e) {
      throw new SafeTensorsException(path.toString(), "cannot write: " + describe(e), e);
    }
  }

  /**
   * Reads every tensor and the metadata of a safetensors file.
   *
   * @throws SafeTensorsException if the file cannot be read or is not a valid safetensors file
   *     of supported dtypes; nothing is returned then
   */
  public static SafeTensorsFile load(Path path) throws SafeTensorsException {
    try (FileChannel in = FileChannel.open(path, StandardOpenOption.READ)) {
      return SafeTensorsReader.read(SafeTensorsReader.ByteSource.of(in), path.toString());
    } catch (SafeTensorsException e) {
      throw e;
    } catch (EOFException e) {
      throw new SafeTensorsException(path.toString(),
          "the file ended early (was it changed while being read?)", e);
    } catch (IOException e) {
      throw new SafeTensorsException(path.toString(), "cannot read: " + describe(e), e);
    }
  }

  /**
   * Parses a whole safetensors file held in memory: the bytes from the buffer's position to
   * its limit (the buffer itself is not changed). The entry point for fuzzing.
   *
   * @param name what messages call the buffer
   */
  public static SafeTensorsFile parse(ByteBuffer bytes, String name) throws SafeTensorsException {
    try {
      return SafeTensorsReader.read(SafeTensorsReader.ByteSource.of(bytes), name);
    } catch (SafeTensorsException e) {
      throw e;
    } catch (IOException e) {
      throw new SafeTensorsException(name, "the data ended early", e); // cannot happen: sized
    }
  }

  /** The bytes {@link #save(Map, Map, Path)} would write, for in-memory use and tests. */
  public static byte[] serialize(Map<String, Tensor> tensors, Map<String, String> metadata) {
    SafeTensorsWriter writer = new SafeTensorsWriter(tensors, metadata);
    if (writer.size() > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "the file would take " + writer.size() + " bytes, too many for a byte array");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream((int) writer.size());
    try {
      writer.writeTo(Channels.newChannel(out));
    } catch (IOException e) {
      throw new IllegalStateException("writing to memory failed", e);
    }
    return out.toByteArray();
  }

  // ---------------------------------------------------------------- one tensor, lists

  /** Writes one tensor under the key {@value #TENSOR_KEY} ({@code torch.save(x, path)}). */
  public static void saveTensor(Tensor tensor, Path path) throws SafeTensorsException {
    save(Map.of(TENSOR_KEY, tensor), path);
  }

  /**
   * Reads a file holding exactly one tensor, whatever its key ({@code torch.load(path)}).
   *
   * @throws SafeTensorsException if the file is invalid or holds zero or several tensors
   */
  public static Tensor loadTensor(Path path) throws SafeTensorsException {
    Map<String, Tensor> tensors = load(path).tensors();
    if (tensors.size() != 1) {
      throw new SafeTensorsException(path.toString(), "expected one tensor, found "
          + tensors.size() + (tensors.isEmpty() ? "" : " " + tensors.keySet()));
    }
    return tensors.values().iterator().next();
  }

  /** Writes a list of tensors under the keys "0", "1", ... ({@code torch.save([x, y])}). */
  public static void saveList(List<Tensor> tensors, Path path) throws SafeTensorsException {
    Map<String, Tensor> map = new LinkedHashMap<>();
    for (int i = 0; i < tensors.size(); i++) {
      map.put(Integer.toString(i), tensors.get(i));
    }
    save(map, path);
  }

  /**
   * Reads a file written by {@link #saveList}: keys exactly "0" to "n-1", returned in index
   * order.
   *
   * @throws SafeTensorsException if the file is invalid or its keys are not such indices
   */
  public static List<Tensor> loadList(Path path) throws SafeTensorsException {
    Map<String, Tensor> tensors = load(path).tensors();
    Tensor[] list = new Tensor[tensors.size()];
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      int index = listIndex(e.getKey(), list.length);
      if (index < 0) {
        throw new SafeTensorsException(path.toString(), "not a tensor list: key '" + e.getKey()
            + "' is not an index from 0 to " + (list.length - 1));
      }
      list[index] = e.getValue();
    }
    return List.of(list);
  }

  /** The index a list key stands for ("0", "17", no sign or leading zero), or -1. */
  private static int listIndex(String key, int size) {
    if (key.isEmpty() || key.length() > 10 || (key.length() > 1 && key.charAt(0) == '0')) {
      return -1;
    }
    long value = 0;
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value < size ? (int) value : -1;
  }

  // ---------------------------------------------------------------- state dicts

  /**
   * Writes {@code module.stateDict()}: parameters and persistent buffers by dotted name, a
   * shared parameter under each of its names ({@code torch.save(net.state_dict(), path)}).
   *
   * @throws IllegalStateException if a lazy parameter is not materialized yet
   */
  public static void saveStateDict(Module module, Path path) throws SafeTensorsException {
    save(module.stateDict(), path);
  }

  /**
   * Reads {@code path} and loads it into {@code module} ({@code
   * module.load_state_dict(torch.load(path), strict)}); on any failure the module is unchanged.
   *
   * @return the keys a non-strict load skipped
   * @throws SafeTensorsException if the file is invalid
   * @throws StateDictException if the tensors do not fit the module: missing or unexpected
   *     keys (strict), shape mismatches, or a shared parameter given different values
   */
  public static Module.LoadResult loadStateDict(Module module, Path path, boolean strict)
      throws SafeTensorsException {
    return module.loadStateDict(load(path).tensors(), strict);
  }

  /** The cause of an I/O failure in a few words. */
  private static String describe(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "no such file or directory";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getReason();
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }
}
