"""Reference numbers for the DDPM/DDIM sampler tests (DdpmSamplerTests, DdimSamplerTests, NoiseScheduleTests).

diffusers cannot be installed here, so this script re-implements the few formulas of diffusers'
`DDPMScheduler` / `DDIMScheduler` (huggingface/diffusers@58eb52c, src/diffusers/schedulers/scheduling_ddpm.py and
scheduling_ddim.py) in float32 torch, exactly as they compute them (0-d float32 tensors for the coefficients,
one `torch.randn(sample.shape, generator=g)` per step with noise). First it reproduces the numbers that diffusers'
own tests assert (tests/schedulers/test_scheduler_ddpm.py, test_scheduler_ddim.py), which checks this
re-implementation; then it writes the full result tensors of further cases to expected/<case>.txt (one float per
line, flattened), which the C# tests compare element-wise to 1e-4.

Run: /usr/bin/python3 scheduler_reference.py   (torch 1.13, CPU)
"""
import math
import os

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "expected")


def betas_for(T, beta_start=0.0001, beta_end=0.02, schedule="linear", rescale=False, trained=None):
    if trained is not None:
        betas = torch.tensor(trained, dtype=torch.float32)
    elif schedule == "linear":
        betas = torch.linspace(beta_start, beta_end, T, dtype=torch.float32)
    elif schedule == "scaled_linear":
        betas = torch.linspace(beta_start**0.5, beta_end**0.5, T, dtype=torch.float32) ** 2
    elif schedule == "squaredcos_cap_v2":
        f = lambda t: math.cos((t + 0.008) / 1.008 * math.pi / 2) ** 2
        betas = torch.tensor([min(1 - f((i + 1) / T) / f(i / T), 0.999) for i in range(T)], dtype=torch.float32)
    elif schedule == "sigmoid":
        betas = torch.sigmoid(torch.linspace(-6, 6, T)) * (beta_end - beta_start) + beta_start
    else:
        raise ValueError(schedule)
    if rescale:
        a = torch.cumprod(1.0 - betas, dim=0).sqrt()
        a0, aT = a[0].clone(), a[-1].clone()
        a -= aT
        a *= a0 / (a0 - aT)
        ab = a**2
        al = torch.cat([ab[0:1], ab[1:] / ab[:-1]])
        betas = 1 - al
    return betas


def timesteps_for(T, n, spacing="leading", offset=0):
    if spacing == "linspace":
        return np.linspace(0, T - 1, n).round()[::-1].copy().astype(np.int64)
    if spacing == "leading":
        r = T // n
        return (np.arange(0, n) * r).round()[::-1].copy().astype(np.int64) + offset
    r = T / n
    return np.round(np.arange(T, 0, -r)).astype(np.int64) - 1


def threshold(x, ratio, max_value):
    b, c, *rest = x.shape
    flat = x.reshape(b, c * int(np.prod(rest)))
    s = torch.quantile(flat.abs(), ratio, dim=1)
    s = torch.clamp(s, min=1, max=max_value).unsqueeze(1)
    return (torch.clamp(flat, -s, s) / s).reshape(b, c, *rest)


def to_x0(pred, sample, out, a_t, b_t):
    if pred == "epsilon":
        return (sample - b_t ** (0.5) * out) / a_t ** (0.5)
    if pred == "sample":
        return out
    return (a_t**0.5) * sample - (b_t**0.5) * out


def ddpm_step(ac, cfg, out, t, prev_t, sample, g):
    one = torch.tensor(1.0)
    vt = cfg.get("variance_type", "fixed_small")
    if out.shape[1] == sample.shape[1] * 2 and vt in ("learned", "learned_range"):
        out, pv = torch.split(out, sample.shape[1], dim=1)
    else:
        pv = None
    a_t = ac[t]
    a_prev = ac[prev_t] if prev_t >= 0 else one
    b_t = 1 - a_t
    b_prev = 1 - a_prev
    cur_a = a_t / a_prev
    cur_b = 1 - cur_a
    x0 = to_x0(cfg.get("prediction_type", "epsilon"), sample, out, a_t, b_t)
    if cfg.get("thresholding", False):
        x0 = threshold(x0, cfg.get("dynamic_thresholding_ratio", 0.995), cfg.get("sample_max_value", 1.0))
    elif cfg.get("clip_sample", True):
        r = cfg.get("clip_sample_range", 1.0)
        x0 = x0.clamp(-r, r)
    mean = (a_prev ** (0.5) * cur_b) / b_t * x0 + cur_a ** (0.5) * b_prev / b_t * sample
    if t > 0:
        noise = torch.randn(out.shape, generator=g, dtype=out.dtype)
        var = torch.clamp((1 - a_prev) / (1 - a_t) * cur_b, min=1e-20)
        if vt == "fixed_small":
            v = var ** 0.5 * noise
        elif vt == "fixed_small_log":
            v = torch.exp(0.5 * torch.log(var)) * noise
        elif vt == "fixed_large":
            v = cur_b ** 0.5 * noise
        elif vt == "fixed_large_log":
            v = torch.log(cur_b) ** 0.5 * noise
        elif vt == "learned":
            v = pv ** 0.5 * noise
        elif vt == "learned_range":
            frac = (pv + 1) / 2
            lv = frac * torch.log(cur_b) + (1 - frac) * torch.log(var)
            v = torch.exp(0.5 * lv) * noise
        mean = mean + v
    return mean


