"""The safetensors format, read and written by hand (the `safetensors` package is not needed).

A file is: an unsigned 64-bit little-endian header length N, N bytes of JSON (``{name: {"dtype", "shape",
"data_offsets": [begin, end]}, "__metadata__": {str: str}}``), then the raw little-endian tensor data, each tensor's
bytes at ``data_offsets`` relative to the end of the header. The writer sorts names, pads the header with spaces to a
multiple of 8 bytes and records ``format: pt`` metadata, as PyTorch's tools do; the library's reader accepts it.
"""
import json
import struct

import torch

DTYPES = {"F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
          "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8,
          "BOOL": torch.bool}
NAMES = {v: k for k, v in DTYPES.items()}


def load(path):
    """Reads a safetensors file into ``({name: tensor}, metadata)``; tensors are CPU copies."""
    with open(path, "rb") as f:
        blob = f.read()
    if len(blob) < 8:
        raise ValueError(f"'{path}' is {len(blob)} bytes: too short for a safetensors file (8-byte header length).")
    (n,) = struct.unpack("<Q", blob[:8])
    if 8 + n > len(blob):
        raise ValueError(f"'{path}': the header claims {n} bytes but the file has {len(blob) - 8} after the length.")
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", None) or {}
    data = blob[8 + n:]
    tensors = {}
    for name, info in header.items():
        if info["dtype"] not in DTYPES:
            raise ValueError(f"'{path}': tensor '{name}' has dtype {info['dtype']}; expected one of {sorted(DTYPES)}.")
        dtype = DTYPES[info["dtype"]]
        start, end = info["data_offsets"]
        count = 1
        for d in info["shape"]:
            count *= d
        expected = count * torch.empty(0, dtype=dtype).element_size()
        if end - start != expected or end > len(data):
            raise ValueError(f"'{path}': tensor '{name}' spans bytes [{start}, {end}) but its shape {info['shape']} "
                             f"and dtype {info['dtype']} need {expected} bytes within {len(data)}.")
        raw = bytearray(data[start:end])
        t = torch.frombuffer(raw, dtype=dtype) if end > start else torch.empty(0, dtype=dtype)
        tensors[name] = t.reshape(info["shape"]).clone()
    return tensors, meta


def save(path, tensors, metadata=None):
    """Writes ``{name: tensor}`` as safetensors (sorted names, 8-byte-aligned header, metadata ``format: pt``)."""
    meta = {"format": "pt"}
    meta.update(metadata or {})
    header = {"__metadata__": dict(sorted(meta.items()))}
    blobs, offset = [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().cpu().contiguous()
        raw = t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() > 0 else b""
        header[name] = {"dtype": NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        blobs.append(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))
