/**
 * Measurement peers for netspec's benchmarks: ONNX Runtime Java on the models exported from
 * PyTorch ({@link dev.netspec.peers.OrtMlp}, {@link dev.netspec.peers.OrtResNet}). The FMA peak
 * is the benchmarks/ module's {@code FmaPeakBenchmark}, which peers.sh runs.
 *
 * <p>Run by {@code benchmarks/peers.sh}; never a dependency of netspec itself.
 */
package dev.netspec.peers;
