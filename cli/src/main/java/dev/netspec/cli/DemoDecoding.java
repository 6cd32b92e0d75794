package dev.netspec.cli;

import dev.netspec.compiler.Compilation;
import dev.netspec.runtime.generate.CausalLM;
import dev.netspec.runtime.generate.Generation;
import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.tensor.Tensor;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The decoders of {@code netspec demo}: every block whose class is a {@link CausalLM} (a spec
 * with {@code position:} and {@code kv_cache} layers, such as specs/gpt2.yaml) is built small,
 * with random weights, and generates tokens greedily over its KV cache, then again by
 * recomputing the whole sequence at each step: the same tokens.
 */
final class DemoDecoding {
  /** Every int argument but a head count: vocabulary, context and width of a small model. */
  private static final int SIZE = 32;
  /** An int argument whose name says heads. */
  private static final int HEADS = 4;
  private static final int PROMPT = 4;
  private static final int NEW_TOKENS = 12;

  private DemoDecoding() {}

  /** Shows {@code block} decoding, if it is a causal LM whose arguments are all ints; returns whether it did. */
  static boolean show(Compilation compilation, Models models, String spec, String block, long seed,
      PrintWriter out) {
    Map<String, String> declared = compilation.args(block);
    if (!models.is(block, CausalLM.class) || declared.containsValue("float")
        || declared.containsValue("bool")) {
      return false;
    }
    List<Object> args = new ArrayList<>();
    List<String> shown = new ArrayList<>();
    for (String name : declared.keySet()) {
      int v = name.contains("head") ? HEADS : SIZE;
      args.add(v);
      shown.add(name + "=" + v);
    }
    Module net = models.create(block, args, seed).eval();
    CausalLM lm = (CausalLM) net;
    DemoSteps steps = new DemoSteps(out);
    out.println();
    String title = "== " + spec + ": " + block + " (decoding) ";
    out.println(title + "=".repeat(Math.max(3, 78 - title.length())));
    out.println("random weights (seed " + seed + "), so the tokens mean nothing; "
        + String.join(", ", shown));
    long[] ids = new long[PROMPT];
    for (int i = 0; i < PROMPT; i++) {
      ids[i] = (3L * i + 1) % SIZE;
    }
    Tensor prompt = Tensor.ofLongs(ids, 1, PROMPT);
    steps.step("prompt = " + Arrays.toString(ids), "torch.tensor([[...]])");
    Tensor cached = Generation.greedy().generate(lm, prompt, NEW_TOKENS);
    steps.step("Generation.greedy().generate(net, prompt, " + NEW_TOKENS + ")",
        "one token per step over the KV cache");
    out.println(Arrays.toString(cached.toLongArray()));
    Tensor recomputed = Generation.greedy()
        .generate(CausalLM.recomputing(net, lm.maxContext()), prompt, NEW_TOKENS);
    steps.step("... CausalLM.recomputing(net, " + lm.maxContext() + ") ...",
        "the whole sequence at each step, no cache");
    boolean same = Arrays.equals(cached.toLongArray(), recomputed.toLongArray());
    if (!same) {
      throw new IllegalStateException(block + ": cached and recomputed decoding differ");
    }
    out.println("same tokens: true");
    return true;
  }
}
