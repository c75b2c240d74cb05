#!/usr/bin/python3
"""Trains a Generative model with PyTorch DistributedDataParallel and writes a checkpoint the library loads.

  torchrun --nproc_per_node=N train_ddp.py --from IN_DIR --to OUT_DIR --data DATA [--steps 300 --batch-size 128 ...]
  torchrun --nproc_per_node=N train_ddp.py --family diffusion --to OUT_DIR --data DATA   # from scratch

IN_DIR is a model directory of the library (DiffusionModel.Save / GanModel.Save, or a trainer checkpoint); training
continues from its raw network (``denoiser`` / ``generator``, and a GAN's ``critic`` when the directory has one) with
the same rules as the library: the diffusion loss of DiffusionTrainingStep (objective, schedule and min-SNR weighting
from the checkpoint), Adam, an EMA with the library's warm-up started from the raw network, the WGAN-GP (or hinge /
non-saturating) GAN step with n critic steps per generator step. DATA is a .safetensors file (tensor ``samples``
[N, ...] and optionally ``labels`` [N]) or a CSV of numbers with a header row, in the data's original units: it is
standardised with the checkpoint's ``dataStandardization`` (fitted here when training from scratch), and the same
standardisation is written to OUT_DIR.

Each process draws its own batches (a shared permutation per epoch, split between ranks, as DistributedSampler does), so
the effective batch is N × --batch-size; DDP averages the gradients. Backend: NCCL when CUDA is available, else gloo.
Rank 0 writes OUT_DIR and prints one JSON line of figures (loss before/after, steps/s per process, seconds).
"""
import argparse
import csv
import json
import math
import os
import sys
import time

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generative_torch as gt  # noqa: E402
from generative_torch import training  # noqa: E402

DEFAULT_SCHEDULE = {"train_timesteps": 1000, "beta_start": 0.0001, "beta_end": 0.02, "beta_schedule": "linear",
                    "trained_betas": None, "rescale_betas_zero_snr": False}


def parse(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--from", dest="source", help="checkpoint directory to continue from (omit to start from scratch)")
    p.add_argument("--to", required=True, help="checkpoint directory to write")
    p.add_argument("--data", required=True, help=".safetensors (samples[, labels]) or .csv, in original units")
    p.add_argument("--family", choices=["diffusion", "gan"], help="from scratch: what to train (else the checkpoint's)")
    p.add_argument("--steps", type=int, default=300, help="optimiser steps per process (GAN: critic steps)")
    p.add_argument("--batch-size", type=int, default=128, help="samples per process per step")
    p.add_argument("--lr", type=float, help="learning rate (default: the library's, 1e-3 diffusion, 1e-4 WGAN-GP)")
    p.add_argument("--ema-decay", type=float, default=0.999, help="EMA decay (warm-up min(d, (1+k)/(10+k)))")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1, help="torch threads per process")
    # from scratch: the architecture
    p.add_argument("--width", type=int, default=128, help="from scratch: MLP denoiser width / GAN hidden width")
    p.add_argument("--depth", type=int, default=3, help="from scratch: MLP denoiser depth / GAN hidden layers")
    p.add_argument("--latent", type=int, default=16, help="from scratch: GAN latent dimension")
    p.add_argument("--objective", default="epsilon", choices=["epsilon", "sample", "v_prediction"], help="from scratch")
    # GAN step
    p.add_argument("--gan-loss", default="wasserstein", choices=["wasserstein", "hinge", "nonsaturating"])
    p.add_argument("--critic-steps", type=int, help="critic steps per generator step (default: 5 for wasserstein, else 1)")
    p.add_argument("--gp-weight", type=float, help="gradient penalty λ (default: 10 for wasserstein, else 0; the R1 "
                   "penalty of the library's non-saturating preset is not implemented here)")
    args = p.parse_args(argv)
    wgan = args.gan_loss == "wasserstein"
    args.critic_steps = args.critic_steps or (5 if wgan else 1)
    args.gp_weight = (10.0 if wgan else 0.0) if args.gp_weight is None else args.gp_weight
    return args


def read_data(path):
    if path.endswith(".safetensors"):
        tensors, _ = gt.safetensors.load(path)
        return tensors["samples"].float(), tensors.get("labels")
    with open(path) as f:
        rows = list(csv.reader(f))
    return torch.tensor([[float(v) for v in r] for r in rows[1:] if r], dtype=torch.float32), None


