#!/usr/bin/python3
"""PyTorch counterparts of tests/Generative.Benchmarks (run by hand; see ../README.md).

Mirrors, layer for layer, the 2-D diffusion MLP (MlpDenoiser: width 96, depth 3, 128-d sinusoidal time embedding)
and the WGAN-GP MLPs (MlpGenerator/MlpCritic, 3 x 64, 64-d latent), with the same hand-written training steps as the
C# baselines (batch 256, Adam, EMA 0.999), and the per-operation micro-benchmarks (10,000 tiny `a + b` on 2x2 tensors,
a 2048^2 fp32 matmul). Prints the median ms per step over several timed rounds. One libtorch thread unless --threads.

Debian's python3-torch (1.13) uses a generic BLAS: compare its per-operation overhead with TorchSharp's, not its
matmul-bound figures.
"""
import argparse
import math
import statistics
import time

import torch
from torch import nn
import torch.nn.functional as F


class SinusoidalTimestepEmbedding(nn.Module):
    def __init__(self, dim, max_period=10_000.0):
        super().__init__()
        self.dim = dim
        self.log_max_period = math.log(max_period)

    def forward(self, t):
        half = self.dim // 2
        freqs = torch.exp(torch.arange(half, dtype=torch.float32) * (-self.log_max_period / half))
        angles = t.float().unsqueeze(1) * freqs.unsqueeze(0)
        return torch.cat([angles.cos(), angles.sin()], 1)


class MlpResidualBlock(nn.Module):
    def __init__(self, w):
        super().__init__()
        self.norm = nn.LayerNorm(w)
        self.fc1 = nn.Linear(w, w)
        self.emb_proj = nn.Linear(w, w)
        self.fc2 = nn.Linear(w, w)

    def forward(self, h, emb):
        z = self.fc1(F.silu(self.norm(h))) + self.emb_proj(F.silu(emb))
        return h + self.fc2(F.silu(z))


class MlpDenoiser(nn.Module):
    def __init__(self, features=2, width=96, depth=3, time_dim=128):
        super().__init__()
        self.input = nn.Linear(features, width)
        self.time_embedding = SinusoidalTimestepEmbedding(time_dim)
        self.time_mlp = nn.Sequential(nn.Linear(time_dim, width), nn.SiLU(), nn.Linear(width, width))
        self.blocks = nn.ModuleList([MlpResidualBlock(width) for _ in range(depth)])
        self.output_norm = nn.LayerNorm(width)
        self.output = nn.Linear(width, features)
        nn.init.zeros_(self.output.weight)
        nn.init.zeros_(self.output.bias)

    def forward(self, x, t):
        emb = self.time_mlp(self.time_embedding(t))
        h = self.input(x)
        for block in self.blocks:
            h = block(h, emb)
        return self.output(F.silu(self.output_norm(h)))


def mlp(sizes, activation):
    layers = []
    for i in range(len(sizes) - 2):
        layers += [nn.Linear(sizes[i], sizes[i + 1]), activation()]
    layers.append(nn.Linear(sizes[-2], sizes[-1]))
    return nn.Sequential(*layers)


def points(n=4096, seed=7):
    g = torch.Generator().manual_seed(seed)
    angle = torch.randint(0, 8, (n,), generator=g).float() * (math.pi / 4)
    centres = torch.stack([angle.cos(), angle.sin()], 1) * 2
    return centres + torch.randn(n, 2, generator=g) * 0.05


class Batches:
    def __init__(self, data, batch, g):
        self.data, self.batch, self.g = data, batch, g
        self.perm, self.pos = None, 0

    def next(self):
        n = self.data.shape[0]
        if self.perm is None or self.pos + self.batch > n:
            self.perm, self.pos = torch.randperm(n, generator=self.g), 0
        idx = self.perm[self.pos:self.pos + self.batch]
        self.pos += self.batch
        return self.data.index_select(0, idx)


class Ema:
    def __init__(self, module, decay):
        self.pairs = [(p.detach().clone(), p) for p in module.parameters()]
        self.decay, self.updates = decay, 0

    @torch.no_grad()
    def update(self):
        d = min(self.decay, (1 + self.updates) / (10 + self.updates))
        w = torch.tensor(1 - d)
        for shadow, p in self.pairs:
            shadow.lerp_(p, w)
        self.updates += 1


def time_steps(step, steps_per_round, rounds, warmup=2):
    times = []
    for r in range(warmup + rounds):
        start = time.perf_counter()
        for _ in range(steps_per_round):
            step()
        if r >= warmup:
            times.append((time.perf_counter() - start) * 1000 / steps_per_round)
    return statistics.median(times)