def ddim_step(ac, final, cfg, out, t, prev_t, sample, eta, g, use_clipped=False):
    a_t = ac[t]
    a_prev = ac[prev_t] if prev_t >= 0 else final
    b_t = 1 - a_t
    pred = cfg.get("prediction_type", "epsilon")
    if pred == "epsilon":
        x0 = (sample - b_t ** (0.5) * out) / a_t ** (0.5)
        eps = out
    elif pred == "sample":
        x0 = out
        eps = (sample - a_t ** (0.5) * x0) / b_t ** (0.5)
    else:
        x0 = (a_t**0.5) * sample - (b_t**0.5) * out
        eps = (a_t**0.5) * out + (b_t**0.5) * sample
    if cfg.get("thresholding", False):
        x0 = threshold(x0, cfg.get("dynamic_thresholding_ratio", 0.995), cfg.get("sample_max_value", 1.0))
    elif cfg.get("clip_sample", True):
        r = cfg.get("clip_sample_range", 1.0)
        x0 = x0.clamp(-r, r)
    var = ((1 - a_prev) / b_t) * (1 - a_t / a_prev)
    std = eta * var ** (0.5)
    if use_clipped:
        eps = (sample - a_t ** (0.5) * x0) / b_t ** (0.5)
    prev = a_prev ** (0.5) * x0 + (1 - a_prev - std**2) ** (0.5) * eps
    if eta > 0:
        prev = prev + std * torch.randn(out.shape, generator=g, dtype=out.dtype)
    return prev


def dummy_sample_deter():
    n = 4 * 3 * 8 * 8
    return (torch.arange(n).reshape(3, 8, 8, 4) / n).permute(3, 0, 1, 2)


def dummy_noise_deter():
    n = 4 * 3 * 8 * 8
    return (torch.arange(n).flip(-1).reshape(3, 8, 8, 4) / n).permute(3, 0, 1, 2)


def model(sample, t):
    return sample * t / (t + 1)


def sample_model(sample, t):
    """A stand-in x0-predicting model for prediction_type="sample" (the dummy model predicts 0 at t = 0)."""
    return sample * 1.6 - 0.3


def add_noise(ac, x0, noise, t):
    a = ac[t]
    return a**0.5 * x0 + (1 - a) ** 0.5 * noise


def ddpm_loop(T=1000, n=None, timesteps=None, seed=0, sample=None, model_fn=model, **cfg):
    sched = {k: cfg.pop(k) for k in list(cfg) if k in ("beta_start", "beta_end", "schedule", "rescale")}
    ac = torch.cumprod(1.0 - betas_for(T, **sched), dim=0)
    ts = list(timesteps) if timesteps is not None else list(timesteps_for(T, n or T, cfg.get("timestep_spacing", "leading"), cfg.get("steps_offset", 0)))
    g = torch.manual_seed(seed) if seed == 0 else torch.Generator().manual_seed(seed)
    x = dummy_sample_deter() if sample is None else sample
    for i, t in enumerate(ts):
        prev = ts[i + 1] if i + 1 < len(ts) else -1
        x = ddpm_step(ac, cfg, model_fn(x, int(t)), int(t), int(prev), x, g)
    return x


def ddim_loop(T=1000, n=10, eta=0.0, seed=0, diffusers_prev=True, sample=None, t_start=0, noise=None,
              use_clipped=False, set_alpha_to_one=True, model_fn=model, **cfg):
    sched = {k: cfg.pop(k) for k in list(cfg) if k in ("beta_start", "beta_end", "schedule", "rescale")}
    ac = torch.cumprod(1.0 - betas_for(T, **sched), dim=0)
    final = torch.tensor(1.0) if set_alpha_to_one else ac[0]
    ts = list(timesteps_for(T, n, cfg.get("timestep_spacing", "leading"), cfg.get("steps_offset", 0)))
    g = torch.Generator().manual_seed(seed)
    x = dummy_sample_deter() if sample is None else sample
    if noise is not None:
        x = add_noise(ac, x, noise, torch.tensor([ts[t_start]]))
    for i in range(t_start, len(ts)):
        t = int(ts[i])
        prev = t - T // n if diffusers_prev else (int(ts[i + 1]) if i + 1 < len(ts) else -1)
        x = ddim_step(ac, final, cfg, model_fn(x, t), t, prev, x, eta, g, use_clipped)
    return x


def report(name, x, expect_sum=None, expect_mean=None):
    s, m = torch.sum(torch.abs(x)).item(), torch.mean(torch.abs(x)).item()
    line = f"{name}: sum|x|={s:.4f} mean|x|={m:.6f}"
    if expect_sum is not None:
        ok = abs(s - expect_sum) < 1e-2 and abs(m - expect_mean) < 1e-3
        line += f"  diffusers test: {expect_sum} / {expect_mean} -> {'OK' if ok else 'MISMATCH'}"
        assert ok, line
    print(line)


