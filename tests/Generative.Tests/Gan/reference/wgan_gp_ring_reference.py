"""Plain PyTorch WGAN-GP on the 8-Gaussian ring (sigma 0.01, unit circle), mirroring GanTrainingStep, used to choose
the settings of GanTrainingTests.WganGpReachesAllEightModesOfTheRing and to check that our step behaves like PyTorch's.
Usage: OMP_NUM_THREADS=1 /usr/bin/python3 wgan_gp_ring_reference.py [width] [lr] [batch] [critic_steps] [ema]"""
import math, sys, time, copy
import torch
from torch import nn

width = int(sys.argv[1]) if len(sys.argv) > 1 else 128
lr = float(sys.argv[2]) if len(sys.argv) > 2 else 2e-4
batch = int(sys.argv[3]) if len(sys.argv) > 3 else 256
steps = int(sys.argv[4]) if len(sys.argv) > 4 else 3000
ema_decay = float(sys.argv[5]) if len(sys.argv) > 5 else 0.0
torch.manual_seed(1)
sigma = 0.01
angles = torch.arange(8, dtype=torch.float32) * (2 * math.pi / 8)
centers = torch.stack([angles.cos(), angles.sin()], 1)


def data(n):
    return centers[torch.randint(0, 8, (n,))] + sigma * torch.randn(n, 2)


def mlp(i, o, act):
    return nn.Sequential(nn.Linear(i, width), act(), nn.Linear(width, width), act(), nn.Linear(width, width), act(), nn.Linear(width, o))


G = mlp(8, 2, nn.ReLU)
D = mlp(2, 1, lambda: nn.LeakyReLU(0.2))
ema = copy.deepcopy(G)
og = torch.optim.Adam(G.parameters(), lr, betas=(0.5, 0.9))
od = torch.optim.Adam(D.parameters(), lr, betas=(0.5, 0.9))


def near(gen):
    with torch.no_grad():
        s = gen(torch.randn(2000, 8))
    return (torch.cdist(s, centers) <= 3 * sigma).sum(0).tolist()


t0 = time.time()
for step in range(steps):
    real = data(batch)
    with torch.no_grad():
        fake = G(torch.randn(batch, 8))
    eps = torch.rand(batch, 1)
    xhat = (eps * real + (1 - eps) * fake).requires_grad_(True)
    grad = torch.autograd.grad(D(xhat).sum(), xhat, create_graph=True)[0]
    gp = 10 * ((grad.norm(dim=1) - 1) ** 2).mean()
    loss = D(fake).mean() - D(real).mean() + gp
    od.zero_grad(); loss.backward(); od.step()
    if (step + 1) % 5 == 0:
        gl = -D(G(torch.randn(batch, 8))).mean()
        og.zero_grad(); gl.backward(); og.step()
        if ema_decay:
            with torch.no_grad():
                for a, p in zip(ema.parameters(), G.parameters()):
                    a.mul_(ema_decay).add_(p, alpha=1 - ema_decay)
    if (step + 1) % 500 == 0:
        print(f"step {step + 1} ({time.time() - t0:.1f}s) W~{-(loss - gp).item():.4f} near G {near(G)} EMA {near(ema) if ema_decay else ''}")
