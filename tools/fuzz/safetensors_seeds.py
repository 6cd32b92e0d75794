#!/usr/bin/env python3
"""Writes the seed corpus of SafeTensorsFuzzTest: a few valid files of every supported dtype
and near-valid ones that reach each check of the reader (the interesting cases of
HostileFilesTest). Standard library only; run from the repository root."""
import json
import os
import struct

OUT = "runtime/src/test/resources/dev/netspec/runtime/io/SafeTensorsFuzzTestInputs/parse"


def st(header, data=b""):
    text = header if isinstance(header, bytes) else json.dumps(header, separators=(",", ":")).encode()
    return struct.pack("<Q", len(text)) + text + data


def t(dtype, shape, begin, end):
    return {"dtype": dtype, "shape": shape, "data_offsets": [begin, end]}


SEEDS = {
    "valid_f32": st({"w": t("F32", [2, 2], 0, 16)}, struct.pack("<4f", 1, 2, 3, 4)),
    "valid_all_dtypes": st({
        "__metadata__": {"format": "pt"},
        "a": t("F16", [2], 0, 4), "b": t("BF16", [2], 4, 8), "c": t("F64", [1], 8, 16),
        "d": t("I64", [1], 16, 24), "e": t("F32", [], 24, 28), "f": t("F32", [0, 3], 28, 28),
    }, bytes(range(28))),
    "empty_header": st(b"{}"),
    "padded_header": st(b'{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}    ', b"\0\0\x80?"),
    "huge_header_length": b"\xff" * 8 + b"{}",
    "header_past_end": struct.pack("<Q", 1000) + b"{}",
    "zip": b"PK\x03\x04" + bytes(8),
    "short": bytes(5),
    "huge_shape": st({"w": t("F32", [1 << 20, 1 << 20], 0, 1 << 42)}, bytes(8)),
    "shape_overflow": st({"w": t("F64", [2147483647] * 3, 0, 8)}, bytes(8)),
    "shape_mismatch": st({"w": t("F32", [8, 4], 0, 96)}, bytes(96)),
    "offsets_reversed": st({"w": t("F32", [2], 8, 0)}, bytes(8)),
    "overlap": st({"a": t("F32", [2], 0, 8), "b": t("F32", [2], 4, 12)}, bytes(12)),
    "trailing_data": st({"a": t("F32", [1], 0, 4)}, bytes(8)),
    "unsupported_dtype": st({"w": t("BOOL", [1], 0, 1)}, bytes(1)),
    "bad_escape": st(b'{"a\\ud800":{}}'),
    "bad_utf8": st(b'{"a\xed\xa0\x80":{}}'),
    "deep_json": st(b'{"__metadata__":' + b"[" * 200 + b"]" * 200 + b"}"),
    "big_number": st(b'{"w":{"dtype":"F32","shape":[99999999999999999999],"data_offsets":[0,4]}}'),
}

os.makedirs(OUT, exist_ok=True)
for name, data in SEEDS.items():
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
print(f"wrote {len(SEEDS)} seeds to {OUT}")
