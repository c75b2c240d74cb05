#!/usr/bin/python3
"""For the C# forward-equality tests (tests/Generative.Tests/Interop/ForwardEqualityTests.cs).

  /usr/bin/python3 python/tests/forward_outputs.py ROOT

Every subfolder of ROOT holds a checkpoint (config.json + model.safetensors) saved by the library, ``case.json``
(``{"module": "denoiser" | "generator" | "critic", "train": false}``) and ``inputs.safetensors`` (``x``, and ``t`` for
a denoiser, ``labels`` when conditional). The network is loaded with generative_torch (strict state dict), run on
the inputs in the case's mode, and its output is written to ``outputs.safetensors`` (``y``).
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import generative_torch as gt  # noqa: E402


def run(case_dir):
    with open(os.path.join(case_dir, "case.json")) as f:
        case = json.load(f)
    net = gt.load(case_dir).module(case["module"])
    net.train(case.get("train", False))
    inputs, _ = gt.safetensors.load(os.path.join(case_dir, "inputs.safetensors"))
    args = [inputs["x"]]
    if "t" in inputs:
        args.append(inputs["t"])
    if "labels" in inputs:
        args.append(inputs["labels"])
    with torch.no_grad():
        y = net(*args)
    gt.safetensors.save(os.path.join(case_dir, "outputs.safetensors"), {"y": y})
    return case_dir


if __name__ == "__main__":
    root = sys.argv[1]
    for name in sorted(os.listdir(root)):
        print(run(os.path.join(root, name)))