class Batches:
    """A shared permutation per epoch (seeded by seed + epoch), each rank taking every world-th index of it."""

    def __init__(self, data, labels, batch, seed, rank, world):
        self.data, self.labels, self.batch, self.seed, self.rank, self.world = data, labels, batch, seed, rank, world
        self.epoch, self.indices, self.pos = 0, None, 0

    def next(self):
        if self.indices is None or self.pos + self.batch > self.indices.numel():
            g = torch.Generator().manual_seed(self.seed + self.epoch)
            self.indices = torch.randperm(self.data.shape[0], generator=g)[self.rank::self.world]
            self.epoch, self.pos = self.epoch + 1, 0
            if self.indices.numel() < self.batch:
                raise ValueError(f"{self.data.shape[0]} samples over {self.world} processes give {self.indices.numel()} "
                                 f"per process, fewer than the batch size {self.batch}.")
        idx = self.indices[self.pos:self.pos + self.batch]
        self.pos += self.batch
        return self.data.index_select(0, idx), None if self.labels is None else self.labels.index_select(0, idx)


def main(argv=None):
    args = parse(argv)
    torch.set_num_threads(args.threads)
    cuda = torch.cuda.is_available()
    dist.init_process_group("nccl" if cuda else "gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    local = int(os.environ.get("LOCAL_RANK", 0))
    device = torch.device("cuda", local) if cuda else torch.device("cpu")
    if cuda:
        torch.cuda.set_device(device)

    source = gt.load(args.source) if args.source else None
    family = source.family if source else (args.family or "diffusion")
    raw, labels = read_data(args.data)
    standardization = (source.standardization if source else None) or (gt.Standardization.fit(raw) if raw.dim() == 2 else None)
    data = standardization.standardize(raw) if standardization else raw
    batches = Batches(data, labels, args.batch_size, args.seed, rank, world)
    g = torch.Generator(device=device).manual_seed(args.seed * 1000 + rank)  # per-rank noise

    start = time.perf_counter()
    if family == "diffusion":
        result = train_diffusion(args, source, data, batches, g, device, rank)
    else:
        result = train_gan(args, source, data, batches, g, device, rank)
    elapsed = time.perf_counter() - start

    identical = replicas_identical(result["modules"]["generator" if family == "gan" else "denoiser"], world)
    if rank == 0:
        modules, options = result["modules"], result["options"]
        gt.save(args.to, family, {k: m.cpu() for k, m in modules.items()}, options, standardization)
        figures = {"family": family, "processes": world, "backend": dist.get_backend(), "steps": args.steps,
                   "batch_per_process": args.batch_size, "seconds": round(elapsed, 3),
                   "steps_per_second_per_process": round(args.steps / elapsed, 2),
                   "loss_first": result["loss_first"], "loss_last": result["loss_last"],
                   "replicas_identical": identical, "to": os.path.abspath(args.to)}
        print(json.dumps(figures), flush=True)
    dist.barrier()
    dist.destroy_process_group()


def replicas_identical(module, world):
    """Whether every process ends with the same weights (DDP kept the replicas in step): a checksum per process."""
    with torch.no_grad():
        checksum = torch.stack([p.double().sum() for p in module.parameters()])
    gathered = [torch.zeros_like(checksum) for _ in range(world)]
    dist.all_gather(gathered, checksum)
    return all(torch.equal(gathered[0], c) for c in gathered[1:])


def _mean(values):
    return round(sum(values) / max(1, len(values)), 6)


def train_diffusion(args, source, data, batches, g, device, rank):
    if source:
        options = json.loads(json.dumps(source.options))
        denoiser = source.module("denoiser")
    else:
        network = {"type": "mlp", "features": data.shape[1],
                   "options": {"width": args.width, "depth": args.depth, "time_embedding_dimension": 128,
                               "class_count": 0, "learn_variance": False}}
        options = {"network": network, "schedule": dict(DEFAULT_SCHEDULE), "model": None, "ema": True}
        torch.manual_seed(args.seed)
        denoiser = gt.build_denoiser(network)
    schedule = gt.NoiseSchedule(options.get("schedule"))
    training_options = options.get("training") or {}
    model_options = options.get("model") or {}
    objective = (model_options.get("prediction_type") or training_options.get("objective") or args.objective)
    objective = {"vprediction": "v_prediction"}.get(objective, objective)
    weighting = training_options.get("weighting", "uniform")
    gamma = training_options.get("min_snr_gamma", 5.0)
    class_count = getattr(denoiser, "class_count", 0)
    denoiser = denoiser.to(device).train()
    ddp = DDP(denoiser, device_ids=[device.index] if device.type == "cuda" else None)
    optimizer = torch.optim.Adam(ddp.parameters(), lr=args.lr or training_options.get("learning_rate", 1e-3))
    ema = training.ExponentialMovingAverage(denoiser, args.ema_decay, warmup=True)
    losses = []
    for _ in range(args.steps):
        x0, y = batches.next()
        loss = training.diffusion_loss(ddp, schedule, x0.to(device), g, objective, weighting, gamma,
                                       labels=y, class_count=class_count)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        ema.update()
        losses.append(loss.item())
    if options.get("model") is None:
        options["model"] = {"prediction_type": objective}  # the library writes PredictionType.VPrediction as "v_prediction"
    options["ema"] = True
    window = max(1, min(20, args.steps // 5))
    return {"modules": {"denoiser": denoiser, "ema": ema.shadow}, "options": options,
            "loss_first": _mean(losses[:window]), "loss_last": _mean(losses[-window:])}


def train_gan(args, source, data, batches, g, device, rank):
    if source:
        options = json.loads(json.dumps(source.options))
        generator = source.module("generator") if "generator" in source.modules else source.module("generator_ema")
        critic = source.module("critic") if "critic" in source.modules else None
    else:
        options = {"generator": "mlp", "sampleShape": list(data.shape[1:]), "latentDimension": args.latent,
                   "hiddenWidth": args.width, "hiddenLayers": args.depth, "classCount": 0, "classEmbeddingDimension": 16}
        torch.manual_seed(args.seed)
        generator = gt.build_generator(options)
        critic = None
    if critic is None:
        description = options.get("critic") or {"critic": "mlp", "sampleShape": list(generator.sample_shape),
                                                "hiddenWidth": args.width, "hiddenLayers": args.depth}
        torch.manual_seed(args.seed + 1)
        critic = gt.build_critic(description)
    options["critic"] = critic.config
    generator, critic = generator.to(device).train(), critic.to(device).train()
    ids = [device.index] if device.type == "cuda" else None
    ddp_g, ddp_c = DDP(generator, device_ids=ids), DDP(critic, device_ids=ids)
    lr = args.lr or (1e-4 if args.gan_loss == "wasserstein" else 2e-4)
    betas = (0.5, 0.9) if args.gan_loss == "wasserstein" else (0.5, 0.999)
    opt_c = torch.optim.Adam(ddp_c.parameters(), lr=lr, betas=betas)
    opt_g = torch.optim.Adam(ddp_g.parameters(), lr=lr, betas=betas)
    ema = training.ExponentialMovingAverage(generator, args.ema_decay, warmup=True)
    latent = generator.latent_dimension
    critic_losses, generator_losses = [], []
    for step in range(args.steps):
        real, _ = batches.next()
        real = real.to(device)
        n = real.shape[0]
        with torch.no_grad():
            fake = generator(torch.randn(n, latent, generator=g, device=device)).detach()
        loss = training.critic_loss(args.gan_loss, ddp_c(real), ddp_c(fake))
        if args.gp_weight > 0:
            # The penalty's double backward runs through the inner module; its parameter gradients are all-reduced with
            # the rest by the DDP hooks when loss.backward() accumulates them.
            loss = loss + training.gradient_penalty(critic, real, fake, g, args.gp_weight)
        opt_c.zero_grad(set_to_none=True)
        loss.backward()
        opt_c.step()
        critic_losses.append(loss.item())
        if (step + 1) % args.critic_steps == 0:
            for p in critic.parameters():
                p.requires_grad_(False)
            scores = critic(ddp_g(torch.randn(n, latent, generator=g, device=device)))
            g_loss = training.generator_loss(args.gan_loss, scores)
            opt_g.zero_grad(set_to_none=True)
            g_loss.backward()
            opt_g.step()
            for p in critic.parameters():
                p.requires_grad_(True)
            ema.update()
            generator_losses.append(g_loss.item())
    window = max(1, min(20, len(critic_losses) // 5))
    return {"modules": {"generator": generator, "generator_ema": ema.shadow, "critic": critic}, "options": options,
            "loss_first": _mean(critic_losses[:window]), "loss_last": _mean(critic_losses[-window:])}


if __name__ == "__main__":
    main()
