"""Seed inputs for IdxFuzzTest (tools/fuzz.sh idx): valid IDX files of every element type,
plain and gzip, and near-misses for each check of the reader. Run from the repository root:

    python3 tools/fuzz/idx_seeds.py
"""
import gzip
import os
import struct

OUT = os.path.join("runtime", "src", "test", "resources", "dev", "netspec", "runtime", "io",
                   "IdxFuzzTestInputs", "read")


def idx(type_code, shape, payload):
    return bytes([0, 0, type_code, len(shape)]) + b"".join(struct.pack(">I", d) for d in shape) + payload


def main():
    os.makedirs(OUT, exist_ok=True)
    seeds = {
        "ubyte_images": idx(0x08, [2, 2, 3], bytes(range(12))),
        "labels": idx(0x08, [5], bytes([0, 9, 3, 3, 7])),
        "sbyte": idx(0x09, [3], bytes([0x80, 0x7f, 0xff])),
        "int16": idx(0x0b, [2], struct.pack(">hh", -300, 300)),
        "int32": idx(0x0c, [2], struct.pack(">ii", -70000, 70000)),
        "float32": idx(0x0d, [2], struct.pack(">ff", 1.5, float("nan"))),
        "float64": idx(0x0e, [1, 2], struct.pack(">dd", 1e300, -2.25)),
        "empty_dim": idx(0x08, [0, 28], b""),
        "gzip_labels": gzip.compress(idx(0x08, [4], bytes([1, 2, 3, 4])), mtime=0),
        "gzip_truncated": gzip.compress(idx(0x08, [4], bytes([1, 2, 3, 4])), mtime=0)[:-6],
        "truncated_header": bytes([0, 0, 8]),
        "not_idx": b"PK\x03\x04",
        "unknown_type": idx(0x0a, [1], b"\x00"),
        "rank_zero": bytes([0, 0, 8, 0]),
        "rank_too_large": bytes([0, 0, 8, 9]) + b"\x00\x00\x00\x01" * 9 + b"\x00",
        "huge_dim": idx(0x08, [0xFFFFFFFF], b""),
        "huge_shape": idx(0x0c, [65536, 65536], b"\x00" * 16),
        "truncated_data": idx(0x08, [10], bytes(3)),
        "trailing_data": idx(0x08, [2], bytes(5)),
    }
    for name, data in seeds.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
