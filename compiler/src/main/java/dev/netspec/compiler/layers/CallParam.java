package dev.netspec.compiler.layers;

/**
 * One parameter of a layer's call, PyTorch's {@code forward(...)} signature, for the kinds
 * whose call takes several tensors and keywords ({@code attn(query, key, value,
 * key_padding_mask=None, need_weights=True, ...)}): a tensor, an optional mask ({@code None}
 * by default; float, added to the scores, or bool, True hiding a key) or a flag (a
 * {@code True}/{@code False} literal, which may change the result's type).
 */
public record CallParam(String name, Kind kind, boolean flagDefault) {
  /** What a parameter takes. */
  public enum Kind { TENSOR, MASK, FLAG }

  public static CallParam tensor(String name) {
    return new CallParam(name, Kind.TENSOR, false);
  }

  public static CallParam mask(String name) {
    return new CallParam(name, Kind.MASK, false);
  }

  public static CallParam flag(String name, boolean dflt) {
    return new CallParam(name, Kind.FLAG, dflt);
  }
}
