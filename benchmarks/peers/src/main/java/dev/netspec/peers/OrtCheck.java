package dev.netspec.peers;

import ai.onnxruntime.OrtException;
import java.io.IOException;

/**
 * Checks that ONNX Runtime computes what PyTorch computed for every exported model and batch,
 * before any timing: {@code OrtCheck MODEL:BATCH...}, e.g. {@code 784-1024-1024-10:32}.
 * Prints one line per case; exits 1 on the first mismatch or missing file.
 */
public final class OrtCheck {
  private OrtCheck() {}

  /**
   * Runs the checks.
   *
   * @param args cases as {@code widths:batch}
   */
  public static void main(String[] args) {
    for (String arg : args) {
      int colon = arg.lastIndexOf(':');
      if (colon < 0) {
        System.err.println("OrtCheck: error: expected MODEL:BATCH, got '" + arg + "'");
        System.exit(2);
      }
      String name = arg.substring(0, colon);
      try (PeerModel peer = PeerModel.open(name, Integer.parseInt(arg.substring(colon + 1)), 1)) {
        System.out.printf("ONNX Runtime matches PyTorch: %s batch %d, max |diff| %.2e%n",
            name, peer.batch, peer.check());
      } catch (IOException | OrtException | IllegalStateException | NumberFormatException e) {
        System.err.println("OrtCheck: error: " + e.getMessage());
        System.exit(1);
      }
    }
  }
}