def dump(name, x):
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, name + ".txt"), "w") as f:
        for v in x.detach().double().flatten().tolist():
            f.write(repr(v) + "\n")


if __name__ == "__main__":
    # 1. diffusers' own test numbers, reproduced by this re-implementation.
    report("ddpm full loop (eps)", ddpm_loop(), 258.9606, 0.3372)
    report("ddpm full loop (v)", ddpm_loop(prediction_type="v_prediction"), 202.0296, 0.2631)
    ac = torch.cumprod(1.0 - betas_for(1000), dim=0)
    x = add_noise(ac, dummy_sample_deter(), dummy_noise_deter(), torch.tensor([1]))
    report("ddpm full loop with noise", ddpm_loop(timesteps=[1, 0], sample=x), 387.9466, 0.5051)
    report("ddim full loop", ddim_loop(), 172.0067, 0.223967)
    report("ddim full loop (v)", ddim_loop(prediction_type="v_prediction"), 52.5302, 0.0684)
    report("ddim alpha_to_one", ddim_loop(beta_start=0.01, set_alpha_to_one=True), 149.8295, 0.1951)
    report("ddim no alpha_to_one", ddim_loop(beta_start=0.01, set_alpha_to_one=False), 149.0784, 0.1941)
    report("ddim with noise", ddim_loop(t_start=8, noise=dummy_noise_deter()), 354.5418, 0.4616)

    # 2. further cases, dumped element-wise.
    cases = {
        "ddpm_eps_1000": ddpm_loop(),
        "ddpm_50_fixed_large_sample_seed3": ddpm_loop(n=50, seed=3, variance_type="fixed_large", prediction_type="sample", model_fn=sample_model),
        "ddpm_50_fixed_small_log_seed5": ddpm_loop(n=50, seed=5, variance_type="fixed_small_log"),
        "ddpm_20_trailing_v_rescaled_seed7": ddpm_loop(n=20, seed=7, timestep_spacing="trailing", prediction_type="v_prediction", rescale=True, schedule="scaled_linear", beta_start=0.00085, beta_end=0.012),
        "ddpm_25_linspace_threshold_seed11": ddpm_loop(n=25, seed=11, timestep_spacing="linspace", thresholding=True, sample_max_value=2.0, dynamic_thresholding_ratio=0.9),
        "ddpm_custom_seed13": ddpm_loop(timesteps=[900, 700, 420, 99, 3, 0], seed=13, clip_sample_range=0.5, schedule="squaredcos_cap_v2"),
        "ddpm_learned_range_seed17": ddpm_loop(n=10, seed=17, variance_type="learned_range", model_fn=lambda s, t: torch.cat([s * t / (t + 1), torch.tanh(s - 0.5)], dim=1)),
        "ddpm_learned_seed19": ddpm_loop(n=10, seed=19, variance_type="learned", clip_sample=False, schedule="sigmoid", model_fn=lambda s, t: torch.cat([s * t / (t + 1), 0.01 + 0.0 * s], dim=1)),
        "ddim_10_eta1_seed0": ddim_loop(eta=1.0, seed=0),
        "ddim_50_eta05_clipped_seed23": ddim_loop(n=50, eta=0.5, seed=23, use_clipped=True),
        "ddim_10_trailing_v_rescaled_offset": ddim_loop(n=10, timestep_spacing="trailing", prediction_type="v_prediction", rescale=True),
        "ddim_5_leading_offset1": ddim_loop(n=5, steps_offset=1),
        "ddim_10_sample_pred_threshold": ddim_loop(n=10, prediction_type="sample", thresholding=True, sample_max_value=1.5, model_fn=sample_model),
        # linspace: ours (next timestep of the schedule) and diffusers' (t - T // n), which differ (diffusers #12633).
        "ddim_7_linspace_ours": ddim_loop(n=7, timestep_spacing="linspace", diffusers_prev=False),
        "ddim_7_linspace_diffusers": ddim_loop(n=7, timestep_spacing="linspace", diffusers_prev=True),
    }
    for k, v in cases.items():
        report(k, v)
        dump(k, v)

    # 3. schedules (float32, as diffusers computes them).
    for name, b in {
        "betas_squaredcos_1000": betas_for(1000, schedule="squaredcos_cap_v2"),
        "betas_sigmoid_100": betas_for(100, schedule="sigmoid"),
        "betas_scaled_linear_1000": betas_for(1000, 0.00085, 0.012, "scaled_linear"),
        "betas_linear_rescaled_1000": betas_for(1000, rescale=True),
    }.items():
        dump(name, b)
        print(name, b[0].item(), b[499].item() if len(b) > 499 else b[49].item(), b[-1].item())

    # 4. diffusers' variance tests (DDPM _get_variance(t) and DDIM _get_variance(t, prev)).
    ac = torch.cumprod(1.0 - betas_for(1000), dim=0)
    for t, p in [(420, 400), (980, 960), (487, 486), (999, 998)]:
        print("ddim variance", t, p, (((1 - ac[p]) / (1 - ac[t])) * (1 - ac[t] / ac[p])).item())
