#!/usr/bin/env python3
"""Export the peer models from PyTorch, with the data that proves each peer runs the same model.

For every MLP in models.py this writes into OUT (a build directory, never committed):
  mlp_<widths>.onnx                ONNX model, input "x" (batch dim dynamic), output "y"
  mlp_<widths>.safetensors         the same weights, PyTorch state-dict keys (0.weight, 0.bias, ...)
  mlp_<widths>.b<batch>.safetensors  seeded input "x" and PyTorch's output "y" for each batch measured
and models.json, the list of models, widths, batches and FLOPs per call.

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


def export(name, out):
    model = models.build(name)
    stem = os.path.join(out, models.file_stem(name))
    widths, batches = models.MLPS[name]
    x = models.example_input(name, batches[0])
    tmp = stem + ".onnx.tmp"
    torch.onnx.export(
        model,
        (x,),
        tmp,
        input_names=["x"],
        output_names=["y"],
        dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}},
        opset_version=OPSET,
        do_constant_folding=True,
    )
    os.replace(tmp, stem + ".onnx")
    save(model.state_dict(), stem + ".safetensors")
    for batch in batches:
        x = models.example_input(name, batch)
        with torch.no_grad():
            y = model(x)
        save({"x": x, "y": y}, "%s.b%d.safetensors" % (stem, batch))
    return {
        "name": name,
        "widths": list(widths),
        "batches": list(batches),
        "flops_per_sample": models.flops(name, 1),
        "onnx": os.path.basename(stem) + ".onnx",
        "weights": os.path.basename(stem) + ".safetensors",
    }


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
    manifest = [export(name, out) for name in models.MLPS]
    with open(os.path.join(out, "models.json"), "w") as f:
        json.dump({"seed": models.SEED, "opset": OPSET, "torch": torch.__version__, "models": manifest}, f, indent=2)
        f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
