/**
 * Measurement peers for netspec's benchmarks: the machine's FMA peak
 * ({@link dev.netspec.peers.FmaPeak}) and ONNX Runtime Java on the models exported from PyTorch
 * ({@link dev.netspec.peers.OrtMlp}, {@link dev.netspec.peers.OrtResNet}).
 *
 * <p>Run by {@code benchmarks/peers.sh}; never a dependency of netspec itself.
 */
package dev.netspec.peers;
