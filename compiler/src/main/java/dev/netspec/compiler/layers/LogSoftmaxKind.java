package dev.netspec.compiler.layers;

/** {@code log_softmax}: PyTorch's {@code nn.LogSoftmax(dim)}. */
final class LogSoftmaxKind extends SoftmaxKind {
  LogSoftmaxKind() {
    super("log_softmax", "LogSoftmax");
  }
}