def diffusion_step_benchmark(rounds):
    torch.manual_seed(1)
    net = MlpDenoiser()
    adam = torch.optim.Adam(net.parameters(), lr=1e-3)
    ema = Ema(net, 0.999)
    g = torch.Generator().manual_seed(0)
    batches = Batches(points(), 256, g)
    betas = torch.linspace(1e-4, 0.02, 1000, dtype=torch.float64)
    alpha_bar = torch.cumprod(1 - betas, 0)
    sqrt_ab, sqrt_1m = alpha_bar.sqrt().float(), (1 - alpha_bar).sqrt().float()

    def step():
        x0 = batches.next()
        n = x0.shape[0]
        t = torch.randint(0, 1000, (n,), generator=g)
        noise = torch.randn(x0.shape, generator=g)
        xt = sqrt_ab.index_select(0, t).view(n, 1) * x0 + sqrt_1m.index_select(0, t).view(n, 1) * noise
        loss = F.mse_loss(net(xt, t), noise)
        adam.zero_grad()
        loss.backward()
        adam.step()
        ema.update()
        return loss.item()

    return time_steps(step, 16, rounds)


def wgan_gp_benchmarks(rounds):
    torch.manual_seed(1)
    gen = mlp([64, 64, 64, 64, 2], nn.ReLU)
    critic = mlp([2, 64, 64, 64, 1], lambda: nn.LeakyReLU(0.2))
    ema_gen = mlp([64, 64, 64, 64, 2], nn.ReLU)
    for p in ema_gen.parameters():
        p.requires_grad_(False)
    critic_adam = torch.optim.Adam(critic.parameters(), lr=1e-4, betas=(0.5, 0.9))
    gen_adam = torch.optim.Adam(gen.parameters(), lr=1e-4, betas=(0.5, 0.9))
    g = torch.Generator().manual_seed(0)
    batches = Batches(points(), 256, g)

    def critic_step():
        real = batches.next()
        n = real.shape[0]
        with torch.no_grad():
            fake = gen(torch.randn(n, 64, generator=g))
        adversarial = critic(fake).squeeze(1).mean() - critic(real).squeeze(1).mean()
        eps = torch.rand(n, 1, generator=g)
        interpolates = fake.lerp(real, eps).requires_grad_(True)
        scores = critic(interpolates).squeeze(1)
        grads = torch.autograd.grad([scores], [interpolates], [torch.ones_like(scores)], retain_graph=True, create_graph=True)[0]
        penalty = ((grads.norm(dim=1) - 1) ** 2).mean() * 10
        loss = adversarial + penalty
        critic_adam.zero_grad()
        loss.backward()
        critic_adam.step()
        return loss.item()

    def generator_step():
        for p in critic.parameters():
            p.requires_grad_(False)
        loss = -critic(gen(torch.randn(256, 64, generator=g))).squeeze(1).mean()
        gen_adam.zero_grad()
        loss.backward()
        gen_adam.step()
        for p in critic.parameters():
            p.requires_grad_(True)
        with torch.no_grad():
            for a, s in zip(ema_gen.parameters(), gen.parameters()):
                a.mul_(0.999).add_(s, alpha=1 - 0.999)
        return loss.item()

    def both():
        critic_step()
        generator_step()

    return time_steps(critic_step, 8, rounds), time_steps(both, 8, rounds)


def overhead_benchmarks(rounds):
    a, b = torch.randn(2, 2), torch.randn(2, 2)

    def tiny():
        for _ in range(10_000):
            c = a + b  # noqa: F841

    tiny_us = time_steps(tiny, 1, rounds) * 1000 / 10_000
    m1, m2 = torch.randn(2048, 2048), torch.randn(2048, 2048)
    matmul_ms = time_steps(lambda: m1 @ m2, 1, max(3, rounds // 3), warmup=1)
    return tiny_us, 2 * 2048 ** 3 / (matmul_ms / 1000) / 1e9, matmul_ms


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    with open("/proc/loadavg") as f:
        load = f.read().split()[0]
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, load average {load}, median of {args.rounds} rounds")
    print(f"diffusion 2-D MLP step (batch 256, Adam, EMA): {diffusion_step_benchmark(args.rounds):8.2f} ms/step")
    critic, both = wgan_gp_benchmarks(args.rounds)
    print(f"WGAN-GP critic step:                          {critic:8.2f} ms/step")
    print(f"WGAN-GP critic + generator step:              {both:8.2f} ms/step (generator ~ {both - critic:.2f} ms)")
    tiny_us, gflops, matmul_ms = overhead_benchmarks(args.rounds)
    print(f"tiny op a + b on 2x2:                         {tiny_us:8.2f} us/op")
    print(f"matmul 2048^2 fp32:                           {matmul_ms:8.1f} ms = {gflops:.1f} GFLOP/s")


if __name__ == "__main__":
    main()
