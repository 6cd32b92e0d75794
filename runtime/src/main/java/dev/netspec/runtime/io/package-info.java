/**
 * Reading and writing tensors and state dicts in the safetensors format, so weights move
 * between PyTorch and netspec unchanged. {@link dev.netspec.runtime.io.SafeTensors} is the
 * entry point; {@link dev.netspec.runtime.io.SafeTensorsException} is the one checked error,
 * naming the file and the fault. {@link dev.netspec.runtime.io.Idx} reads IDX data sets
 * (MNIST, Fashion-MNIST), plain or gzip-compressed, with {@link
 * dev.netspec.runtime.io.IdxException} for a bad file.
 */
package dev.netspec.runtime.io;
