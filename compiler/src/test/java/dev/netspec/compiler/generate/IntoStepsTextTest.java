package dev.netspec.compiler.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The allocation-free forward's steps ({@code ForwardWriter.step}, {@code binaryInto},
 * {@code callInto}, {@code concatInto}, {@code childInto}, the ping-pong of a loop), read as
 * text without compiling it. Each expected line is written by hand from the runtime's API
 * ({@code Out.rsub(float value, Tensor x, Tensor out)} is {@code value - x}, {@code Out.place(part,
 * dim, start, out)} writes {@code part} at {@code start} along {@code dim}, {@code
 * LayerNorm.forwardResidual(x, residual, out)} normalizes {@code x + residual}, ...) and from
 * PyTorch's defaults ({@code flatten}'s {@code end_dim=-1}, {@code mean}'s {@code keepdim=False},
 * {@code tril}'s {@code diagonal=0}); BufferedForwardTest and GeneratedModelsTest run such forwards
 * compiled. Each test generates its own text (a mutation run swaps mutants into one JVM).
 */
class IntoStepsTextTest {
  private static final String OPERATORS = """
      netspec: 1
      package: t.ops
      blocks:
        Pow: {input: [batch, 4], forward: "x ** 2"}
        LtFlip: {input: [batch, 4], forward: "2 < x"}
        GeFlip: {input: [batch, 4], forward: "1 >= x"}
        Rsub: {input: [batch, 4], forward: "3 - x"}
        LAdd: {input: [batch, 4], forward: "2 + x"}
        LMul: {input: [batch, 4], forward: "2 * x"}
        LDiv: {input: [batch, 4], forward: "2 / x"}
        Neg: {input: [batch, 4], forward: "-x"}
        Ge: {input: [batch, 4], forward: "x >= 1"}
        Le: {input: [batch, 4], forward: "x <= x"}
        MatMul: {input: [batch, 4], forward: "x @ transpose(x, 0, 1)"}
      """;

  /** The lines of the allocation-free forward of {@code block} after {@code workspace(...)}, up to its {@code finally}. */
  private static List<String> steps(GeneratedText text, String block) {
    return steps(text.buffered(block));
  }

  /** The lines of the method {@code body} after {@code workspace(...)}, up to its {@code finally}. */
  private static List<String> steps(String body) {
    List<String> lines = new ArrayList<>();
    boolean on = false;
    for (String line : body.split("\n")) {
      String t = line.trim();
      if (t.startsWith("} finally {")) {
        break;
      }
      if (on) {
        lines.add(t);
      }
      on |= t.startsWith("workspace(");
    }
    return lines;
  }

  /** The allocating forward's lines starting with one of {@code starts}, without the replica's call. */
  private static List<String> allocating(GeneratedText text, String block, String... starts) {
    List<String> lines = new ArrayList<>(GeneratedText.lines(text.allocating(block), starts));
    lines.remove("return free.forward(x);");
    lines.remove("return free.forwardRecorded(x);");
    return lines;
  }

  @Test
  void eachOperatorWritesIntoTheOutput() {
    GeneratedText text = GeneratedText.of(OPERATORS);
    assertEquals(List.of("return x.powInto(2.0f, output); // (batch, 4)"), steps(text, "Pow"));
    // 2 < x is x > 2, 1 >= x is x <= 1: the tensor first, the comparison flipped
    assertEquals(List.of("return Out.gt(x, 2.0f, output); // (batch, 4)"), steps(text, "LtFlip"));
    assertEquals(List.of("return Out.le(x, 1.0f, output); // (batch, 4)"), steps(text, "GeFlip"));
    assertEquals(List.of("return Out.rsub(3.0f, x, output); // (batch, 4)"), steps(text, "Rsub"));
    // + and * commute: the tensor's own method with the number
    assertEquals(List.of("return x.addInto(2.0f, output); // (batch, 4)"), steps(text, "LAdd"));
    assertEquals(List.of("return x.mulInto(2.0f, output); // (batch, 4)"), steps(text, "LMul"));
    assertEquals(List.of("return x.negInto(output); // (batch, 4)"), steps(text, "Neg"));
    assertEquals(List.of("return Out.ge(x, 1.0f, output); // (batch, 4)"), steps(text, "Ge"));
    assertEquals(List.of("return Out.le(x, x, output); // (batch, 4)"), steps(text, "Le"));
    // a number divided by a tensor has no Into form (and does not commute): no allocation-free forward
    assertNull(text.buffered("LDiv"));
    assertEquals(List.of(
        "if (x != xViewOf) {", "xView = x.transpose(0, 1);", "xViewOf = x;", "}",
        "xView.copyInto(transposeOut); // (4, batch)",
        "return x.matmulInto(transposeOut, output); // (batch, batch)"), steps(text, "MatMul"));
  }

