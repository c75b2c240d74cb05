#!/usr/bin/env python3
"""A small, independent safetensors reader/writer following the format description
(https://github.com/huggingface/safetensors#format), used to check that files written by Generative load in PyTorch
and that PyTorch-written files load in Generative. The `safetensors` package is not needed.

Usage (Debian's python3-torch):
  /usr/bin/python3 safetensors_reference.py write-interop OUT.safetensors   # the interop tensor set, written here
  /usr/bin/python3 safetensors_reference.py check-interop IN.safetensors    # reads IN and checks the interop values
  /usr/bin/python3 safetensors_reference.py dump IN.safetensors             # name dtype shape sum, one per line
"""
import json
import struct
import sys

import torch

DTYPES = {
    "F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
    "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8,
    "U8": torch.uint8, "BOOL": torch.bool,
}
NAMES = {v: k for k, v in DTYPES.items()}


def write(path, tensors, metadata=None):
    header = {}
    if metadata:
        header["__metadata__"] = dict(sorted(metadata.items()))
    blobs = []
    offset = 0
    for name in sorted(tensors):
        t = tensors[name].contiguous()
        data = t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() > 0 else b""
        header[name] = {"dtype": NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def read(path):
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        raise ValueError("truncated")
    (n,) = struct.unpack("<Q", raw[:8])
    if n > 100_000_000 or 8 + n > len(raw):
        raise ValueError("bad header length")
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    data = raw[8 + n:]
    metadata = header.pop("__metadata__", {})
    out = {}
    end_max = 0
    for name, info in header.items():
        begin, end = info["data_offsets"]
        dtype = DTYPES[info["dtype"]]
        shape = info["shape"]
        count = 1
        for d in shape:
            count *= d
        if end - begin != count * torch.tensor([], dtype=dtype).element_size() or end > len(data):
            raise ValueError(f"bad offsets for {name}")
        end_max = max(end_max, end)
        buf = bytearray(data[begin:end])
        t = torch.frombuffer(buf, dtype=torch.uint8).view(dtype) if count > 0 else torch.empty(0, dtype=dtype)
        out[name] = t.reshape(shape)
    if end_max != len(data):
        raise ValueError("data not fully claimed")
    return out, metadata


def interop_set():
    return {
        "f32": torch.arange(6, dtype=torch.float32).reshape(2, 3) * 0.5 - 1,
        "f64": torch.tensor([1 / 3, -2.5, 1e300], dtype=torch.float64),
        "f16": torch.tensor([[0.5, -1.25], [65504, 0.0009765625]], dtype=torch.float16),
        "bf16": torch.tensor([1.5, -2, 3.140625], dtype=torch.bfloat16),
        "i64": torch.tensor([-9007199254740993, 42], dtype=torch.int64),
        "i32": torch.tensor([[-7], [2147483647]], dtype=torch.int32),
        "i16": torch.tensor([-32768, 32767], dtype=torch.int16),
        "i8": torch.tensor([-128, 127], dtype=torch.int8),
        "u8": torch.tensor([0, 1, 128, 255], dtype=torch.uint8),
        "bool": torch.tensor([True, False, True]),
        "empty": torch.zeros(0, 4, dtype=torch.float32),
        "scalar": torch.tensor(2.5, dtype=torch.float32),
    }


INTEROP_METADATA = {"format": "pt", "source": "generative-interop"}


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    if cmd == "write-interop":
        write(path, interop_set(), INTEROP_METADATA)
        print("written", path)
    elif cmd == "check-interop":
        tensors, metadata = read(path)
        expected = interop_set()
        assert metadata == INTEROP_METADATA, metadata
        assert sorted(tensors) == sorted(expected), sorted(tensors)
        for name, t in expected.items():
            got = tensors[name]
            assert got.dtype == t.dtype and list(got.shape) == list(t.shape), (name, got.dtype, got.shape)
            assert torch.equal(got, t), (name, got, t)
        print("OK", len(tensors), "tensors equal")
    elif cmd == "dump":
        tensors, metadata = read(path)
        for name in sorted(tensors):
            t = tensors[name]
            print(name, NAMES[t.dtype], list(t.shape), float(t.double().sum()) if t.numel() else 0.0)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
