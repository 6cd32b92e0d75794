/**
 * Text generation over a causal language model: {@link dev.netspec.runtime.generate.CausalLM}
 * is any block that maps token ids to next-token logits (with a {@link
 * dev.netspec.runtime.nn.KVCache} or by recomputing the prefix), and {@link
 * dev.netspec.runtime.generate.Generation} decodes from it, greedily or by sampling with a
 * temperature, top-k filtering and a seed.
 */
package dev.netspec.runtime.generate;