  @Test
  void eachFunctionWritesIntoItsBuffer() {
    GeneratedText text = GeneratedText.of("""
        netspec: 1
        package: t.fns
        blocks:
          Fns:
            input: [batch, 4]
            layers:
              norm: {layer_norm: {normalized_shape: 4}}
            forward: |
              a = gelu(x, approximate="tanh")
              b = pow(a, 3)
              c = sum(b, dim=1, keepdim=True)
              d = mean(b, dim=0)
              e = softmax(x, dim=1)
              f = log_softmax(x, dim=-1)
              g = matmul(a, transpose(b, 0, 1))
              h = flatten(x, 0)
              r = norm(x + e)
              j = leaky_relu(f, 0.2)
              return relu(r) + j
        """);
    assertEquals(List.of(
        "Tensor a = Functional.geluInto(x, \"tanh\", geluOut); // (batch, 4)",
        "Tensor b = a.powInto(3.0f, powOut); // (batch, 4)",
        "Tensor c = Out.sum(b, 1, true, sumOut); // (batch, 1)",
        "Tensor d = Out.mean(b, 0, false, meanOut); // (4,)",
        "Tensor e = x.softmaxInto(1, softmaxOut); // (batch, 4)",
        "Tensor f = x.logSoftmaxInto(-1, logSoftmaxOut); // (batch, 4)",
        // b transposed: a view field of b's buffer, made when the buffers are sized
        "Tensor g = a.matmulInto(powOutView, matmulOut); // (batch, batch)",
        "Tensor h = x.flattenInto(0, -1, flattenOut); // (4*batch,)",
        // LayerNorm(x + e): the sum in the norm's own pass, no buffer of its own
        "Tensor r = norm.forwardResidual(x, e, normOut); // (batch, 4)",
        "Tensor j = Functional.leakyReluInto(f, 0.2f, leakyReluOut); // (batch, 4)",
        "r.reluInto(reluOut); // (batch, 4)",
        "return reluOut.addInto(j, output); // (batch, 4)"), steps(text, "Fns"));
  }

  @Test
  void concatAndStackPlaceEachPart() {
    GeneratedText text = GeneratedText.of("""
        netspec: 1
        package: t.cat
        blocks:
          Cat:
            input: [batch, n]
            forward: |
              y = concat([x, x * 2, x], dim=1)
              z = stack([x, x], dim=-1)
              return y
        """);
    // concat: each part at the sum of the sizes before it along dim 1 (0, n, n + n); stack along
    // the new last dim (2 of the result's three): part i at index i
    assertEquals(List.of(
        "x.mulInto(2.0f, mulOut); // (batch, n)",
        "Out.place(x, 1, 0, concatOut);",
        "Out.place(mulOut, 1, n, concatOut);",
        "Tensor y = Out.place(x, 1, n + n, concatOut); // (batch, 3*n)",
        "Out.placeAt(x, 2, 0, stackOut);",
        "Tensor z = Out.placeAt(x, 2, 1, stackOut); // (batch, n, 2)",
        "return y.copyInto(output); // (batch, 3*n)"), steps(text, "Cat"));
  }

