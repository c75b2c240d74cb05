#!/usr/bin/env python3
"""Moves a Generative checkpoint to PyTorch and back (docs/scaling.md).

  /usr/bin/python3 docs/scripts/roundtrip.py IN_DIR OUT_DIR

IN_DIR is a model directory written by DiffusionModel.Save / GanModel.Save (config.json + model.safetensors).
The script
  1. checks model.safetensors against the SHA-256 that config.json records, and reads it into PyTorch tensors by hand
     (the safetensors format: u64 little-endian header length, a JSON header, raw little-endian data; the
     `safetensors` package is not needed, so Debian's python3-torch is enough);
  2. writes the diffusers scheduler config the checkpoint's schedule corresponds to (OUT_DIR/scheduler_config.json,
     loadable with diffusers' DDIMScheduler.from_config) and recomputes alphas_cumprod as diffusers does;
  3. stands in for work done in PyTorch (fine-tuning with accelerate, say): it replaces the raw network's weights by the
     average of the raw and EMA weights (`denoiser.*`/`generator.*` := ½(raw + EMA)), a checkpoint-averaging step;
  4. writes OUT_DIR/model.safetensors (sorted names, 8-byte-aligned header, metadata format=pt, as PyTorch's tools
     write it) and OUT_DIR/config.json with the new SHA-256, which DiffusionModel.Load / GanModel.Load read.
It prints what it did and a few sums that the C# side can compare.
"""
import hashlib
import json
import os
import struct
import sys

import torch

DTYPES = {"F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
          "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8,
          "BOOL": torch.bool}
NAMES = {v: k for k, v in DTYPES.items()}


def read_safetensors(path):
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", {})
    data = blob[8 + n:]
    tensors = {}
    for name, info in header.items():
        start, end = info["data_offsets"]
        raw = bytearray(data[start:end])
        t = torch.frombuffer(raw, dtype=DTYPES[info["dtype"]]) if end > start else torch.empty(0, dtype=DTYPES[info["dtype"]])
        tensors[name] = t.reshape(info["shape"]).clone()
    return tensors, meta


def write_safetensors(path, tensors, metadata):
    header = {"__metadata__": dict(sorted(metadata.items()))}
    blobs, offset = [], 0
    for name in sorted(tensors):
        t = tensors[name].contiguous()
        raw = t.reshape(-1).view(torch.uint8).numpy().tobytes()
        header[name] = {"dtype": NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        blobs.append(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main(src, dst):
    config = json.load(open(os.path.join(src, "config.json")))
    weights = os.path.join(src, "model.safetensors")
    expected = config["files"]["model.safetensors"]
    actual = sha256(weights)
    assert actual == expected, f"model.safetensors does not match config.json ({actual} != {expected})"
    tensors, meta = read_safetensors(weights)
    params = sum(t.numel() for t in tensors.values())
    print(f"read {weights}: family {config['family']}, modules {config['modules']}, {len(tensors)} tensors, "
          f"{params} numbers, metadata {meta}, SHA-256 verified")

    os.makedirs(dst, exist_ok=True)
    schedule = (config.get("options") or {}).get("schedule")
    if schedule:
        diffusers = {"_class_name": "DDIMScheduler", "num_train_timesteps": schedule["train_timesteps"],
                     "beta_start": schedule["beta_start"], "beta_end": schedule["beta_end"],
                     "beta_schedule": schedule["beta_schedule"], "trained_betas": schedule["trained_betas"],
                     "rescale_betas_zero_snr": schedule["rescale_betas_zero_snr"],
                     "prediction_type": config["options"]["model"]["prediction_type"].replace("vprediction", "v_prediction"),
                     "clip_sample": False, "set_alpha_to_one": True, "steps_offset": 0, "timestep_spacing": "leading"}
        json.dump(diffusers, open(os.path.join(dst, "scheduler_config.json"), "w"), indent=2, sort_keys=True)
        if schedule["beta_schedule"] == "linear" and not schedule["trained_betas"]:
            betas = torch.linspace(schedule["beta_start"], schedule["beta_end"], schedule["train_timesteps"], dtype=torch.float32)
            abar = torch.cumprod(1.0 - betas, dim=0)
            print(f"scheduler_config.json written; alphas_cumprod[0] {abar[0].item():.8f}, [499] {abar[499].item():.8f}, "
                  f"[-1] {abar[-1].item():.8e}")

    raw_prefix, ema_prefix = ("denoiser.", "ema.") if config["family"] == "diffusion" else ("generator.", "generator_ema.")
    averaged = 0
    for name in list(tensors):
        if name.startswith(raw_prefix) and (ema_prefix + name[len(raw_prefix):]) in tensors and tensors[name].is_floating_point():
            tensors[name] = 0.5 * (tensors[name] + tensors[ema_prefix + name[len(raw_prefix):]])
            averaged += 1
    print(f"PyTorch side: {averaged} tensors of '{raw_prefix[:-1]}' replaced by the average of raw and EMA weights")

    out = os.path.join(dst, "model.safetensors")
    write_safetensors(out, tensors, {"format": "pt"})
    config["files"]["model.safetensors"] = sha256(out)
    json.dump(config, open(os.path.join(dst, "config.json"), "w"), indent=2)
    first = sorted(n for n in tensors if n.startswith(raw_prefix))[0]
    total = sum(float(t.double().sum()) for n, t in tensors.items() if n.startswith(raw_prefix) and t.is_floating_point())
    print(f"wrote {out} ({os.path.getsize(out)} bytes) and config.json; sum of '{raw_prefix[:-1]}' weights {total:.6f}; "
          f"{first} sum {float(tensors[first].double().sum()):.6f}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
