/**
 * The builtin layer kinds, one class each: a kind's arguments, its shape rule (output,
 * parameters, buffers, the arguments it reads from the input's shape, cost, repr) and the
 * Java that builds it. The checker, inference and the generator reach layers only through
 * {@link dev.netspec.compiler.layers.LayerKind}; adding a layer is one class, one line in
 * {@link dev.netspec.compiler.layers.LayerKinds} and its tests.
 */
package dev.netspec.compiler.layers;