  @Test
  void masksAndWhereWriteIntoBuffers() {
    GeneratedText text = GeneratedText.of("""
        netspec: 1
        package: t.masks
        blocks:
          Masks:
            input: [batch, 4, 4]
            forward: |
              t = tril(x)
              u = masked_fill(x, t == 0, -1.0)
              w = where(u > 0, u, 0.0)
              return w + t
        """);
    assertEquals(List.of(
        "Tensor t = Out.tril(x, 0, trilOut); // (batch, 4, 4)",
        "Out.eq(t, 0.0f, eqOut); // (batch, 4, 4)",
        "Tensor u = Out.maskedFill(x, eqOut, -1.0f, maskedFillOut); // (batch, 4, 4)",
        "Out.gt(u, 0.0f, gtOut); // (batch, 4, 4)",
        "Tensor w = Out.where(gtOut, u, 0.0f, whereOut); // (batch, 4, 4)",
        "return w.addInto(t, output); // (batch, 4, 4)"), steps(text, "Masks"));
  }

  @Test
  void aLayerReadingItsOwnVariableInALoopAlternatesTwoBuffers() {
    GeneratedText text = GeneratedText.of("""
        netspec: 1
        package: t.ping
        blocks:
          Ping:
            input: [batch, 4]
            layers:
              fc: {linear: {in_features: 4, out_features: 4}}
              blocks: {module_list: {repeat: 2, layer: {linear: {in_features: 4, out_features: 4}}}}
            forward: |
              for b in blocks:
                x = fc(x)
                x = relu(b(x))
                x = x + 1
              return blocks[-1](x)
        """);
    // fc(x) cannot write over its own input: each turn writes the buffer x does not name; relu
    // and + are elementwise and may (one buffer each); blocks[-1] is ModuleList.get(-1), the last
    assertEquals(List.of(
        "for (int bIndex = 0; bIndex < blocks.size(); bIndex++) {",
        "Linear b = blocks.get(bIndex);",
        "Tensor xNext = x == fcOut ? fcOut2 : fcOut;",
        "x = fc.forward(x, xNext); // (batch, 4)",
        "b.forward(x, bOut); // (batch, 4)",
        "x = bOut.reluInto(reluOut); // (batch, 4)",
        "x = x.addInto(1.0f, addOut); // (batch, 4)",
        "}",
        "return blocks.get(-1).forward(x, output); // (batch, 4)"), steps(text, "Ping"));
  }

  @Test
  void attentionAndArangeWriteIntoTheirBuffers() {
    GeneratedText text = GeneratedText.of("""
        netspec: 1
        package: t.attn
        blocks:
          Attn:
            input: [batch, 2, seq, 8]
            forward: |
              a = scaled_dot_product_attention(x, x, x)
              return a
          Ar:
            input: [batch, seq]
            forward: |
              p = arange(seq)
              return x + (p > 1)
        """);
    // PyTorch's defaults: no mask, is_causal=False
    assertEquals(List.of(
        "Tensor a = Functional.scaledDotProductAttentionInto(x, x, x, null, false, attentionOut); // (batch, 2, seq, 8)",
        "return a.copyInto(output); // (batch, 2, seq, 8)"), steps(text, "Attn"));
    // arange(seq) is 0, 1, ..., seq - 1: from 0 over the int64 buffer's length
    assertEquals(List.of(
        "Tensor p = Out.arange(0, arangeOut); // (seq,)",
        "Out.gt(p, 1.0f, gtOut); // (seq,)",
        "return x.addInto(gtOut, output); // (batch, seq)"), steps(text, "Ar"));
  }

