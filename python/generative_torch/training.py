"""The library's training rules in PyTorch: the diffusion loss (DiffusionTrainingStep), the EMA with warm-up
(ExponentialMovingAverage / GeneratorAverage) and the GAN losses and gradient penalty (GanTrainingStep).
"""
import copy

import torch
import torch.nn.functional as F


class ExponentialMovingAverage:
    """shadow ← shadow + (1 − d_k)(param − shadow), d_k = min(decay, (1 + k)/(10 + k)) with warm-up (k = updates so far),
    else d_k = decay; floating-point parameters are averaged, buffers copied. The shadow starts as a copy of the source."""

    def __init__(self, source, decay=0.999, warmup=True):
        self.source, self.decay, self.warmup, self.updates = source, decay, warmup, 0
        self.shadow = copy.deepcopy(source).eval()
        for p in self.shadow.parameters():
            p.requires_grad_(False)

    def current_decay(self):
        return min(self.decay, (1.0 + self.updates) / (10.0 + self.updates)) if self.warmup else self.decay

    @torch.no_grad()
    def update(self):
        weight = 1.0 - self.current_decay()
        shadow = dict(self.shadow.named_parameters())
        for name, p in self.source.named_parameters():
            if p.is_floating_point():
                shadow[name].lerp_(p.detach(), weight)
            else:
                shadow[name].copy_(p)
        shadow_buffers = dict(self.shadow.named_buffers())
        for name, b in self.source.named_buffers():
            shadow_buffers[name].copy_(b)
        self.updates += 1


def diffusion_loss(denoiser, schedule, x0, generator, objective="epsilon", weighting="uniform", min_snr_gamma=5.0,
                   labels=None, class_dropout=0.1, class_count=0):
    """DiffusionTrainingStep.Loss: t ~ U{0..T−1}, ε ~ N(0, I), x_t = √ᾱ·x0 + √(1−ᾱ)·ε; the target is ε, x0 or v by
    ``objective``; mean squared error over every element (uniform) or per sample weighted by min-SNR-γ."""
    n = x0.shape[0]
    t = torch.randint(0, schedule.train_timesteps, (n,), generator=generator, device=generator.device).to(x0.device)
    noise = torch.randn(x0.shape, generator=generator, device=generator.device, dtype=x0.dtype).to(x0.device)
    noisy = schedule.add_noise(x0, noise, t)
    conditioning = None
    if class_count > 0 and labels is not None:
        conditioning = labels.to(x0.device).long()
        if class_dropout > 0:
            drop = torch.rand((n,), generator=generator, device=generator.device).to(x0.device) < class_dropout
            conditioning = torch.where(drop, torch.full_like(conditioning, class_count), conditioning)
    prediction = denoiser(noisy, t, conditioning) if conditioning is not None else denoiser(noisy, t)
    target = {"epsilon": noise, "sample": x0}.get(objective)
    if target is None:
        target = schedule.velocity(x0, noise, t)
    squared = (prediction - target).square()
    if weighting == "uniform":
        return squared.mean()
    per_sample = squared.flatten(1).mean(1)
    snr = schedule.snr.to(x0.device).index_select(0, t).to(per_sample.dtype)
    clipped = snr.clamp_max(min_snr_gamma)
    if objective == "epsilon":
        weight = torch.where(snr > 0, clipped / snr, torch.ones_like(snr))
    elif objective == "sample":
        weight = clipped
    else:
        weight = clipped / (snr + 1)
    return (per_sample * weight).mean()


def critic_loss(kind, real_scores, fake_scores):
    """Wasserstein: E[D(fake)] − E[D(real)]; hinge: E[relu(1 − D(real))] + E[relu(1 + D(fake))];
    non-saturating: E[softplus(−D(real))] + E[softplus(D(fake))]."""
    if kind == "wasserstein":
        return fake_scores.mean() - real_scores.mean()
    if kind == "hinge":
        return F.relu(1 - real_scores).mean() + F.relu(1 + fake_scores).mean()
    if kind == "nonsaturating":
        return F.softplus(-real_scores).mean() + F.softplus(fake_scores).mean()
    raise ValueError(f"Unknown GAN loss '{kind}'; expected wasserstein, hinge or nonsaturating.")


def generator_loss(kind, fake_scores):
    """Wasserstein and hinge: −E[D(G(z))]; non-saturating: E[softplus(−D(G(z)))]."""
    if kind in ("wasserstein", "hinge"):
        return -fake_scores.mean()
    if kind == "nonsaturating":
        return F.softplus(-fake_scores).mean()
    raise ValueError(f"Unknown GAN loss '{kind}'; expected wasserstein, hinge or nonsaturating.")


def gradient_penalty(critic, real, fake, generator, weight=10.0, labels=None):
    """λ·E[(‖∇D(x̂)‖₂ − 1)²] at x̂ = ε·real + (1 − ε)·fake, ε ~ U(0, 1) per sample (GradientPenalty)."""
    eps = torch.rand([real.shape[0]] + [1] * (real.dim() - 1), generator=generator, device=generator.device, dtype=real.dtype).to(real.device)
    points = (eps * real.detach() + (1 - eps) * fake.detach()).requires_grad_(True)
    scores = critic(points, labels) if labels is not None else critic(points)
    grads = torch.autograd.grad([scores], [points], [torch.ones_like(scores)], retain_graph=True, create_graph=True)[0]
    return ((grads.flatten(1).norm(2, dim=1) - 1) ** 2).mean() * weight
