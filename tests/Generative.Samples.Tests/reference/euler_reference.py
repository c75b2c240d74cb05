"""Reference numbers for EulerSamplerTests (samples/Generative.CustomSampler/EulerSampler.cs).

An independent float64 re-implementation of the Euler step of Karras et al. 2022 (Algorithm 1 without the Heun
correction) on a variance-preserving schedule, as diffusers' EulerDiscreteScheduler uses it (sigmas
sqrt((1 - abar)/abar), model input x / sqrt(sigma^2 + 1), initial noise * sqrt(sigma_max^2 + 1)), with the timesteps
linspace(0, T - 1, n) reversed and rounded (our sampler uses integer timesteps, diffusers interpolates sigma at
fractional ones; they agree whenever the linspace values are integers, e.g. T = 1000, n = 10).

Dummy model as in diffusers' scheduler tests: output = model_input * t / (t + 1).
Run: /usr/bin/python3 euler_reference.py
"""
import torch

torch.set_default_dtype(torch.float64)
T = 1000
betas = torch.linspace(0.0001, 0.02, T, dtype=torch.float32).double()  # diffusers' linear schedule (float32 betas)
abar = torch.cumprod(1 - betas, 0)


def run(n, x):
    ts = [round((T - 1) * (1 - i / (n - 1))) for i in range(n)] if n > 1 else [T - 1]
    sig = [((1 - abar[t]) / abar[t]).sqrt().item() for t in ts] + [0.0]
    x = x * (sig[0] ** 2 + 1) ** 0.5
    for i, t in enumerate(ts):
        inp = x / (sig[i] ** 2 + 1) ** 0.5
        eps = inp * t / (t + 1)
        den = x - sig[i] * eps
        x = x + (x - den) / sig[i] * (sig[i + 1] - sig[i])
    return ts, sig, x


x0 = torch.arange(8, dtype=torch.float64).reshape(2, 4) / 8 - 0.4
for n in (10, 7):
    ts, sig, x = run(n, x0)
    print("n", n, "timesteps", ts)
    print("init_noise_sigma %.6f" % ((sig[0] ** 2 + 1) ** 0.5))
    print("final", ["%.6f" % v for v in x.flatten().tolist()])
    print("sum %.6f mean_abs %.6f" % (x.sum().item(), x.abs().mean().item()))