  @Test
  void aStepThatCannotRunInPlaceAlternatesInALoopAndAnElementwiseOneDoesNot() {
    GeneratedText text = GeneratedText.of("""
        netspec: 1
        package: t.loops
        blocks:
          Loops:
            input: [batch, 4]
            layers:
              fc: {linear: {in_features: 4, out_features: 4}}
              blocks: {module_list: {repeat: 2, layer: {linear: {in_features: 4, out_features: 4}}}}
            forward: |
              for b in blocks:
                x = relu(fc(x))
                x = softmax(x, dim=1)
                x = -x
                x = x @ transpose(x, 0, 1) @ x
              return x
          Alias:
            input: [batch, 4]
            forward: |
              y = x * 1
              while sum(y) < 10:
                z = y * 2
                y = z
              return y
          NotTensor:
            input: [batch, 4]
            forward: |
              n = 2.0
              return x * n
        """);
    // relu(fc(x)) is one GEMM reading x, softmax and @ read their whole operand: two buffers each,
    // the one x does not name; the negation is elementwise, so it may write over x's own buffer
    assertEquals(List.of(
        "for (int bIndex = 0; bIndex < blocks.size(); bIndex++) {",
        "Linear b = blocks.get(bIndex);",
        "Tensor xNext = x == reluOut ? reluOut2 : reluOut;",
        "x = fc.forwardInto(x, Activation.RELU, xNext); // (batch, 4)",
        "Tensor xNext_ = x == softmaxOut ? softmaxOut2 : softmaxOut;",
        "x = x.softmaxInto(1, xNext_); // (batch, 4)",
        "x = x.negInto(negOut); // (batch, 4)",
        "Tensor xNext__ = x == stepOut ? stepOut2 : stepOut;",
        "x.matmulInto(negOutView, matmulOut); // (batch, batch)",
        "x = matmulOut.matmulInto(x, xNext__); // (batch, 4)",
        "}",
        "return x.copyInto(output); // (batch, 4)"), steps(text, "Loops"));
    // y = z in a loop would make y and z one buffer written at every turn; n is a float
    assertNull(text.buffered("Alias"));
    assertNull(text.buffered("NotTensor"));
    assertEquals(List.of("float n = 2.0f;", "return x.mul(n);"),
        allocating(text, "NotTensor", "float ", "return "));
  }

  @Test
  void aNormOfASumTakesTheResidualOnlyWithoutABroadcast() {
    GeneratedText text = GeneratedText.of("""
        netspec: 1
        package: t.norms
        blocks:
          Norms:
            input: [batch, 4]
            params:
              bias: {shape: [4]}
            layers:
              norm: {layer_norm: {normalized_shape: 4}}
            forward: |
              a = norm(x + bias)
              b = norm(x - a)
              return norm(a + b)
        """);
    assertEquals(List.of(
        "x.addInto(bias.data(), addOut); // (batch, 4)",
        "Tensor a = norm.forward(addOut, normOut); // (batch, 4)",
        "x.subInto(a, subOut); // (batch, 4)",
        "Tensor b = norm.forward(subOut, normOut2); // (batch, 4)",
        "return norm.forwardResidual(a, b, output); // (batch, 4)"), steps(text, "Norms"));
  }

  @Test
  void concatOffsetsAddKnownSizesAfterSymbolicOnes() {
    GeneratedText text = GeneratedText.of("""
        netspec: 1
        package: t.known
        blocks:
          Known:
            input: [batch, 3]
            forward: |
              y = concat([x, x * 2], dim=1)
              z = concat([y, y], dim=-1)
              return z
          Mixed:
            input: [2, n]
            buffers:
              w: {shape: [2, 4]}
            forward: |
              return concat([x, w, x], dim=1)
        """);
    assertEquals(List.of(
        "x.mulInto(2.0f, mulOut); // (batch, 3)",
        "Out.place(x, 1, 0, concatOut);",
        "Tensor y = Out.place(mulOut, 1, 3, concatOut); // (batch, 6)",
        "Out.place(y, 1, 0, concatOut2);",
        "Tensor z = Out.place(y, 1, 6, concatOut2); // (batch, 12)",
        "return z.copyInto(output); // (batch, 12)"), steps(text, "Known"));
    // x's n columns, then w's 4: the last x at n + 4
    assertEquals(List.of(
        "Out.place(x, 1, 0, output);",
        "Out.place(w, 1, n, output);",
        "return Out.place(x, 1, n + 4, output); // (2, 2*n + 4)"), steps(text, "Mixed"));
  }

