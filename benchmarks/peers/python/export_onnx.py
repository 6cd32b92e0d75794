#!/usr/bin/env python3
"""Export the peer models from PyTorch, with the data that proves each peer runs the same model.

For every model in models.py this writes into OUT (a build directory, never committed):
  <stem>.onnx                ONNX model, input "x" (batch dim dynamic), output "y"
  <stem>.safetensors         the same weights, PyTorch state-dict keys (0.weight, 0.bias, ...;
                             for resnet18 torchvision's, num_batches_tracked as I64)
  <stem>.b<batch>.safetensors  seeded input "x" and PyTorch's output "y" for each batch measured
where <stem> is mlp_<widths> or resnet18 (random weights from the fixed seed, eval mode, 3x224x224
inputs), and models.json, the list of models, batches and FLOPs per sample. BERT ("minilm") has
two int64 inputs, input_ids and attention_mask, and its sentence embedding as "y" (export_bert).
GPT-2 ("gpt2") has one int64 input, idx, and every position's logits as "y" (export_gpt2); the
LSTM ("lstm") takes "x" (batch, steps, features) and gives its output sequence as "y".

ONNX Runtime's benchmark loads the .b<batch> file and refuses to time a model whose output
differs from PyTorch's, so the peer always measures the right model.

Usage: /usr/bin/python3 export_onnx.py OUT
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tools", "fixtures"))
import st  # noqa: E402  (tools/fixtures/st.py: pure-Python safetensors)

import models  # noqa: E402

OPSET = 13
OPSET_GPT2 = 14  # torch.tril (the causal mask) exports from opset 14 on


def onnx_export(model, args, stem, inputs, outputs, dynamic_axes, opset=OPSET):
    """torch.onnx.export to <stem>.onnx through a temporary name: never a half-written file."""
    tmp = stem + ".onnx.tmp"
    torch.onnx.export(model, args, tmp, input_names=inputs, output_names=outputs,
                      dynamic_axes=dynamic_axes, opset_version=opset, do_constant_folding=True)
    os.replace(tmp, stem + ".onnx")


def export(name, out):
    model = models.build(name)
    stem = os.path.join(out, models.file_stem(name))
    batches = models.batches(name)
    onnx_export(model, (models.example_input(name, batches[0]),), stem, ["x"], ["y"],
                {"x": {0: "batch"}, "y": {0: "batch"}})
    save(model.state_dict(), stem + ".safetensors")
    for batch in batches:
        x = models.example_input(name, batch)
        with torch.no_grad():
            y = model(x)
        save({"x": x, "y": y}, "%s.b%d.safetensors" % (stem, batch))
    entry = {
        "name": name,
        "batches": list(batches),
        "flops_per_sample": models.flops(name, 1),
        "onnx": os.path.basename(stem) + ".onnx",
        "weights": os.path.basename(stem) + ".safetensors",
    }
    if name in models.MLPS:
        entry["widths"] = list(models.widths(name))
    return entry


def export_bert(name, out):
    """BERT: inputs input_ids and attention_mask (int64, batch and sequence dynamic); outputs y
    (the mean-pooled sentence embedding, first, the one the peers check), last_hidden_state and
    pooler_output. The .b<batch> files hold input_ids, attention_mask (all 1) and y."""
    model = models.build(name)
    stem = os.path.join(out, models.file_stem(name))
    batches = models.batches(name)
    ids, mask = models.example_input(name, batches[0])

    class SentenceFirst(torch.nn.Module):
        def __init__(self, bert):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask):
            h, pooled, sentence = self.bert(input_ids, attention_mask)
            return sentence, h, pooled

    onnx_export(SentenceFirst(model).eval(), (ids, mask), stem, ["input_ids", "attention_mask"],
                ["y", "last_hidden_state", "pooler_output"],
                {"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"},
                 "y": {0: "batch"}, "last_hidden_state": {0: "batch", 1: "seq"}, "pooler_output": {0: "batch"}})
    save(model.state_dict(), stem + ".safetensors")
    for batch in batches:
        ids, mask = models.example_input(name, batch)
        with torch.no_grad():
            _, _, y = model(ids, mask)
        save({"input_ids": ids, "attention_mask": mask, "y": y}, "%s.b%d.safetensors" % (stem, batch))
    return {
        "name": name,
        "batches": list(batches),
        "seq": models.BERTS[name][1],
        "flops_per_sample": models.flops(name, 1),
        "onnx": os.path.basename(stem) + ".onnx",
        "weights": os.path.basename(stem) + ".safetensors",
    }


def export_gpt2(name, out):
    """GPT-2: input idx (int64, batch and sequence dynamic), output y (batch, seq, vocab_size),
    the logits of every position (a prefill from position 0). The .b<batch> files hold idx and
    y. The weights file has both tied keys (lm_head.weight, transformer.wte.weight)."""
    model = models.build(name)
    stem = os.path.join(out, models.file_stem(name))
    batches = models.batches(name)
    onnx_export(model, (models.example_input(name, batches[0]),), stem, ["idx"], ["y"],
                {"idx": {0: "batch", 1: "seq"}, "y": {0: "batch", 1: "seq"}}, OPSET_GPT2)
    save(model.state_dict(), stem + ".safetensors")
    for batch in batches:
        idx = models.example_input(name, batch)
        with torch.no_grad():
            y = model(idx)
        save({"idx": idx, "y": y}, "%s.b%d.safetensors" % (stem, batch))
    return {
        "name": name,
        "batches": list(batches),
        "seq": models.GPTS[name][1],
        "flops_per_sample": models.flops(name, 1),
        "onnx": os.path.basename(stem) + ".onnx",
        "weights": os.path.basename(stem) + ".safetensors",
    }


def counted_flops(model, x):
    """2 x the multiply-adds of every Conv2d and Linear, counted by forward hooks on a real
    forward: the independent check of models.flops, which works from the layer shapes."""
    import torch

    macs = []

    def hook(module, _, out):
        if isinstance(module, torch.nn.Conv2d):
            k = module.kernel_size
            macs.append(out.numel() * module.in_channels // module.groups * k[0] * k[1])
        elif isinstance(module, torch.nn.Linear):
            macs.append(out.numel() * module.in_features)

    handles = [m.register_forward_hook(hook) for m in model.modules()]
    try:
        with torch.no_grad():
            model(x)
    finally:
        for h in handles:
            h.remove()
    return 2 * sum(macs)


def save(tensors, path):
    """st.save to a temporary name, then rename: never a half-written file."""
    st.save(tensors, path + ".tmp", metadata={"format": "pt", "seed": models.SEED})
    os.replace(path + ".tmp", path)


def main(argv):
    if len(argv) != 2:
        print("usage: export_onnx.py OUT_DIR", file=sys.stderr)
        return 2
    out = argv[1]
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(1)
    manifest = [export(name, out) for name in list(models.MLPS) + list(models.RESNETS)]
    manifest += [export_bert(name, out) for name in models.BERTS]
    manifest += [export(name, out) for name in models.LSTMS]
    manifest += [export_gpt2(name, out) for name in models.GPTS]
    for name in models.RESNETS:
        counted = counted_flops(models.build(name), models.example_input(name, 1))
        if counted != models.flops(name, 1):
            raise SystemExit("export_onnx: error: %s: models.flops gives %d FLOP per image, the layers "
                             "count %d" % (name, models.flops(name, 1), counted))
    with open(os.path.join(out, "models.json"), "w") as f:
        json.dump({"seed": models.SEED, "opset": OPSET, "torch": torch.__version__, "models": manifest}, f, indent=2)
        f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
