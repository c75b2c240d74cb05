#!/usr/bin/env python3
"""Moves a Generative checkpoint to PyTorch and back with the repository's PyTorch package (docs/scaling.md).

  /usr/bin/python3 docs/scripts/roundtrip.py IN_DIR OUT_DIR

IN_DIR is a model directory written by DiffusionModel.Save / GanModel.Save (config.json + model.safetensors).
The script, using python/generative_torch (Debian's python3-torch is enough; the safetensors format is read and
written by hand there),
  1. checks model.safetensors against the SHA-256 that config.json records and reads every tensor;
  2. writes the diffusers scheduler config the checkpoint's schedule corresponds to (OUT_DIR/scheduler_config.json,
     loadable with diffusers' DDIMScheduler.from_config) and recomputes alphas_cumprod as the library does;
  3. builds the raw and EMA networks as torch.nn.Modules (strict state dicts) and, a small stand-in for work done in
     PyTorch, replaces the raw network's weights by the average of the raw and EMA weights (checkpoint averaging);
  4. writes OUT_DIR/model.safetensors and OUT_DIR/config.json with the new SHA-256, which DiffusionModel.Load /
     GanModel.Load read.
For real training in PyTorch, see python/train_ddp.py (torchrun, DistributedDataParallel).
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
import generative_torch as gt  # noqa: E402


def main(src, dst):
    ckpt = gt.load(src)
    params = sum(t.numel() for t in ckpt.tensors.values())
    print(f"read {os.path.join(src, gt.checkpoint.WEIGHTS)}: family {ckpt.family}, modules {ckpt.modules}, "
          f"{len(ckpt.tensors)} tensors, {params} numbers, metadata {ckpt.metadata}, SHA-256 verified")

    os.makedirs(dst, exist_ok=True)
    schedule_options = ckpt.options.get("schedule")
    if schedule_options:
        schedule = gt.NoiseSchedule(schedule_options)
        prediction = (ckpt.options.get("model") or {}).get("prediction_type", "epsilon")
        with open(os.path.join(dst, "scheduler_config.json"), "w") as f:
            json.dump(schedule.to_diffusers(prediction), f, indent=2, sort_keys=True)
        abar = schedule.alphas_cumprod
        print(f"scheduler_config.json written; alphas_cumprod[0] {abar[0].item():.8f}, [499] {abar[499].item():.8f}, "
              f"[-1] {abar[-1].item():.8e}")

    raw_name, ema_name = ("denoiser", "ema") if ckpt.family == "diffusion" else ("generator", "generator_ema")
    raw = ckpt.module(raw_name)
    tensors = dict(ckpt.tensors)
    averaged = 0
    if ema_name in ckpt.modules:
        ema = ckpt.module(ema_name)
        with torch.no_grad():
            for p, q in zip(raw.parameters(), ema.parameters()):
                p.copy_(0.5 * (p + q))
                averaged += 1
        for key, value in raw.state_dict().items():
            tensors[f"{raw_name}.{key}"] = value
    print(f"PyTorch side: {averaged} tensors of '{raw_name}' replaced by the average of raw and EMA weights")

    config = gt.checkpoint.save_tensors_with_config(dst, ckpt.config, tensors)
    out = os.path.join(dst, gt.checkpoint.WEIGHTS)
    first = sorted(n for n in tensors if n.startswith(raw_name + "."))[0]
    total = sum(float(t.double().sum()) for n, t in tensors.items() if n.startswith(raw_name + ".") and t.is_floating_point())
    print(f"wrote {out} ({os.path.getsize(out)} bytes) and config.json (SHA-256 {config['files'][gt.checkpoint.WEIGHTS][:12]}…); "
          f"sum of '{raw_name}' weights {total:.6f}; {first} sum {float(tensors[first].double().sum()):.6f}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