  @Test
  void sizesNotAndTransposesInTheAllocatingForward() {
    GeneratedText text = GeneratedText.of("""
        netspec: 1
        package: t.flags
        blocks:
          Flags:
            args: {k: int, s: float}
            input: [batch, seq]
            forward: |
              y = x * s
              if not k == 1 and k > 0:
                y = y + 1
              v = reshape(y, batch * seq)
              return y.T * sum(v.T)
        """);
    // the sizes read from the input first; a float argument is a double field, cast for float32;
    // .T transposes a matrix and leaves a 1-D tensor as it is (PyTorch's Tensor.T)
    assertEquals(List.of(
        "int batch = x.size(0);",
        "int seq = x.size(1);",
        "Tensor y = x.mul((float) s); // (batch, seq)",
        "if (!(k == 1) && k > 0) {",
        "y = y.add(1.0f); // (batch, seq)",
        "Tensor v = y.reshape(batch * seq); // (batch*seq,)",
        "return y.t().mul(v.sum());"),
        allocating(text, "Flags", "int ", "Tensor ", "if (", "y = ", "return "));
  }

  @Test
  void aVariableAssignedAnotherNamesItsBufferUntilItsLastRead() {
    GeneratedText text = GeneratedText.of("""
        netspec: 1
        package: t.copy
        blocks:
          Copy:
            input: [batch, 4]
            forward: |
              y = x * 1
              w = x + 1
              z = y
              v = w * 2
              u = v - 1
              return z + u
        """);
    assertEquals(List.of(
        "Tensor y = x.mulInto(1.0f, mulOut); // (batch, 4)",
        "Tensor w = x.addInto(1.0f, addOut); // (batch, 4)",
        "Tensor z = y; // (batch, 4)",
        "Tensor v = w.mulInto(2.0f, mulOut2); // (batch, 4)",
        "Tensor u = v.subInto(1.0f, subOut); // (batch, 4)",
        "return z.addInto(u, output); // (batch, 4)"), steps(text, "Copy"));
    // by hand, the steps 1 to 6: mulOut is written at 1 and read at 6 (as z), addOut lives 2-4,
    // mulOut2 4-5, subOut 5-6: only addOut and subOut are never live at once
    List<String> plan = new ArrayList<>();
    for (String line : text.method("Copy", "private void workspace(", null).split("\n")) {
      String t = line.trim();
      if (t.contains("Out") || t.startsWith("Tensor storage")) {
        plan.add(t);
      }
    }
    assertEquals(List.of(
        "mulOut = Tensor.zeros(batch, 4);",
        "// addOut, subOut: never live at once",
        "Tensor storage0 = Workspace.storage(new int[] {batch, 4}, new int[] {batch, 4});",
        "addOut = Workspace.view(storage0, batch, 4);",
        "subOut = Workspace.view(storage0, batch, 4);",
        "mulOut2 = Tensor.zeros(batch, 4);"), plan);
  }

  @Test
  void elementwiseFunctionsAndStepsWithoutAnIntoForm() {
    GeneratedText text = GeneratedText.of("""
        netspec: 1
        package: t.fns2
        blocks:
          Sig:
            input: [batch, 4]
            forward: |
              a = sigmoid(x)
              b = tanh(a)
              c = exp(b)
              return clamp(c, min=0.5)
          PowT: {input: [batch, 4], forward: "pow(x, x)"}
          PowOp: {input: [batch, 4], forward: "x ** x"}
          MaxAll: {input: [batch, 4], forward: "x * max(x)"}
        """);
    // the tensor's own ...Into method, or Functional's with the arguments (clamp's missing max: +infinity)
    assertEquals(List.of(
        "Tensor a = x.sigmoidInto(sigmoidOut); // (batch, 4)",
        "Tensor b = a.tanhInto(tanhOut); // (batch, 4)",
        "Tensor c = b.expInto(expOut); // (batch, 4)",
        "return Functional.clampInto(c, 0.5f, Float.POSITIVE_INFINITY, output); // (batch, 4)"), steps(text, "Sig"));
    // a tensor exponent, a whole-tensor max: the runtime has no Into form, so only the allocating forward
    assertNull(text.buffered("PowT"));
    assertNull(text.buffered("PowOp"));
    assertNull(text.buffered("MaxAll"));
  }

  @Test
  void aLayerCalledWithAMaskAndAConcatAlongTheFirstDim() {
    GeneratedText text = GeneratedText.of("""
        netspec: 1
        package: t.enc
        blocks:
          Enc:
            inputs: {h: [batch, seq, 8], valid: [batch, seq, int64]}
            layers:
              enc: {transformer_encoder: {d_model: 8, nhead: 2, dim_feedforward: 16, num_layers: 1, batch_first: true}}
            forward: |
              a = enc(h, src_key_padding_mask=valid == 0)
              return a
          Cat0:
            input: [batch, 4]
            forward: |
              return concat([x, x], dim=0)
        """);
    // TransformerEncoder.forward(src, mask, srcKeyPaddingMask[, out]): no mask given, the padding
    // mask as bool values (true: left out); the buffered forward keeps the mask in a field
    assertEquals(List.of("Tensor a = enc.forward(h, null, AttentionMask.ofBool(valid.eq(0.0f))); // (batch, seq, 8)"),
        GeneratedText.lines(text.method("Enc", "private Tensor forwardRecorded(", null), "Tensor a"));
    assertEquals(List.of(
        "Out.eq(valid, 0.0f, eqOut); // (batch, seq)",
        "encSrcKeyPaddingMask = AttentionMask.ofBool(eqOut, encSrcKeyPaddingMask);",
        "Tensor a = enc.forward(h, null, encSrcKeyPaddingMask, encOut); // (batch, seq, 8)",
        "return a.copyInto(output); // (batch, seq, 8)"),
        steps(text.method("Enc", "public Tensor forwardInputsInto(", null)));
    // dim 0 is dim 0 (only a negative dim counts from the end): the second x after the first's batch rows
    assertEquals(List.of(
        "Out.place(x, 0, 0, output);",
        "return Out.place(x, 0, batch, output); // (2*batch, 4)"), steps(text, "Cat0"));
  }

  @Test
  void aSizeUsedAsANumberIsTheInputsSize() {
    GeneratedText text = GeneratedText.of("""
        netspec: 1
        package: t.size
        blocks:
          Size:
            input: [batch, seq]
            forward: |
              y = x / seq
              return y * batch
        """);
    // the allocating forward reads each size from the input where first needed (an int, widened
    // to float by Tensor.div(float)); the buffered one reads the workspace's fields, set when sized
    assertEquals(List.of("int seq = x.size(1);", "int batch = x.size(0);", "Tensor y = x.div(seq); // (batch, seq)",
        "return y.mul(batch);"), allocating(text, "Size", "int ", "Tensor ", "return "));
    assertEquals(List.of("Tensor y = x.divInto(seq, divOut); // (batch, seq)", "return y.mulInto(batch, output); // (batch, seq)"),
        steps(text, "Size"));
  }

  @Test
  void aListItemOrDictChildReadingItsOwnVariableInALoopAlternatesTwoBuffers() {
    GeneratedText text = GeneratedText.of("""
        netspec: 1
        package: t.idx
        blocks:
          Idx:
            input: [batch, 4]
            layers:
              blocks: {module_list: {repeat: 2, layer: {linear: {in_features: 4, out_features: 4}}}}
            forward: |
              for b in blocks:
                x = blocks[0](x)
              return x
          Dict:
            input: [batch, 4]
            layers:
              t: {module_dict: {fc: {linear: {in_features: 4, out_features: 4}}}}
              blocks: {module_list: {repeat: 2, layer: {linear: {in_features: 4, out_features: 4}}}}
            forward: |
              for b in blocks:
                x = t.fc(x)
              return x
        """);
    // at the second turn x names the buffer written at the first: one buffer would make the
    // layer write over its own input (Functional.linearInto refuses an output sharing x's storage)
    assertEquals(List.of(
        "for (int bIndex = 0; bIndex < blocks.size(); bIndex++) {",
        "Linear b = blocks.get(bIndex);",
        "Tensor xNext = x == blocksOut ? blocksOut2 : blocksOut;",
        "x = blocks.get(0).forward(x, xNext); // (batch, 4)",
        "}",
        "return x.copyInto(output); // (batch, 4)"), steps(text, "Idx"));
    assertEquals(List.of(
        "Tensor xNext = x == fcOut ? fcOut2 : fcOut;",
        "x = t.fc.forward(x, xNext); // (batch, 4)"), steps(text, "Dict").subList(2, 4));
  }
}
